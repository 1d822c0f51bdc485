// Signatures computed elsewhere (`data.source.signatures`): the .npy, .npz and safetensors readers
// against the bytes NumPy and safetensors write, the checks on bad arrays, and runs on real MNIST
// signatures (pixels of 1s, 7s and 4s, and a random projection of them) that give the same
// results from any of the three formats.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { locateNpy } from "../src/data/npy";
import { locateNpz } from "../src/data/npz";
import { locateSafetensors } from "../src/data/safetensors";
import { allValues, rowValues, signaturesOf } from "../src/data/signatures";
import { runExperiment } from "../src/pipeline/run";
import { compareResults } from "../src/results/compare";
import { childrenOf, experimentNode, lookOf } from "../src/host/treeModel";
import { round4 } from "../src/shared/figures";
import type { Results } from "../src/shared/results";
import { tempDir, writeJson } from "./helpers";
import { mnistSignatures, npyBytes, safetensorsBytes, valueBytes, zipBytes, type Descr } from "./signatures-arrays";

const dir = tempDir();
const sig = mnistSignatures(400);
const n = sig.labels.length;
const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, name), bytes);
const npy = (descr: Descr, shape: number[], values: ArrayLike<number>, options?: Parameters<typeof npyBytes>[3]) =>
  npyBytes(descr, shape, valueBytes(descr, values), options);

const source = { layers: ["h1.npy", "h2.npy"], labels: "labels.npy", predictions: "predictions.npy" };
/** The experiment the cases change: 1s and 7s, 60 of each, 20 injected 4s. */
function experiment(signatures: object = source, more: object = {}) {
  return {
    name: "imported",
    data: { source: { signatures }, digits: [1, 7], perDigit: 60 },
    inject: [{ digit: 4, count: 20 }],
    clustering: { kMin: 2, kMax: 5 },
    projection: { epochs: 50 },
    ...more,
  };
}

async function problemsOf(exp: unknown, name = "case.mtq.json"): Promise<string[]> {
  const checked = await checkExperiment({ file: writeJson(dir, name, exp) });
  return checked.problems.map((p) => `${p.path.join(".")}: ${p.message}. Fix: ${p.fix}`);
}

async function run(exp: unknown, name: string): Promise<Results> {
  const file = writeJson(dir, name, exp);
  const checked = await checkExperiment({ file });
  assert.ok(checked.ok, JSON.stringify(checked.problems));
  return runExperiment({ experiment: checked.parsed, experimentFile: file, backend: "cpu" });
}

before(() => {
  write("h1.npy", npy("<f4", [n, 784], sig.h1));
  write("h2.npy", npy("<f8", [n, sig.h2Width], sig.h2, { version: 2 }));
  write("labels.npy", npy("<i8", [n], sig.labels));
  write("predictions.npy", npy("<i8", [n], sig.predictions));
  write("images.npy", npyBytes("|u1", [n, 28, 28], sig.pixels));
  const entries = {
    "h1.npy": npy("<f4", [n, 784], sig.h1),
    "h2.npy": npy("<f8", [n, sig.h2Width], sig.h2),
    "labels.npy": npy("<i8", [n], sig.labels),
    "predictions.npy": npy("<i8", [n], sig.predictions),
  };
  write("stored.npz", zipBytes(entries, false));
  write("deflated.npz", zipBytes(entries, true));
  write(
    "sig.safetensors",
    safetensorsBytes({
      h1: { dtype: "F32", shape: [n, 784], data: valueBytes("<f4", sig.h1) },
      h2: { dtype: "F64", shape: [n, sig.h2Width], data: valueBytes("<f8", sig.h2) },
      labels: { dtype: "I64", shape: [n], data: valueBytes("<i8", sig.labels) },
      predictions: { dtype: "I64", shape: [n], data: valueBytes("<i8", sig.predictions) },
    }),
  );
  // Bad files, each for one check.
  write("truncated.npy", npy("<f4", [n, 784], sig.h1).subarray(0, 50_000));
  write("huge.npy", npyBytes("<f4", [2 ** 40, 784], new Uint8Array(64)));
  write("not.npy", new TextEncoder().encode("image,label\n1,2\n"));
  write("fortran.npy", npy("<f4", [n, 784], sig.h1, { fortran: true }));
  write("short-labels.npy", npy("<i8", [n - 5], sig.labels));
  write("float-labels.npy", npy("<f8", [n], sig.labels));
  write("int-layer.npy", npy("<i4", [n, 784], Array.from(sig.pixels)));
  const withNaN = Float32Array.from(sig.h2);
  withNaN[3 * sig.h2Width + 1] = NaN;
  withNaN[9 * sig.h2Width] = Infinity;
  write("nan.npy", npy("<f4", [n, sig.h2Width], withNaN));
  write("predicts-4.npy", npy("<i8", [n], sig.labels));
});

