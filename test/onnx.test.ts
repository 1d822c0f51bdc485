// ONNX models (`model.kind: "onnx"`) on the fixture scripts/onnx-fixture.py writes: a small CNN
// trained by PyTorch on real MNIST 1s and 7s, exported by torch.onnx.export. onnxruntime must give
// PyTorch's own outputs, the report's 1-vs-7 experiment must reach its findings through it, and
// the checks must refuse what the run cannot use, each on its field with the fix.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PNG } from "pngjs";
import { checkExperiment } from "../src/check";
import { readExperimentFile } from "../src/check/experiment";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { defaultOnnxLayers, onnxFeed, readOnnxGraph } from "../src/data/onnxModel";
import { loadOnnxModel, probabilities } from "../src/pipeline/onnx";
import { prepareData } from "../src/pipeline/prepare";
import { runExperiment } from "../src/pipeline/run";
import type { ParsedExperiment } from "../src/shared/experiment";
import { tempDir, writeJson } from "./helpers";

const fixtures = join(__dirname, "fixtures");
const modelFile = join(fixtures, "mnist-cnn.onnx");
const example = join(__dirname, "..", "examples", "onnx-model.mtq.json");
const torch = JSON.parse(readFileSync(join(fixtures, "mnist-cnn.outputs.json"), "utf8")) as {
  trainIndices: number[];
  labels: number[];
  logits: number[][];
  softmax: number[][];
  hidden: { shape: number[]; values: number[][] }[];
};
type OnnxSpec = Extract<ParsedExperiment["model"], { kind: "onnx" }>;
const spec = (more: Partial<OnnxSpec> = {}): OnnxSpec => ({
  kind: "onnx",
  path: modelFile,
  convSignature: "flatten",
  output: "auto",
  ...more,
});

/** The largest difference between two lists of numbers of one length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A float32 .npy array (numpy's format: magic, header length, a Python-dict header, then the values). */
function npyFloats(file: string): { shape: number[]; values: Float32Array } {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString("latin1");
  assert.match(header, /'descr': '<f4'/);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)![1].match(/\d+/g) ?? []).map(Number);
  const data = bytes.subarray(10 + headerLength);
  return { shape, values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)) };
}

