// The classifier: a dense or convolutional network built from the experiment and trained with a
// seeded shuffle (model.fit would use Math.random) and seeded initialisers, so the same seed gives
// the same weights; or the user's saved model, as it is. Then every hidden layer's signatures.
import type * as TF from "@tensorflow/tfjs";
import type { ConvSignature, Experiment } from "../shared/experiment";
import { cnnNetwork } from "./cnn";
import type { PreparedData } from "./prepare";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "./preprocess";
import { seededDense, type ImageSize, type ModelOf, type Trained } from "./network";
import { shuffled, randomFor } from "../data/random";
import { loadSavedModel } from "./savedModel";
import type { OnnxClassifier } from "./onnx";
import { yieldToEventLoop } from "./yield";
import { DenseTrainer } from "./denseTrainer";
import type { Tf } from "./tf";

function denseNetwork(tf: Tf, spec: ModelOf<"dense">, seed: number, image: ImageSize, classes: number): Trained {
  const model = tf.sequential();
  const hiddenLayers: string[] = [];
  const inputShape = [image.rows * image.cols * (image.channels ?? 1)];
  spec.hidden.forEach((units, i) => {
    const name = `dense_${i + 1}`;
    hiddenLayers.push(name);
    model.add(seededDense(tf, seed * 31 + i, { name, units, activation: spec.activation, inputShape: i === 0 ? inputShape : undefined }));
  });
  model.add(seededDense(tf, seed * 31 + spec.hidden.length, { name: "output", units: classes, activation: "softmax" }));
  return { model, hiddenLayers, inputShape, convSignature: "average", trainable: true };
}

/** What the model and its training depend on: nothing about which labels are kept but their number. */
type ModelSettings = Pick<Experiment, "model" | "training" | "seed">;