describe("array readers", () => {
  it("read .npy versions 1, 2 and 3, both byte orders and every numeric dtype as NumPy writes them", async () => {
    const values = [0, 1, 2, 100, 127];
    for (const descr of ["<f2", "<f4", ">f4", "<f8", "|i1", "<i2", "<i4", "<i8", ">i8", "|u1", "<u2", "<u4", "<u8"] as const) {
      for (const version of [1, 2, 3]) {
        write("v.npy", npy(descr, [5], values, { version }));
        const a = await locateNpy(join(dir, "v.npy"));
        assert.deepEqual(Array.from(await allValues(a)), values, `${descr} v${version}`);
      }
    }
    write("neg.npy", npy("<i8", [3], [-3, 0, 2 ** 40]));
    assert.deepEqual(Array.from(await allValues(await locateNpy(join(dir, "neg.npy")))), [-3, 0, 2 ** 40]);
  });

  it("read the same rows from .npy, stored and deflated .npz, and safetensors", async () => {
    const rows = Int32Array.from([7, 0, 8, 399]);
    const expected = await rowValues(await locateNpy(join(dir, "h2.npy")), rows);
    assert.equal(expected[0], Math.fround(sig.h2[7 * sig.h2Width]));
    for (const located of [
      await locateNpz(join(dir, "stored.npz"), "h2"),
      await locateNpz(join(dir, "deflated.npz"), "h2"),
      await locateSafetensors(join(dir, "sig.safetensors"), "h2"),
    ]) {
      assert.deepEqual(located.shape, [n, sig.h2Width]);
      assert.deepEqual(await rowValues(located, rows), expected);
    }
  });

  it("refuse a header that claims more than the file holds, before allocating it", async () => {
    await assert.rejects(locateNpy(join(dir, "huge.npy")), /truncated: the header announces 1099511627776x784 float32 values/);
    await assert.rejects(locateNpy(join(dir, "fortran.npy")), /Fortran \(column-major\) order/);
    await assert.rejects(
      locateNpz(join(dir, "stored.npz"), "h3"),
      /no array "h3" in the \.npz \(it holds "h1", "h2", "labels", "predictions"\)/,
    );
    await assert.rejects(locateSafetensors(join(dir, "h1.npy"), "h1"), /not a safetensors file/);
  });

  it("average a convolutional layer's channels (axis 1, NCHW) over the other axes, or flatten it", () => {
    // 2 images x 2 channels x 2 x 2.
    const values = Float32Array.from({ length: 16 }, (_, i) => i);
    assert.deepEqual(Array.from(signaturesOf(values, [2, 2, 2, 2], "average")), [1.5, 5.5, 9.5, 13.5]);
    assert.equal(signaturesOf(values, [2, 2, 2, 2], "flatten"), values);
  });
});

