import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { prepareData } from "../src/pipeline/prepare";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "../src/pipeline/preprocess";
import { activations, argmaxRows, modelFor, train } from "../src/pipeline/model";
import { saveLayersModel } from "../src/pipeline/modelFiles";
import { runExperiment } from "../src/pipeline/run";
import { loadTf, type Tf } from "../src/pipeline/tf";
import { parseExperiment } from "../src/check/experiment";
import { ExperimentError, formatProblem } from "../src/shared/problems";
import type { Results } from "../src/shared/results";
import { tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");

function experimentOf(value: unknown, file: string) {
  const parsed = parseExperiment(JSON.stringify(value), file);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

/** Small and fast: 100 1s and 100 7s of MNIST, a few unseen 4s, k up to 4. */
const small = {
  name: "small",
  data: { digits: [1, 7], perDigit: 100, holdout: { perDigit: 300 } },
  training: { epochs: 2 },
  clustering: { kMin: 2, kMax: 4 },
  inject: [{ digit: 4, count: 40 }],
};

const experimentFile = join(root, "examples", "test.mtq.json");

/** The problems that refuse a run before it starts (`mtq run`, the worker), as the user reads them. */
async function runProblems(value: unknown, file: string): Promise<string> {
  const checked = await checkExperiment({ file, text: JSON.stringify(value) });
  assert.ok(!checked.ok, "the run should have been refused");
  return new ExperimentError(checked.problems).message;
}

describe("a CNN on MNIST 1 vs 7 (8 filters, 2 epochs)", () => {
  const cnn = { ...small, name: "cnn", model: { kind: "cnn", conv: [{ filters: 8, kernelSize: 3, pool: 2 }], dense: [16] } };
  let results: Results;
  before(async () => {
    results = await runExperiment({ experiment: experimentOf(cnn, experimentFile), experimentFile, backend: "wasm" });
  });

  it("trains on the wasm backend and tells 1s from 7s", () => {
    // The CNN's gradients on wasm need src/pipeline/wasmConvGradient.ts: the run must not have fallen back to cpu.
    assert.equal(results.backend, "wasm");
    assert.ok(results.findings.accuracy.train >= 0.9, `train accuracy ${results.findings.accuracy.train}`);
    assert.ok(results.findings.accuracy.test! >= 0.9, `held-out accuracy ${results.findings.accuracy.test}`);
  });

  it("has one signature layer per block (averaged per filter) and per dense layer", () => {
    assert.deepEqual(
      results.layers.map((l) => l.name),
      ["hidden 1 (pool_1)", "hidden 2 (dense_1)"],
    );
    assert.deepEqual(
      results.layers.map((l) => l.size),
      [8, 16],
    );
    for (const layer of results.layers) assert.equal(layer.assignments.length, 240);
  });

  it("groups most 1s and most 7s in clusters of their own by the dense layer", () => {
    const dense = results.findings.layers[1];
    assert.ok(dense.purity["1"] >= 0.85 && dense.purity["7"] >= 0.85, JSON.stringify(dense.purity));
    assert.notEqual(dense.dominantCluster["1"], dense.dominantCluster["7"]);
  });

  it('flattens the feature maps instead when convSignature is "flatten"', async () => {
    const exp = experimentOf({ ...cnn, model: { ...cnn.model, convSignature: "flatten" } }, experimentFile);
    const { tf } = await loadTf();
    const trained = await modelFor(tf, exp, experimentFile, { rows: 28, cols: 28 }, 2);
    try {
      const acts = await activations(tf, trained, new Float32Array(3 * 784).fill(0.5), 3);
      assert.deepEqual(acts.sizes, [14 * 14 * 8, 16]);
      assert.equal(acts.hidden[0].length, 3 * 14 * 14 * 8);
    } finally {
      trained.model.dispose();
    }
  });

  it("says which block pools the images away", async () => {
    const deep = {
      ...cnn,
      model: {
        kind: "cnn",
        conv: [
          { filters: 4, pool: 4 },
          { filters: 4, pool: 4 },
          { filters: 4, pool: 4 },
        ],
      },
    };
    const message = await runProblems(deep, experimentFile);
    assert.match(message, /model\.conv\[2\]\.pool: after block 3 the 28x28 images would be pooled down to 0x0\. Fix: use fewer blocks/);
  });
});

/** A 1-vs-7 dense model trained with TF.js and saved by TF.js into `dir`; returns it with its predictions on the kept images. */
async function savedOnesVsSevens(tf: Tf, dir: string) {
  const data = prepareData(
    experimentOf({ ...small, model: { kind: "dense", hidden: [24, 12] }, training: { epochs: 5 } }, experimentFile),
    experimentFile,
  );
  const exp = data.experiment;
  const x = scaledPixels(data.kept.pixels, maxPixel(data.kept.pixels));
  const trained = await modelFor(tf, exp, experimentFile, data, 2);
  await train(tf, trained, exp, x, oneHot(data.kept.labels, sortedClasses(exp.data.digits)), data.kept.labels.length, () => {});
  const predictions = argmaxRows((await activations(tf, trained, x, data.kept.labels.length)).output, 2).index;
  // Small shards, so that loading must join several files as it does a converter's output.
  const file = await saveLayersModel(tf, trained.model, dir, 16 * 1024);
  trained.model.dispose();
  return { file, predictions: Array.from(predictions, (p) => [1, 7][p]) };
}

describe("your own model: a Layers model saved by TF.js, loaded from disk", () => {
  const dir = tempDir();
  const file = join(dir, "mine.mtq.json");
  const mine = { ...small, name: "mine", model: { kind: "saved", path: "model/model.json" } };
  let saved: Awaited<ReturnType<typeof savedOnesVsSevens>>;
  let results: Results;
  const messages: string[] = [];
  before(async () => {
    const { tf } = await loadTf();
    saved = await savedOnesVsSevens(tf, join(dir, "model"));
    results = await runExperiment({
      experiment: experimentOf(mine, file),
      experimentFile: file,
      onProgress: (_s, _f, m) => messages.push(m),
    });
  });

  it("predicts exactly what the saved model predicted, without training it again", () => {
    assert.equal(readdirSync(join(dir, "model")).filter((f) => f.endsWith(".bin")).length, 5, "weights in 5 shards of 16 KiB");
    assert.deepEqual(Array.from(results.predictions).slice(0, 200), saved.predictions);
    assert.ok(results.findings.accuracy.test! >= 0.95, `held-out accuracy ${results.findings.accuracy.test}`);
    assert.ok(
      messages.some((m) => m.startsWith("Loading the model model/model.json")),
      messages.join("\n"),
    );
    assert.ok(!messages.some((m) => m.startsWith("Training:")));
  });

  it("analyses every Dense layer but the output by default", () => {
    assert.deepEqual(
      results.layers.map((l) => [l.name, l.size]),
      [
        ["hidden 1 (dense_1)", 24],
        ["hidden 2 (dense_2)", 12],
      ],
    );
  });

  it("analyses the layers the experiment names", async () => {
    const picked = await runExperiment({
      experiment: experimentOf({ ...mine, model: { ...mine.model, layers: ["dense_2"] } }, file),
      experimentFile: file,
    });
    assert.deepEqual(
      picked.layers.map((l) => l.name),
      ["hidden 1 (dense_2)"],
    );
  });

  it("lists the model's layers when a named layer does not exist", async () => {
    const wrong = { ...mine, model: { ...mine.model, layers: ["dense_9"] } };
    const [problem] = (await checkExperiment({ file, text: JSON.stringify(wrong) })).problems;
    assert.deepEqual(problem.edit, { title: 'Use "dense_1"', target: "value", newText: '"dense_1"' });
    const message = await runProblems(wrong, file);
    assert.match(
      message,
      /mine\.mtq\.json: model\.layers\[0\]: the model has no layer "dense_9"\. Fix: name one of its layers: dense_1 \(Dense, 24\), dense_2 \(Dense, 12\), output \(Dense, 2\)/,
    );
  });

  it("says when the kept classes do not match the model's outputs", async () => {
    const message = await runProblems({ ...mine, data: { ...mine.data, digits: [1, 7, 9] } }, file);
    assert.match(
      message,
      /data\.digits: the model has 2 outputs but the experiment keeps 3 classes\. Fix: keep exactly the 2 labels the model was trained on/,
    );
  });

  it("says when model.json is missing, or is not a Layers model, in the editor's checks too", async () => {
    const nowhere = { ...mine, model: { kind: "saved", path: "nowhere/model.json" } };
    assert.match(await runProblems(nowhere, file), /nowhere\/model\.json: model\.path: model\.json not found\. Fix: check `model\.path`/);
    assert.match(
      (await checkExperiment({ file, text: JSON.stringify(nowhere) })).problems.map(formatProblem).join("\n"),
      /nowhere\/model\.json: model\.path: model\.json not found/,
    );
    assert.deepEqual((await checkExperiment({ file, text: JSON.stringify(mine) })).problems, []);
    writeJson(dir, "graph.json", { format: "graph-model", modelTopology: { node: [] }, weightsManifest: [] });
    assert.match(
      await runProblems({ ...mine, model: { kind: "saved", path: "graph.json" } }, file),
      /graph\.json: model\.path: this is a TF\.js graph model; MTQ needs a Layers model/,
    );
  });

  it("says when a weight shard is missing", async () => {
    const broken = join(dir, "broken");
    const { tf } = await loadTf();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [784], activation: "softmax" })] });
    await saveLayersModel(tf, model, broken, 4096);
    model.dispose();
    rmSync(join(broken, "group1-shard2of2.bin"));
    assert.match(
      await runProblems({ ...mine, model: { kind: "saved", path: "broken/model.json" } }, file),
      /group1-shard2of2\.bin: model\.path: weight file not found/,
    );
  });
});

describe("a saved model whose input does not fit the images", () => {
  const dir = tempDir();
  const file = join(dir, "wrong.mtq.json");

  it("names the model's input shape and the images' size", async () => {
    const { tf } = await loadTf();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [32, 32, 3] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    await saveLayersModel(tf, model, join(dir, "cifar"));
    model.dispose();
    const message = await runProblems({ ...small, name: "wrong", model: { kind: "saved", path: "cifar/model.json" } }, file);
    assert.match(
      message,
      /wrong\.mtq\.json: model\.path: the model cifar\/model\.json takes inputs of shape 32x32x3 but the images are 28x28 grey \(28x28x1, or 784 values flattened\); MTQ feeds one grey channel and this model takes 3\. Fix: use a model whose input is 28x28x1, 28x28 or 784, or images of its size \(32x32: an image folder's "size"\)/,
    );
  });
});
