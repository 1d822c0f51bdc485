// npm run million's parts: the elastic distortion (scripts/elastic.ts) on real MNIST digits, and the
// script itself at a small size: .npy files the signatures source reads, an experiment that
// checks clean, nothing redone when the files match, everything redone when one does not.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkExperiment } from "../src/check";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { pickIndices } from "../src/data/pick";
import { fastRandomFor, randomFor } from "../src/data/random";
import { signatureFacts, signatureRefs, rowValues } from "../src/data/signatures";
import { elasticDistortion, gaussianMatrix, SIMARD } from "../scripts/elastic";
import { tempDir, writeJson } from "./helpers";
import { npyBytes } from "./signatures-arrays";

const digits = readIdx(mnistFile("train-images-idx3-ubyte")).data;
const digit = (i: number) => Float32Array.from(digits.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
const sum = (a: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i];
  return total;
};

test("the Gaussian matrix: each row the kernel cut at 4 sigma and summing to 1, zero outside the line", () => {
  const m = gaussianMatrix(40, 4);
  const row = (i: number) => m.subarray(i * 40, (i + 1) * 40);
  assert.ok(Math.abs(sum(row(20)) - 1) < 1e-12, "a row far from the ends holds the whole kernel");
  assert.equal(row(20)[3], 0, "17 places away: past 4 sigma");
  assert.ok(row(20)[4] > 0);
  assert.ok(sum(row(0)) < 0.6, "at an end, half the kernel falls outside the line (zero there)");
  for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) assert.equal(m[i * 40 + j], m[j * 40 + i]);
});

test("elastic distortion: alpha 0 leaves a digit as it is; a seed gives the same copy, another seed another", () => {
  const image = digit(0);
  const still = new Float32Array(784);
  elasticDistortion(28, 28, { sigma: 4, alpha: 0 })(image, still, fastRandomFor(24, "test"));
  assert.deepEqual(still, image);
  const distort = elasticDistortion(28, 28, SIMARD);
  const [a, b, c] = [new Float32Array(784), new Float32Array(784), new Float32Array(784)];
  distort(image, a, fastRandomFor(24, "copy"));
  distort(image, b, fastRandomFor(24, "copy"));
  distort(image, c, fastRandomFor(25, "copy"));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a, image);
});

test("elastic distortion with Simard's sigma 4 and alpha 34: 100 digits keep their ink on average, and overlap themselves", () => {
  const distort = elasticDistortion(28, 28, SIMARD);
  const random = fastRandomFor(24, "ink");
  const ink: number[] = [];
  const overlap: number[] = [];
  for (let i = 0; i < 100; i++) {
    const image = digit(i);
    const out = new Float32Array(784);
    distort(image, out, random);
    assert.ok(
      out.every((v) => v >= 0 && v <= 1),
      "bilinear weights of values in [0, 1]",
    );
    ink.push(sum(out) / sum(image));
    let both = 0;
    for (let p = 0; p < 784; p++) both += Math.min(out[p], image[p]);
    overlap.push(both / sum(image));
  }
  // Measured with this seed: ink 0.66 to 1.44 times the digit's (a stroke stretched or squeezed), 0.99 on average;
  // 24% to 91% of it where it was, 60% on average (a displacement of about 1.4 pixels: the smoothed field's spread times alpha).
  const mean = (a: number[]) => sum(a) / a.length;
  assert.ok(Math.abs(mean(ink) - 1) < 0.05, `ink ${mean(ink).toFixed(3)} times the digits' on average`);
  assert.ok(Math.min(...ink) > 0.5 && Math.max(...ink) < 2, "no digit loses or doubles its ink");
  assert.ok(mean(overlap) > 0.5 && mean(overlap) < 0.7, `overlap ${mean(overlap).toFixed(3)}`);
  assert.ok(Math.min(...overlap) > 0.2, "every copy overlaps its digit");
});