describe("checks of imported signatures", () => {
  it("accept the three formats", async () => {
    assert.deepEqual(await problemsOf(experiment()), []);
    assert.deepEqual(
      await problemsOf(experiment({ ...source, file: "deflated.npz", layers: ["h1", "h2"], labels: "labels", predictions: "predictions" })),
      [],
    );
    assert.deepEqual(
      await problemsOf(
        experiment({ ...source, file: "sig.safetensors", layers: ["h1", "h2"], labels: "labels", predictions: "predictions" }),
      ),
      [],
    );
  });

  const cases: [string, object, RegExp][] = [
    ["a missing file", experiment({ ...source, layers: ["h1.npy", "gone.npy"] }), /layers\.1: file not found\. Fix: check the path/],
    [
      "a file that is not .npy",
      experiment({ ...source, labels: "not.npy" }),
      /labels: not a \.npy file \(it does not start with \\x93NUMPY\)/,
    ],
    [
      "a truncated .npy",
      experiment({ ...source, layers: ["truncated.npy"] }),
      /layers\.0: truncated: the header announces 400x784 float32 values \(1254400 bytes\) but the file holds \d+/,
    ],
    [
      "rows that disagree",
      experiment({ ...source, labels: "short-labels.npy" }),
      /layers\.0: 400 rows but the labels \(short-labels\.npy\) have 395\. Fix: write every array from the same images/,
    ],
    [
      "float labels",
      experiment({ ...source, labels: "float-labels.npy" }),
      /labels: the array holds float64 values; labels must be integers\. Fix: save them as integers/,
    ],
    [
      "integer signatures",
      experiment({ ...source, layers: ["int-layer.npy"] }),
      /layers\.0: the array holds int32 values; a layer's signatures are floats/,
    ],
    [
      "NaN in a layer",
      experiment({ ...source, layers: ["h1.npy", "nan.npy"] }),
      /layers\.1: 2 NaN or infinite values in the rows the run takes \(the first in row 3\)/,
    ],
    [
      "a prediction outside the kept classes",
      experiment({ ...source, predictions: "predicts-4.npy" }),
      /predictions: row \d+ predicts digit 4, which is not a kept class \(data\.digits: 1, 7\) \(and 19 more of the rows the run takes\)\. Fix: keep every class the model predicts in data\.digits/,
    ],
    [
      "perDigit above the rows",
      { ...experiment(), data: { ...experiment().data, perDigit: 1000 } },
      /data\.perDigit: perDigit is 1000 but the data file has only \d+ images of digit 1/,
    ],
    [
      "a model beside the signatures",
      experiment(source, { model: { kind: "dense" } }),
      /^model: "model" is given but data\.source\.signatures imports the signatures: no model runs/,
    ],
    ["snapshots beside the signatures", experiment(source, { snapshots: [1] }), /^snapshots: "snapshots" is given .*no epochs to record/],
    [
      "training beside the signatures",
      experiment(source, { training: { epochs: 3 } }),
      /^training: "training" is given .*nothing is trained/,
    ],
    [
      "a key missing from the .npz",
      experiment({ ...source, file: "stored.npz", layers: ["h9"], labels: "labels", predictions: "predictions" }),
      /layers\.0: no array "h9" in the \.npz/,
    ],
    [
      "an .npz named as a layer",
      experiment({ ...source, layers: ["stored.npz"] }),
      /layers\.0: a \.npz file holds several arrays: this field names one array\. Fix: name the file in "signatures\.file"/,
    ],
  ];
  for (const [name, exp, expected] of cases) {
    it(`refuse ${name}, naming the field and the fix`, async () => {
      const problems = await problemsOf(exp);
      assert.ok(
        problems.some((p) => expected.test(p)),
        problems.join("\n"),
      );
    });
  }
});

