// `data.from: "train+test"` and `data.perDigit: "all"`: all 70,000 MNIST digits as one pool.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { prepareData, type PreparedData } from "../src/pipeline/prepare";
import { loadImages, splitFiles } from "../src/data/source";
import { runExperiment } from "../src/pipeline/run";
import { summaryText } from "../src/pipeline/summary";
import { parseExperiment } from "../src/check/experiment";
import { formatProblem } from "../src/shared/problems";
import { idxBytes, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "dist", "cli.js");
const file = join(root, "examples", "all.mtq.json");

function experimentOf(data: object, more: object = {}, at = file) {
  const parsed = parseExperiment(JSON.stringify({ name: "all", data, ...more }), at);
  assert.ok(parsed.experiment, parsed.problems.map(formatProblem).join("\n"));
  return parsed.experiment;
}

/** Every problem message, schema and data checks together, as `mtq validate` gives them. */
async function problemsOf(data: object, more: object = {}, at = file): Promise<string[]> {
  const checked = await checkExperiment({ file: at, text: JSON.stringify({ name: "all", data, ...more }) });
  return checked.problems.map(formatProblem);
}

const mnistTrain = loadImages(splitFiles("mnist", "train", ".")!);
const mnistTest = loadImages(splitFiles("mnist", "test", ".")!);
const size = 28 * 28;

/** Indices, in file order, of the images with one of `digits`. */
function indicesOf(labels: Uint8Array, digits: number[]): number[] {
  const out: number[] = [];
  labels.forEach((l, i) => digits.includes(l) && out.push(i));
  return out;
}
const count = (labels: Uint8Array, digit: number) => labels.filter((l) => l === digit).length;

describe('data.from "train+test" with perDigit "all" (real MNIST)', () => {
  let data: PreparedData;
  before(() => {
    data = prepareData(experimentOf({ digits: [0, 1], perDigit: "all", from: "train+test" }), file);
  });

  it("keeps every 0 and 1 of both splits: 5923 + 980 zeros, 6742 + 1135 ones", async () => {
    assert.equal(count(data.kept.labels, 0), 5923 + 980);
    assert.equal(count(data.kept.labels, 1), 6742 + 1135);
    assert.equal(data.kept.pixels.length, data.kept.labels.length * size);
  });

  it("takes the training images first, then the test images with their split and test-file index", async () => {
    const train = indicesOf(mnistTrain.labels, [0, 1]);
    const test = indicesOf(mnistTest.labels, [0, 1]);
    assert.deepEqual(data.kept.split, [...train.map(() => "train"), ...test.map(() => "test")]);
    assert.deepEqual(Array.from(data.kept.sourceIndex), [...train, ...test]);
  });

  it("gives a test image the test file's pixels and label", async () => {
    const i = data.kept.split.indexOf("test") + 5;
    const src = data.kept.sourceIndex[i];
    assert.deepEqual(data.kept.pixels.subarray(i * size, (i + 1) * size), mnistTest.pixels.subarray(src * size, (src + 1) * size));
    assert.equal(data.kept.labels[i], mnistTest.labels[src]);
    // and a training image the training file's
    const t = data.kept.sourceIndex[3];
    assert.deepEqual(data.kept.pixels.subarray(3 * size, 4 * size), mnistTrain.pixels.subarray(t * size, (t + 1) * size));
  });

  it("holds nothing out: every image of the kept digits is picked", async () => {
    assert.equal(data.holdout.labels.length, 0);
    assert.equal(data.holdout.pixels.length, 0);
  });
});