describe("an ONNX model exported by PyTorch", () => {
  it("lists its layers and picks the activations after each Conv and Gemm but the classifier", () => {
    const graph = readOnnxGraph(modelFile);
    assert.deepEqual(graph.inputs, [{ name: "image", shape: [null, 1, 28, 28], elemType: 1 }]);
    assert.deepEqual(defaultOnnxLayers(graph), ["/pool1/MaxPool_output_0", "/pool2/MaxPool_output_0", "/Relu_2_output_0"]);
  });

  it("runs on onnxruntime with PyTorch's own outputs, to 1e-5: hidden layers, logits and softmax", async () => {
    const images = readIdx(mnistFile("train-images-idx3-ubyte"));
    const count = torch.trainIndices.length;
    const x = new Float32Array(count * 784);
    torch.trainIndices.forEach((i, row) => images.data.subarray(i * 784, (i + 1) * 784).forEach((v, p) => (x[row * 784 + p] = v / 255)));
    const image = { rows: 28, cols: 28, channels: 1 };
    const model = await loadOnnxModel(spec(), modelFile, image, 255);
    const raw = await loadOnnxModel(spec({ output: "probabilities", convSignature: "average" }), modelFile, image, 255);
    try {
      const acts = await model.activations(x, count);
      assert.deepEqual(acts.sizes, [4 * 14 * 14, 8 * 7 * 7, 16]);
      torch.hidden.forEach((layer, l) => assert.ok(maxDiff(acts.hidden[l], layer.values.flat()) < 1e-5, `hidden layer ${l + 1}`));
      // The logits were detected as such ("auto") and turned into PyTorch's softmax.
      assert.ok(maxDiff(acts.output, torch.softmax.flat()) < 1e-5);
      const logits = await raw.activations(x, count);
      assert.ok(maxDiff(logits.output, torch.logits.flat()) < 1e-5);
      // "average": each feature map's mean per channel.
      assert.deepEqual(logits.sizes, [4, 8, 16]);
      const firstMap = torch.hidden[0].values[0].slice(0, 14 * 14);
      assert.ok(Math.abs(logits.hidden[0][0] - firstMap.reduce((a, b) => a + b, 0) / firstMap.length) < 1e-5);
    } finally {
      await model.dispose();
      await raw.dispose();
    }
  });

  it("gives the signatures the fixture script wrote as .npy for the example's 300 images", async () => {
    const parsed = readExperimentFile(example).experiment!;
    const data = prepareData(parsed, example);
    const pixels = Buffer.concat([data.kept.pixels, data.injected.pixels]);
    const x = Float32Array.from(pixels, (v) => v / 255);
    // MNIST is grey: one channel.
    const image = { rows: data.rows, cols: data.cols, channels: 1 };
    const model = await loadOnnxModel(spec({ path: "../test/fixtures/mnist-cnn.onnx", convSignature: "average" }), example, image, 255);
    try {
      const acts = await model.activations(x, pixels.length / 784);
      for (const [l, name] of ["h1", "h2", "h3"].entries()) {
        const npy = npyFloats(join(fixtures, "signatures", `${name}.npy`));
        assert.deepEqual(npy.shape, [300, acts.sizes[l]]);
        assert.ok(maxDiff(acts.hidden[l], npy.values) < 1e-5, name);
      }
    } finally {
      await model.dispose();
    }
  });

  it("reaches the report's findings on 1s vs 7s with injected 4s (examples/onnx-model.mtq.json)", async () => {
    const parsed = readExperimentFile(example).experiment!;
    const results = await runExperiment({ experiment: parsed, experimentFile: example });
    const { findings } = results;
    assert.match(results.backend, /^onnxruntime \(cpu\), clustered on (tensorflow|wasm|cpu)$/);
    assert.deepEqual(
      results.layers.map((l) => [l.name, l.size]),
      [
        ["hidden 1 (/pool1/MaxPool_output_0)", 4],
        ["hidden 2 (/pool2/MaxPool_output_0)", 8],
        ["hidden 3 (/Relu_2_output_0)", 16],
      ],
    );
    assert.equal(findings.accuracy.train, 0.995);
    assert.equal(findings.accuracy.test, 0.994);
    // The classes part in the last hidden layer: the convolutions' channel means mix them.
    assert.equal(findings.separationLayer, 3);
    assert.deepEqual(
      findings.layers.map((l) => l.purity),
      [
        { 1: 0.95, 7: 0.69 },
        { 1: 0.94, 7: 0.73 },
        { 1: 1, 7: 0.98 },
      ],
    );
    // The unseen 4s go the 7s' way, as in the report: most follow their path and are called 7.
    assert.deepEqual(findings.injected[4].followsPathOf, { 1: 0.13, 7: 0.56 });
    assert.deepEqual(findings.injected[4].predicted, { 1: 0.2, 7: 0.8 });
  });
});

describe("ONNX inputs and outputs", () => {
  it("detects N x C x H x W, N x H x W x C, flat and N x H x W inputs, channels first when either fits", () => {
    const grey = { rows: 28, cols: 28, channels: 1 };
    const colour = { rows: 32, cols: 32, channels: 3 };
    assert.deepEqual(onnxFeed([null, 1, 28, 28], grey), { layout: "nchw", shape: [1, 28, 28], batch: null });
    assert.deepEqual(onnxFeed([1, 28, 28, 1], grey), { layout: "nhwc", shape: [28, 28, 1], batch: 1 });
    assert.deepEqual(onnxFeed([null, 784], grey), { layout: "flat", shape: [784], batch: null });
    assert.deepEqual(onnxFeed([null, 28, 28], grey), { layout: "hw", shape: [28, 28], batch: null });
    assert.deepEqual(onnxFeed([null, 3, 32, 32], colour)?.layout, "nchw");
    assert.deepEqual(onnxFeed([null, 32, 32, 3], colour)?.layout, "nhwc");
    assert.deepEqual(onnxFeed([null, null, null, null], colour)?.layout, "nchw");
    assert.equal(onnxFeed([null, 3, 28, 28], grey), undefined);
    assert.equal(onnxFeed([null, 1, 32, 32], grey), undefined);
  });

  it("feeds colour pixels (rows x cols x 3) channels first or last, normalised per channel, as PyTorch computes", async () => {
    const colour = JSON.parse(readFileSync(join(fixtures, "onnx-colour", "outputs.json"), "utf8")) as {
      pixels: number[];
      mean: number[];
      std: number[];
      logits: number[][];
    };
    const x = Float32Array.from(colour.pixels, (v) => v / 255);
    for (const layout of ["nchw", "nhwc"]) {
      const model = await loadOnnxModel(
        spec({
          path: join(fixtures, "onnx-colour", `${layout}.onnx`),
          output: "probabilities",
          normalize: { mean: colour.mean, std: colour.std },
        }),
        modelFile,
        { rows: 5, cols: 4, channels: 3 },
        255,
      );
      try {
        assert.ok(maxDiff((await model.activations(x, 2)).output, colour.logits.flat()) < 1e-5, layout);
      } finally {
        await model.dispose();
      }
    }
  });

  it("keeps probabilities and turns anything else into a softmax", () => {
    const probs = Float32Array.from([0.25, 0.75, 1, 0]);
    assert.equal(probabilities(probs, 2, "auto"), probs);
    const logits = Float32Array.from([0, Math.log(3), 2, 2]);
    assert.ok(maxDiff(probabilities(logits, 2, "auto"), [0.25, 0.75, 0.5, 0.5]) < 1e-6);
    // Told they are logits, rows that look like probabilities get a softmax too.
    assert.ok(
      maxDiff(probabilities(probs, 2, "logits"), [
        1 / (1 + Math.E ** 0.5),
        1 / (1 + Math.E ** -0.5),
        Math.E / (Math.E + 1),
        1 / (Math.E + 1),
      ]) < 1e-6,
    );
  });
});