describe("a run on imported signatures", () => {
  let fromNpy: Results;
  before(async () => {
    const exp = experiment({ ...source, thumbnails: "images.npy" });
    fromNpy = await run({ ...exp, data: { ...exp.data, pick: "random" } }, "npy.mtq.json");
  });

  it("clusters each layer, traces paths and measures accuracy as the predictions' agreement with the labels", () => {
    assert.deepEqual(fromNpy.imported, { files: ["h1.npy", "h2.npy", "labels.npy", "predictions.npy", "images.npy"] });
    assert.deepEqual(
      fromNpy.layers.map((l) => [l.name, l.size]),
      [
        ["hidden 1 (h1.npy)", 784],
        ["hidden 2 (h2.npy)", 32],
      ],
    );
    assert.equal(fromNpy.images.count, 140);
    assert.equal(fromNpy.confidence, undefined);
    // Every image of the rows picked, in the file's own numbers.
    Array.from(fromNpy.images.sourceIndex).forEach((row, i) => {
      assert.equal(fromNpy.images.labels[i], sig.labels[row]);
      assert.equal(fromNpy.predictions[i], sig.predictions[row]);
    });
    const kept = Array.from(fromNpy.images.sourceIndex).slice(0, 120);
    const agree = kept.filter((row) => sig.predictions[row] === sig.labels[row]).length / 120;
    assert.equal(fromNpy.findings.accuracy.train, round4(agree));
    // Held out: the rows of 1s and 7s not picked.
    const rest = Array.from(sig.labels).filter((l, row) => (l === 1 || l === 7) && !kept.includes(row)).length;
    assert.equal(fromNpy.testCount, rest);
    assert.ok(fromNpy.findings.accuracy.test! > 0.8, String(fromNpy.findings.accuracy.test));
    assert.equal(fromNpy.flows.nodes.filter((f) => f.kind === "prediction").length, 2);
    assert.ok(fromNpy.findings.injected["4"].count === 20);
    // The MTQ sidebar's tree says where the signatures came from, and that the confidence is not known.
    const root = experimentNode("npy.results.json");
    assert.match(lookOf(root, fromNpy).tooltip ?? "", /signatures imported from h1\.npy, h2\.npy, .* \(no model ran\)/);
    const image = childrenOf(childrenOf(childrenOf(root, fromNpy)[0], fromNpy)[0], fromNpy)[0];
    assert.match(lookOf(image, fromNpy).description ?? "", /^predicted \d \(confidence not known\)$/);
  });

  it("keeps the thumbnails' pixels, and has none (0x0) without them", async () => {
    const pixels = Buffer.from(fromNpy.images.pixels!);
    const row = fromNpy.images.sourceIndex[5];
    assert.deepEqual(pixels.subarray(5 * 784, 6 * 784), Buffer.from(sig.pixels.subarray(row * 784, (row + 1) * 784)));
    const bare = await run(experiment(), "bare.mtq.json");
    assert.deepEqual([bare.images.rows, bare.images.cols, bare.images.pixels], [0, 0, new Uint8Array(0)]);
  });

  it("keeps colour thumbnails (images x rows x columns x 3) as RGB bytes, channels 3", async () => {
    // Each digit drawn in red: its grey value in the red channel.
    const rgb = new Uint8Array(n * 784 * 3);
    sig.pixels.forEach((v, p) => (rgb[p * 3] = v));
    write("rgb.npy", npyBytes("|u1", [n, 28, 28, 3], rgb));
    const coloured = await run(experiment({ ...source, thumbnails: "rgb.npy" }), "rgb.mtq.json");
    assert.equal(coloured.images.channels, 3);
    const pixels = Buffer.from(coloured.images.pixels!);
    const row = coloured.images.sourceIndex[0];
    assert.deepEqual(pixels.subarray(0, 784 * 3), Buffer.from(rgb.subarray(row * 784 * 3, (row + 1) * 784 * 3)));
  });

  it("gives the same results from .npy, .npz and safetensors", async () => {
    const keys = { layers: ["h1", "h2"], labels: "labels", predictions: "predictions" };
    const a = await run(experiment(), "a.mtq.json");
    const b = await run(experiment({ ...keys, file: "deflated.npz" }), "b.mtq.json");
    const c = await run(experiment({ ...keys, file: "sig.safetensors" }), "c.mtq.json");
    // The comparison names where each side's signatures came from (their experiments' model is only the default).
    const compared = compareResults(a, b, "a.results.json", "b.results.json");
    assert.equal(compared.b.model, "signatures imported from deflated.npz");
    assert.deepEqual(
      compared.layers.map((l) => l.ari),
      [1, 1],
    );
    for (const other of [b, c]) {
      assert.deepEqual(
        other.layers.map((l) => l.assignments),
        a.layers.map((l) => l.assignments),
      );
      // The layers' names say where each came from ("hidden 1 (h1.npy)", "hidden 1 (h1)"): every figure is the same.
      const unnamed = (r: Results) => ({ ...r.findings, layers: r.findings.layers.map((l) => ({ ...l, name: "" })) });
      assert.deepEqual(unnamed(other), unnamed(a));
    }
  });
});
