// The classifier: built from the experiment, trained with a seeded shuffle (model.fit would use
// Math.random) and seeded initialisers, so the same seed gives the same weights.
import type * as TF from "@tensorflow/tfjs";
import type { Experiment } from "../shared/experiment";
import { shuffled, randomFor } from "./random";
import { yieldToEventLoop } from "./yield";
import type { Tf } from "./tf";

export interface Trained {
  model: TF.LayersModel;
  /** Names of the hidden layers whose outputs are the signatures, input side first. */
  hiddenLayers: string[];
}

export function buildModel(tf: Tf, exp: Experiment, inputSize: number, classes: number): Trained {
  const model = tf.sequential();
  const hiddenLayers: string[] = [];
  exp.model.hidden.forEach((units, i) => {
    const name = `dense_${i + 1}`;
    hiddenLayers.push(name);
    model.add(
      tf.layers.dense({
        name,
        units,
        activation: exp.model.activation,
        inputShape: i === 0 ? [inputSize] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: exp.seed * 31 + i }),
        biasInitializer: "zeros",
      }),
    );
  });
  model.add(
    tf.layers.dense({
      name: "output",
      units: classes,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: exp.seed * 31 + exp.model.hidden.length }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(exp.training.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return { model, hiddenLayers };
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  /** Fraction of all batches done, 0..1. */
  fraction: number;
  loss: number;
}

/** Trains in place; checks `signal` between batches so a cancel lands within one batch. */
export async function train(
  tf: Tf,
  trained: Trained,
  exp: Experiment,
  x: Float32Array,
  y: Float32Array,
  count: number,
  onProgress: (p: TrainProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const inputSize = x.length / count;
  const classes = y.length / count;
  const { epochs, batchSize } = exp.training;
  const batches = Math.ceil(count / batchSize);
  const random = randomFor(exp.seed, "shuffle");
  const order = Array.from({ length: count }, (_, i) => i);
  let lastYield = performance.now();
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = shuffled(order, random);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      // TF.js resolves its promises as microtasks, which starve the event loop: without a real
      // turn now and then, a cancel message or Ctrl+C would wait for the end of training.
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      signal?.throwIfAborted();
      const rows = perm.slice(b * batchSize, (b + 1) * batchSize);
      const bx = new Float32Array(rows.length * inputSize);
      const by = new Float32Array(rows.length * classes);
      rows.forEach((r, i) => {
        bx.set(x.subarray(r * inputSize, (r + 1) * inputSize), i * inputSize);
        by.set(y.subarray(r * classes, (r + 1) * classes), i * classes);
      });
      const xs = tf.tensor2d(bx, [rows.length, inputSize]);
      const ys = tf.tensor2d(by, [rows.length, classes]);
      const out = await trained.model.trainOnBatch(xs, ys);
      xs.dispose();
      ys.dispose();
      lossSum += Array.isArray(out) ? out[0] : out;
      if (b % 8 === 7 || b === batches - 1) {
        onProgress({ epoch: epoch + 1, epochs, fraction: (epoch * batches + b + 1) / (epochs * batches), loss: lossSum / (b + 1) });
      }
    }
  }
}

export interface Activations {
  /** Per hidden layer: count x size values, row-major. */
  hidden: Float32Array[];
  sizes: number[];
  /** count x classes softmax outputs. */
  output: Float32Array;
}

/** Every hidden layer's output and the softmax for `count` images, in batches to bound memory. */
export async function activations(tf: Tf, trained: Trained, x: Float32Array, count: number): Promise<Activations> {
  const inputSize = count > 0 ? x.length / count : 0;
  const layers = trained.hiddenLayers.map((n) => trained.model.getLayer(n));
  const probe = tf.model({ inputs: trained.model.inputs, outputs: [...layers.map((l) => l.output as TF.SymbolicTensor), trained.model.outputs[0]] });
  const sizes = layers.map((l) => (l.outputShape as number[])[1]);
  const classes = (trained.model.outputs[0].shape as number[])[1];
  const hidden = sizes.map((s) => new Float32Array(count * s));
  const output = new Float32Array(count * classes);
  const step = 4096;
  for (let start = 0; start < count; start += step) {
    const n = Math.min(step, count - start);
    const outs = tf.tidy(() => probe.predict(tf.tensor2d(x.subarray(start * inputSize, (start + n) * inputSize), [n, inputSize])) as TF.Tensor[]);
    for (let l = 0; l < sizes.length; l++) hidden[l].set(await outs[l].data(), start * sizes[l]);
    output.set(await outs[sizes.length].data(), start * classes);
    outs.forEach((t) => t.dispose());
  }
  return { hidden, sizes, output };
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