describe("the checks of an ONNX model", () => {
  const dir = tempDir();
  const experiment = (model: object, data: object = {}) => ({
    name: "onnx-check",
    data: { source: "mnist", digits: [1, 7], perDigit: 10, ...data },
    model: { kind: "onnx", path: modelFile, ...model },
  });
  const problemsOf = async (name: string, value: object) => {
    const checked = await checkExperiment({ file: writeJson(dir, `${name}.mtq.json`, value) });
    return checked.problems;
  };

  it("accepts the fixture", async () => {
    assert.deepEqual(await problemsOf("good", experiment({})), []);
  });

  it("offers the nearest layer name as a Quick Fix and lists the layers with their shapes", async () => {
    const [problem] = await problemsOf("layer", experiment({ layers: ["/pool1/MaxPool_output_0", "/fc1/Gem"] }));
    assert.deepEqual(problem.path, ["model", "layers", 1]);
    assert.match(problem.fix, /\/conv1\/Conv_output_0 \(Conv, 4x28x28\), .*\/Relu_2_output_0 \(Relu, 16\), logits \(Gemm, 2\)/);
    assert.deepEqual(problem.edit, { title: 'Use "/fc1/Gemm"', target: "value", newText: '"/fc1/Gemm"' });
  });

  it("reads an image folder without `channels` in the channels the model's input takes", async () => {
    // Two classes of 5x4 images whose channels differ: colour for a 3-channel model, grey for a 1-channel one.
    for (const [c, name] of ["a", "b"].entries()) {
      mkdirSync(join(dir, "colour", name), { recursive: true });
      for (let i = 0; i < 4; i++) {
        const rgba = Buffer.from(Array.from({ length: 20 }, (_, p) => [(p * 13 + i * 40) % 256, c * 200, 90, 255]).flat());
        writeFileSync(
          join(dir, "colour", name, `${i}.png`),
          PNG.sync.write(Object.assign(new PNG({ width: 4, height: 5 }), { data: rgba })),
        );
      }
    }
    const folder = (path: string) => ({
      name: "onnx-folder",
      data: { source: { folder: { path: join(dir, "colour"), size: [5, 4] } }, digits: ["a", "b"], perDigit: 3 },
      model: { kind: "onnx", path },
      clustering: { kMin: 2, kMax: 3 },
    });
    const colourModel = join(fixtures, "onnx-colour", "nchw.onnx");
    const file = writeJson(dir, "folder.mtq.json", folder(colourModel));
    assert.deepEqual((await checkExperiment({ file })).problems, []);
    assert.equal(prepareData(readExperimentFile(file).experiment!, file).channels, 3);
    const grey = writeJson(dir, "folder-grey.mtq.json", folder(join(fixtures, "onnx-bad", "three-classes.onnx")));
    // three-classes.onnx takes 784 values: a 5x4 image fits neither in grey nor in colour.
    const [problem] = (await checkExperiment({ file: grey })).problems;
    assert.match(problem.message, /fits no layout of 5x4 images with 1 or 3 channels \(grey or colour\)/);
  });

  it("refuses a normalisation with more values than the model's channels", async () => {
    const [problem] = await problemsOf("normalize", experiment({ normalize: { mean: [0.5, 0.5, 0.5], std: [0.5] } }));
    assert.deepEqual(problem.path, ["model", "normalize", "mean"]);
    assert.match(problem.message, /3 values but the model is fed 1 channel/);
  });
});