describe("picking from the pool", () => {
  it('perDigit "all" from "train" keeps every training 0 and tests on the test split', async () => {
    const data = prepareData(experimentOf({ digits: [0, 1], perDigit: "all" }), file);
    assert.equal(count(data.kept.labels, 0), 5923);
    assert.equal(count(data.kept.labels, 1), 6742);
    assert.ok(data.kept.split.every((s) => s === "train"));
    assert.equal(count(data.holdout.labels, 0), 980);
    assert.equal(count(data.holdout.labels, 1), 1000);
    assert.ok(data.holdout.split.every((s) => s === "test"));
  });

  it('"train+test" holds out the pool\'s images not picked, test images included', () => {
    const data = prepareData(experimentOf({ digits: [0, 1], perDigit: 5923, from: "train+test" }), file);
    assert.ok(
      data.kept.split.every((s) => s === "train"),
      "5923 zeros: the training ones come first",
    );
    const zeros = Array.from(data.holdout.labels.keys()).filter((i) => data.holdout.labels[i] === 0);
    assert.equal(zeros.length, 980);
    assert.ok(zeros.every((i) => data.holdout.split[i] === "test"));
    const ones = Array.from(data.holdout.labels.keys()).filter((i) => data.holdout.labels[i] === 1);
    assert.equal(ones.length, 819 + 181, "819 training ones left, then test ones");
    assert.deepEqual(
      ones.map((i) => data.holdout.split[i]),
      [...Array(819).fill("train"), ...Array(181).fill("test")],
    );
  });

  it('"random" samples the pool with the seed and returns it in pool order', async () => {
    // More than the training file has of each (6742 ones, 6265 sevens): test images too.
    const exp = experimentOf({ digits: [1, 7], perDigit: 7000, from: "train+test", pick: "random" }, { inject: [{ digit: 4, count: 20 }] });
    const a = prepareData(exp, file);
    const b = prepareData(exp, file);
    assert.deepEqual(a.kept.sourceIndex, b.kept.sourceIndex);
    assert.equal(a.kept.labels.length, 14000);
    const firstTest = a.kept.split.indexOf("test");
    assert.ok(firstTest > 0 && a.kept.split.slice(firstTest).every((s) => s === "test"), "training images, then test images");
    const inOrder = (xs: ArrayLike<number>) => Array.from(xs).every((v, i, all) => i === 0 || all[i - 1] < v);
    assert.ok(inOrder(a.kept.sourceIndex.subarray(0, firstTest)) && inOrder(a.kept.sourceIndex.subarray(firstTest)));
    assert.equal(a.injected.labels.length, 20);
    assert.ok(a.injected.labels.every((l) => l === 4));
  });
});

describe("the problems of data.from and perDigit", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "digits.csv"), "label,p\n1,0\n7,0\n1,0\n7,0\n");

  it('"train+test" on a source without test images', async () => {
    const problems = await problemsOf(
      { source: { csv: "digits.csv" }, digits: [1, 7], perDigit: 2, from: "train+test" },
      { clustering: { kMax: 3 } },
      join(dir, "own.mtq.json"),
    );
    assert.match(
      problems.join("\n"),
      /own\.mtq\.json: data\.from: "train\+test" picks from the source's test images too, but the source has none\. Fix: add test files to the source \(idx\.testImages\/testLabels, testCsv or folder\.testPath\), or use "train"/,
    );
  });

  it('holdout.from "test-split" with "train+test"', async () => {
    const problems = await problemsOf({ digits: [1, 7], perDigit: 100, from: "train+test", holdout: { from: "test-split" } });
    assert.deepEqual(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /all\.mtq\.json: data\.holdout\.from: with data\.from "train\+test" the test images are picked from, so they cannot also be the held-out ones\. Fix: use "rest" .*or data\.from: "train"/,
    );
  });

  it("counts perDigit over the pool", async () => {
    // 6265 + 1028 sevens
    assert.deepEqual(await problemsOf({ digits: [1, 7], perDigit: 7293, from: "train+test" }), []);
    const problems = await problemsOf({ digits: [1, 7], perDigit: 7294, from: "train+test" });
    assert.deepEqual(problems, [
      `${file}: data.perDigit: perDigit is 7294 but MNIST has only 7293 images of digit 7, training and ` +
        `test images together. Fix: lower perDigit to at most 7293`,
    ]);
    assert.match(
      (await problemsOf({ digits: [1, 7], perDigit: 7000 })).join("\n"),
      /perDigit is 7000 but MNIST has only 6742 images of digit 1\. Fix: lower perDigit to at most 6742/,
    );
  });

  it("counts injected images over the pool", async () => {
    assert.deepEqual(await problemsOf({ digits: [1, 7], perDigit: 10, from: "train+test" }, { inject: [{ digit: 4, count: 6000 }] }), []);
    assert.match(
      (await problemsOf({ digits: [1, 7], perDigit: 10 }, { inject: [{ digit: 4, count: 6000 }] })).join("\n"),
      /inject\[0\]\.count: count is 6000 but MNIST has only 5842 images of digit 4/,
    );
  });

  it('rejects a perDigit that is neither a positive integer nor "all"', async () => {
    assert.match(
      (await problemsOf({ digits: [1, 7], perDigit: "every" })).join("\n"),
      /data\.perDigit: expected number or "all", got "every"\. Fix: give a number or "all"/,
    );
    assert.match(
      (await problemsOf({ digits: [1, 7], perDigit: 0 })).join("\n"),
      /data\.perDigit: Too small: expected number to be >0\. Fix: use more than 0 /,
    );
  });

  it('with "all", checks kMax against the images the data has', async () => {
    writeFileSync(join(dir, "images.idx"), idxBytes([4, 1, 1], new Uint8Array(4)));
    writeFileSync(join(dir, "labels.idx"), idxBytes([4], Uint8Array.from([1, 7, 1, 7])));
    const source = { idx: { images: "images.idx", labels: "labels.idx", testImages: "images.idx", testLabels: "labels.idx" } };
    const at = join(dir, "tiny.mtq.json");
    assert.deepEqual(
      await problemsOf({ source, digits: [1, 7], perDigit: "all", from: "train+test" }, { clustering: { kMax: 7 } }, at),
      [],
    );
    assert.deepEqual(await problemsOf({ source, digits: [1, 7], perDigit: "all", from: "train+test" }, { clustering: { kMax: 8 } }, at), [
      `${at}: clustering.kMax: kMax (8) must be below the number of images (perDigit "all" keeps 8). Fix: lower kMax below 8`,
    ]);
    assert.match(
      (await problemsOf({ source, digits: [1, 7], perDigit: "all" }, { clustering: { k: 4 } }, at)).join("\n"),
      /clustering\.k: k \(4\) must be below the number of images \(perDigit "all" keeps 4\)/,
    );
  });

  it("mtq validate reports them with exit code 2", async () => {
    const bad = writeJson(dir, "bad.mtq.json", {
      name: "bad",
      data: { source: { csv: "digits.csv" }, digits: [1, 7], perDigit: "all", from: "train+test", holdout: { from: "test-split" } },
    });
    const r = spawnSync(process.execPath, [cli, "validate", bad], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.mtq\.json: data\.from: "train\+test" picks from the source's test images too/);
    assert.match(r.stderr, /bad\.mtq\.json: data\.holdout\.from: with data\.from "train\+test"/);
    const good = writeJson(dir, "good.mtq.json", {
      name: "good",
      data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: "all", from: "train+test" },
    });
    assert.equal(spawnSync(process.execPath, [cli, "validate", good], { encoding: "utf8" }).status, 0);
  });
});