/** The experiment's model: a new dense or convolutional network, compiled for training, or the user's saved one. */
export async function modelFor(tf: Tf, exp: ModelSettings, experimentFile: string, image: ImageSize, classes: number): Promise<Trained> {
  if (exp.model.kind === "saved") return loadSavedModel(tf, exp.model, experimentFile, image);
  // A TF.js model is what its callers save, train and probe; the run loads an ONNX model with loadOnnxModel.
  if (exp.model.kind === "onnx") throw new TypeError("modelFor builds TF.js models: an ONNX model is run through loadOnnxModel");
  const trained =
    exp.model.kind === "cnn" ? cnnNetwork(tf, exp.model, exp.seed, image, classes) : denseNetwork(tf, exp.model, exp.seed, image, classes);
  trained.model.compile({ optimizer: tf.train.adam(exp.training.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return trained;
}

/**
 * The experiment's model trained on its kept images, quietly (no progress, snapshots or cancel):
 * for scripts that need the model or its signatures alone. A run trains through runExperiment.
 */
export async function trainedOnKept(
  tf: Tf,
  data: PreparedData,
  experimentFile: string,
): Promise<{ trained: Trained; x: Float32Array; classes: number[] }> {
  const exp = data.experiment;
  const classes = sortedClasses(exp.data.digits);
  const x = scaledPixels(data.kept.pixels, maxPixel(data.kept.pixels));
  const trained = await modelFor(tf, exp, experimentFile, data, classes.length);
  if (trained.trainable) await train(tf, trained, exp, x, oneHot(data.kept.labels, classes), data.kept.labels.length, () => {});
  return { trained, x, classes };
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Fraction of all batches done, 0..1. */
  fraction: number;
  loss: number;
}

/** One optimiser step on the images order[start..end), returning the batch's loss; then the weights as the model's. */
export interface BatchTrainer {
  step(order: readonly number[], start: number, end: number): number | Promise<number>;
  /** Leaves the trained weights in the TF.js model, where signatures, snapshots and saving read them. */
  writeBack(): void;
}

/** TF.js's own trainOnBatch: for the convolutional networks. */
export function tfjsTrainer(tf: Tf, trained: Trained, x: Float32Array, y: Float32Array, count: number): BatchTrainer {
  const inputSize = x.length / count;
  const classes = y.length / count;
  return {
    async step(order, start, end) {
      const rows = order.slice(start, end);
      const bx = new Float32Array(rows.length * inputSize);
      const by = new Float32Array(rows.length * classes);
      rows.forEach((r, i) => {
        bx.set(x.subarray(r * inputSize, (r + 1) * inputSize), i * inputSize);
        by.set(y.subarray(r * classes, (r + 1) * classes), i * classes);
      });
      const xs = tf.tensor(bx, [rows.length, ...trained.inputShape]);
      const ys = tf.tensor2d(by, [rows.length, classes]);
      const out = await trained.model.trainOnBatch(xs, ys);
      xs.dispose();
      ys.dispose();
      return Array.isArray(out) ? out[0] : out;
    },
    writeBack() {},
  };
}

/**
 * Trains in place; checks `signal` between batches so a cancel lands within one batch. A dense
 * network trains on DenseTrainer (the same step as TF.js's, several times faster: `npm run bench:train`).
 */
export async function train(
  tf: Tf,
  trained: Trained,
  exp: ModelSettings,
  x: Float32Array,
  y: Float32Array,
  count: number,
  onProgress: (p: TrainProgress) => void,
  signal?: AbortSignal,
  /** Called when each epoch ends (1-based), before the next starts: snapshots read the model then. */
  onEpochEnd?: (epoch: number) => Promise<void>,
): Promise<void> {
  const { epochs, batchSize } = exp.training;
  const trainer: BatchTrainer =
    exp.model.kind === "dense"
      ? await DenseTrainer.create(tf, trained.model, x, y, count, batchSize)
      : tfjsTrainer(tf, trained, x, y, count);
  const batches = Math.ceil(count / batchSize);
  const random = randomFor(exp.seed, "shuffle");
  const order = Array.from({ length: count }, (_, i) => i);
  let lastYield = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = shuffled(order, random);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      // Neither a synchronous step nor TF.js's promises (resolved as microtasks) let the event loop
      // turn: without a real turn now and then, a cancel message or Ctrl+C would wait for the end of training.
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      signal?.throwIfAborted();
      lossSum += await trainer.step(perm, b * batchSize, Math.min(count, (b + 1) * batchSize));
      if (b % 8 === 7 || b === batches - 1) {
        onProgress({ epoch: epoch + 1, epochs, fraction: (epoch * batches + b + 1) / (epochs * batches), loss: lossSum / (b + 1) });
      }
    }
    trainer.writeBack();
    await onEpochEnd?.(epoch + 1);
  }
}

export interface Activations {
  /** Per hidden layer: count x size values, row-major. */
  hidden: Float32Array[];
  sizes: number[];
  /** count x classes softmax outputs. */
  output: Float32Array;
}

/** A layer output's values per image: feature maps averaged per channel or flattened, as configured. */
function signatureOf(tf: Tf, output: TF.Tensor, convSignature: ConvSignature): TF.Tensor {
  if (output.rank <= 2) return output;
  if (convSignature === "flatten") return output.reshape([output.shape[0], -1]);
  return tf.mean(
    output,
    Array.from({ length: output.rank - 2 }, (_, i) => i + 1),
  );
}

function signatureSize(layer: TF.layers.Layer, convSignature: ConvSignature): number {
  const shape = (layer.outputShape as number[]).slice(1);
  return convSignature === "average" ? shape[shape.length - 1] : shape.reduce((a, b) => a * b, 1);
}

/**
 * Every hidden layer's signature and the softmax for `count` images, in batches to bound memory;
 * with `signatures` false, the softmax alone (held-out images need only their predictions).
 */
export async function activations(
  tf: Tf,
  trained: Trained | OnnxClassifier,
  x: Float32Array,
  count: number,
  signatures = true,
): Promise<Activations> {
  if ("kind" in trained) return trained.activations(x, count, signatures);
  const inputSize = trained.inputShape.reduce((a, b) => a * b, 1);
  const layers = signatures ? trained.hiddenLayers.map((n) => trained.model.getLayer(n)) : [];
  const probe = tf.model({
    inputs: trained.model.inputs,
    outputs: [...layers.map((l) => l.output as TF.SymbolicTensor), trained.model.outputs[0]],
  });
  const sizes = layers.map((l) => signatureSize(l, trained.convSignature));
  const classes = (trained.model.outputs[0].shape as number[])[1];
  const hidden = sizes.map((s) => new Float32Array(count * s));
  const output = new Float32Array(count * classes);
  // Small batches: the wasm backend runs 10,000 images 20 times faster in batches of 128 than of 4,096.
  const step = 128;
  for (let start = 0; start < count; start += step) {
    const n = Math.min(step, count - start);
    const outs = tf.tidy(() => {
      const predicted = probe.predict(tf.tensor(x.subarray(start * inputSize, (start + n) * inputSize), [n, ...trained.inputShape]));
      // A model with one output (the softmax alone) predicts a tensor, not a list of them.
      const all = Array.isArray(predicted) ? predicted : [predicted];
      return all.map((t, l) => (l < sizes.length ? signatureOf(tf, t, trained.convSignature) : t));
    });
    for (let l = 0; l < sizes.length; l++) hidden[l].set(await outs[l].data(), start * sizes[l]);
    output.set(await outs[sizes.length].data(), start * classes);
    outs.forEach((t) => t.dispose());
  }
  return { hidden, sizes, output };
}

/** Frees the model's memory: TF.js's tensors, or onnxruntime's session. */
export async function disposeModel(trained: Trained | OnnxClassifier): Promise<void> {
  if ("kind" in trained) await trained.dispose();
  else trained.model.dispose();
}

/** Predicted class index and its probability, per row of softmax outputs. */
export function argmaxRows(output: Float32Array, classes: number): { index: Int32Array; confidence: Float32Array } {
  const count = output.length / classes;
  const index = new Int32Array(count);
  const confidence = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (output[i * classes + c] > output[i * classes + best]) best = c;
    index[i] = best;
    confidence[i] = output[i * classes + best];
  }
  return { index, confidence };
}