test("a million rows' labels: perDigit all picks every row of a label held 150,000 times (a spread of them overflowed the stack)", () => {
  const labels = Uint8Array.from({ length: 300_000 }, (_, i) => i % 2);
  for (const mode of ["first", "random"] as const) {
    const picked = pickIndices(labels, [0, 1], Infinity, mode, randomFor(24, "pick"));
    assert.equal(picked.length, 300_000);
    assert.ok(picked.every((v, i) => v === i));
  }
});

test("npm run million at 70,100 images: imported signatures that check clean, made once", async () => {
  const dir = tempDir();
  const run = () =>
    execFileSync(
      process.execPath,
      ["--import", "tsx", join(__dirname, "..", "scripts", "million.ts"), "--out", dir, "--images", "70100", "--epochs", "1"],
      {
        encoding: "utf8",
      },
    );
  const first = run();
  assert.match(first, /distorting 100 copies/);
  const accuracy = /accuracy: ([\d.]+)% on the digits it trained on, ([\d.]+)% on the copies/.exec(first);
  assert.ok(accuracy && Number(accuracy[1]) > 90, first);

  const file = join(dir, "million.mtq.json");
  const checked = await checkExperiment({ file });
  assert.deepEqual(checked.problems, []);
  const experiment = JSON.parse(readFileSync(file, "utf8")) as { data: { source: { signatures: never } } };
  const facts = await signatureFacts(signatureRefs(experiment.data.source.signatures, dir));
  assert.ok(!Array.isArray(facts));
  assert.deepEqual(
    facts.layers.map((l) => [l.shape, l.dtype.name]),
    [
      [[70100, 32], "float32"],
      [[70100, 64], "float32"],
    ],
  );
  const labels = readIdx(mnistFile("train-labels-idx1-ubyte")).data;
  assert.deepEqual(facts.labels.subarray(0, 100), labels.subarray(0, 100), "MNIST's own digits first, training split first");
  assert.deepEqual(facts.labels.subarray(70000), labels.subarray(0, 100), "copy j is of digit j");
  const h1 = await rowValues(
    facts.layers[0],
    Int32Array.from({ length: 200 }, (_, i) => 69_900 + i),
  );
  assert.ok(
    h1.every((v) => Number.isFinite(v) && v >= 0),
    "ReLU outputs",
  );

  assert.match(run(), /up to date/);
  truncateSync(join(dir, "h2.npy"), 1000);
  assert.match(run(), /distorting 100 copies/, "a file of another size is made again");
});

test("thumbnails past 512 MB of base64 pass the checks: they go into the .bin, not into a string", async () => {
  const dir = tempDir();
  const rows = 600_000;
  // Sparse files: each header written, then the file stretched to its size (its values zeros, read from no disk).
  const sparse = (name: string, descr: string, shape: number[], bytesPerRow: number) => {
    const header = npyBytes(descr, shape, new Uint8Array(0));
    writeFileSync(join(dir, name), header);
    truncateSync(join(dir, name), header.length + rows * bytesPerRow);
  };
  sparse("h1.npy", "<f4", [rows, 1], 4);
  sparse("images.npy", "|u1", [rows, 28, 28], 784);
  const labels = Uint8Array.from({ length: rows }, (_, i) => i % 2);
  writeFileSync(join(dir, "labels.npy"), npyBytes("|u1", [rows], labels));
  writeFileSync(join(dir, "predictions.npy"), npyBytes("|u1", [rows], labels));
  const signatures = { layers: ["h1.npy"], labels: "labels.npy", predictions: "predictions.npy", thumbnails: "images.npy" };
  const experiment = { name: "large", data: { source: { signatures }, digits: [0, 1], perDigit: "all" } };
  const checked = await checkExperiment({ file: writeJson(dir, "large.mtq.json", experiment) });
  // 600,000 rows: 448 MB of thumbnails, 598 MB in base64, which the checks refused while the pipeline encoded them.
  assert.deepEqual(checked.problems, []);
});