describe('a whole run with "train+test" and "all" (60 real MNIST digits)', () => {
  const dir = tempDir();
  // 20 ones and 20 sevens from MNIST's training file, 10 of each from its test file.
  const write = (name: string, from: typeof mnistTrain, n: number) => {
    const picked = [...indicesOf(from.labels, [1]).slice(0, n), ...indicesOf(from.labels, [7]).slice(0, n)].sort((a, b) => a - b);
    const pixels = new Uint8Array(picked.length * size);
    picked.forEach((src, i) => pixels.set(from.pixels.subarray(src * size, (src + 1) * size), i * size));
    writeFileSync(join(dir, `${name}-images.idx`), idxBytes([picked.length, 28, 28], pixels));
    writeFileSync(
      join(dir, `${name}-labels.idx`),
      idxBytes(
        [picked.length],
        Uint8Array.from(picked, (i) => from.labels[i]),
      ),
    );
  };
  write("train", mnistTrain, 20);
  write("test", mnistTest, 10);
  const experimentFile = join(dir, "small.mtq.json");
  const source = {
    idx: { images: "train-images.idx", labels: "train-labels.idx", testImages: "test-images.idx", testLabels: "test-labels.idx" },
  };

  it("trains on all 60, records each image's split, and says the held-out accuracy is not measured", async () => {
    const exp = experimentOf(
      { source, digits: [1, 7], perDigit: "all", from: "train+test" },
      { training: { epochs: 2 }, clustering: { kMin: 2, kMax: 3 }, projection: { neighbors: 5, epochs: 20 } },
      experimentFile,
    );
    const results = await runExperiment({ experiment: exp, experimentFile, backend: "cpu" });
    assert.equal(results.images.count, 60);
    assert.deepEqual(results.images.split, [...Array(40).fill("train"), ...Array(20).fill("test")]);
    assert.deepEqual(
      Array.from(results.images.sourceIndex).slice(40),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(results.testCount, 0);
    assert.equal(results.findings.accuracy.test, null);
    assert.match(summaryText(results), /accuracy: train \d+% \[\d+–\d+%\], held-out not measured/);
    assert.equal(results.experiment.data.from, "train+test");
  });
});
