// Training of a stack of dense layers ending in a softmax (the experiments' `model.kind: "dense"`),
// one fused step per batch over typed arrays instead of TF.js's kernels: at batch 32 this small net
// spends most of its time in TF.js's per-batch overhead (`npm run bench:train` measures both). The
// step computes what model.trainOnBatch does with the model's compiled optimizer and loss: the same
// forward pass, categorical cross-entropy with TF.js's clipping and its gradient through it, and
// tf.train.adam's update with its beta1, beta2 and epsilon. The first layer reads only each image's
// non-zero inputs (most of an MNIST digit is background). Plain JavaScript: the same seed gives the
// same weights on every TF.js backend.
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "./tf";

/** The fuzz factor of tfjs-layers' losses (its backend `epsilon()`): probabilities are clipped to [EPSILON, 1 - EPSILON]. */
const LOSS_EPSILON = 1e-7;
const CLIP_LOW = Math.fround(LOSS_EPSILON);
const CLIP_HIGH = Math.fround(1 - LOSS_EPSILON);
// TF.js's selu constants (tfjs-core's selu_util).
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALEALPHA = 1.7580993408473768;

const HIDDEN_ACTIVATIONS = ["relu", "tanh", "sigmoid", "elu", "selu", "linear"] as const;
type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

interface Layer {
  inputs: number;
  units: number;
  activation: HiddenActivation | "softmax";
  /** inputs x units, row-major: TF.js's kernel layout. */
  kernel: Float32Array;
  bias: Float32Array;
  biasGrad: Float64Array;
  /** Adam's first and second moments, kernel then bias. */
  kernelM: Float32Array;
  kernelV: Float32Array;
  biasM: Float32Array;
  biasV: Float32Array;
  /** The batch's inputs to this layer, non-zeros only. */
  input: SparseBatch;
  /** 1 for an input that has been non-zero in a batch: the others' kernel rows have zero moments, and Adam leaves them as they are. */
  seen: Uint8Array;
  /** batch x units: the layer's output, then (backward) the loss's gradient at its pre-activation. */
  out: Float32Array;
  delta: Float32Array;
  tfLayer: TF.layers.Layer;
}

/**
 * A batch's inputs to a layer, the non-zero values only, by row (image) and by column (input):
 * a ReLU layer's outputs are half zeros and an MNIST image's four fifths, and a zero adds nothing
 * to the outputs or to the kernel's gradient.
 */
class SparseBatch {
  readonly rowStart: Int32Array;
  readonly index: Int32Array;
  readonly value: Float32Array;
  readonly colStart: Int32Array;
  readonly colRow: Int32Array;
  readonly colValue: Float32Array;
  private rows = 0;

  constructor(
    batchSize: number,
    readonly width: number,
  ) {
    this.rowStart = new Int32Array(batchSize + 1);
    this.index = new Int32Array(batchSize * width);
    this.value = new Float32Array(batchSize * width);
    this.colStart = new Int32Array(width + 1);
    this.colRow = new Int32Array(batchSize * width);
    this.colValue = new Float32Array(batchSize * width);
  }

  /** Starts a batch. */
  clear(): void {
    this.rows = 0;
  }

  /** Appends a row: source[offset..offset + width). */
  push(source: Float32Array, offset: number): void {
    const { index, value, width } = this;
    let k = this.rowStart[this.rows];
    for (let i = 0; i < width; i++) {
      const v = source[offset + i];
      if (v !== 0) {
        index[k] = i;
        value[k] = v;
        k++;
      }
    }
    this.rowStart[++this.rows] = k;
  }

  /** Appends a row given by its non-zero entries: index[from..to) and value[from..to). */
  pushEntries(index: Uint16Array | Int32Array, value: Float32Array, from: number, to: number): void {
    const k = this.rowStart[this.rows];
    for (let e = from; e < to; e++) this.index[k + e - from] = index[e];
    this.value.set(value.subarray(from, to), k);
    this.rowStart[++this.rows] = k + to - from;
  }

  /** Builds the by-column copy (a counting sort of the entries by input). */
  byColumn(): void {
    const { colStart, colRow, colValue, index, value, rowStart, width } = this;
    colStart.fill(0);
    const end = rowStart[this.rows];
    for (let k = 0; k < end; k++) colStart[index[k] + 1]++;
    for (let i = 0; i < width; i++) colStart[i + 1] += colStart[i];
    for (let s = 0; s < this.rows; s++) {
      for (let k = rowStart[s]; k < rowStart[s + 1]; k++) {
        const at = colStart[index[k]]++;
        colRow[at] = s;
        colValue[at] = value[k];
      }
    }
    // The filling moved each column's start to the next one's: shift back.
    for (let i = width; i > 0; i--) colStart[i] = colStart[i - 1];
    colStart[0] = 0;
  }
}

interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The activation's derivative from its output `y` (every hidden activation's is a function of its output). */
function derivative(activation: HiddenActivation, y: number): number {
  switch (activation) {
    case "relu":
      return y > 0 ? 1 : 0;
    case "tanh":
      return 1 - y * y;
    case "sigmoid":
      return y * (1 - y);
    case "elu":
      return y >= 0 ? 1 : y + 1;
    case "selu":
      return y > 0 ? SELU_SCALE : y + SELU_SCALEALPHA;
    case "linear":
      return 1;
  }
}

function activate(activation: HiddenActivation, values: Float32Array, length: number): void {
  switch (activation) {
    case "relu":
      for (let i = 0; i < length; i++) if (values[i] < 0) values[i] = 0;
      return;
    case "tanh":
      for (let i = 0; i < length; i++) values[i] = Math.tanh(values[i]);
      return;
    case "sigmoid":
      for (let i = 0; i < length; i++) values[i] = 1 / (1 + Math.exp(-values[i]));
      return;
    case "elu":
      for (let i = 0; i < length; i++) if (values[i] < 0) values[i] = Math.expm1(values[i]);
      return;
    case "selu":
      for (let i = 0; i < length; i++) {
        const v = values[i];
        values[i] = v > 0 ? SELU_SCALE * v : SELU_SCALEALPHA * Math.expm1(v);
      }
      return;
    case "linear":
      return;
  }
}

/** tf.train.adam's update at one step: its settings and the step's bias corrections, as factors. */
interface AdamStep {
  beta1: number;
  beta2: number;
  /** -learningRate / (1 - beta1^t) */
  rate: number;
  /** 1 / (1 - beta2^t) */
  correction2: number;
  epsilon: number;
}

/** Adam on param[at..at + length) with the gradient grad[0..length) (tf.train.adam's formulas). */
function adam(param: Float32Array, at: number, grad: Float64Array, m: Float32Array, v: Float32Array, length: number, a: AdamStep): void {
  const { beta1, beta2, rate, correction2, epsilon } = a;
  for (let j = 0; j < length; j++) {
    const g = grad[j];
    const i = at + j;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] += (rate * mi) / (Math.sqrt(vi * correction2) + epsilon);
  }
}

function adamSettings(model: TF.LayersModel): AdamSettings {
  const config = model.optimizer?.getConfig() as Partial<AdamSettings> | undefined;
  const { learningRate, beta1, beta2, epsilon } = config ?? {};
  if (typeof learningRate !== "number" || typeof beta1 !== "number" || typeof beta2 !== "number" || typeof epsilon !== "number") {
    throw new TypeError("the dense trainer needs a model compiled with tf.train.adam");
  }
  return { learningRate, beta1, beta2, epsilon };
}

/** Trains a sequential stack of TF.js dense layers ending in a softmax, from the model's current weights. */
export class DenseTrainer {
  private readonly layers: Layer[];
  private readonly adam: AdamSettings;
  private readonly inputSize: number;
  private readonly classes: number;
  /** One row's sums, in float64 before they are stored. */
  private readonly sums: Float64Array;
  /** Every image's non-zero inputs, found once: image r's are entries xStart[r] .. xStart[r + 1] - 1. */
  private readonly xStart: Float64Array;
  private readonly xIndex: Uint16Array | Int32Array;
  private readonly xValue: Float32Array;
  private steps = 0;

  constructor(
    private readonly tf: Tf,
    model: TF.LayersModel,
    x: Float32Array,
    private readonly y: Float32Array,
    count: number,
    batchSize: number,
  ) {
    this.adam = adamSettings(model);
    this.inputSize = x.length / count;
    this.classes = y.length / count;
    let inputs = this.inputSize;
    let widest = 0;
    this.layers = model.layers.map((tfLayer, l) => {
      const activation = (tfLayer.getConfig() as { activation?: string }).activation;
      const last = l === model.layers.length - 1;
      const known = last ? activation === "softmax" : HIDDEN_ACTIVATIONS.includes(activation as HiddenActivation);
      if (tfLayer.getClassName() !== "Dense" || !known || !(tfLayer.getConfig() as { useBias?: boolean }).useBias) {
        throw new TypeError(`the dense trainer trains dense layers ending in a softmax: layer ${tfLayer.name} is not one`);
      }
      const [kernelTensor, biasTensor] = tfLayer.getWeights();
      const kernel = new Float32Array(kernelTensor.dataSync());
      const bias = new Float32Array(biasTensor.dataSync());
      const units = bias.length;
      if (kernel.length !== inputs * units)
        throw new TypeError(`layer ${tfLayer.name}: kernel of ${kernel.length} values, expected ${inputs} x ${units}`);
      widest = Math.max(widest, units);
      const layer: Layer = {
        inputs,
        units,
        activation: activation as Layer["activation"],
        kernel,
        bias,
        biasGrad: new Float64Array(units),
        kernelM: new Float32Array(kernel.length),
        kernelV: new Float32Array(kernel.length),
        biasM: new Float32Array(units),
        biasV: new Float32Array(units),
        input: new SparseBatch(batchSize, inputs),
        seen: new Uint8Array(inputs),
        out: new Float32Array(batchSize * units),
        delta: new Float32Array(batchSize * units),
        tfLayer,
      };
      inputs = units;
      return layer;
    });
    if (inputs !== this.classes) throw new TypeError(`the model has ${inputs} outputs for ${this.classes} classes`);
    this.sums = new Float64Array(widest);
    let nonZero = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonZero++;
    this.xStart = new Float64Array(count + 1);
    this.xIndex = this.inputSize <= 65536 ? new Uint16Array(nonZero) : new Int32Array(nonZero);
    this.xValue = new Float32Array(nonZero);
    let k = 0;
    for (let r = 0; r < count; r++) {
      this.xStart[r] = k;
      for (let i = 0; i < this.inputSize; i++) {
        const v = x[r * this.inputSize + i];
        if (v !== 0) {
          this.xIndex[k] = i;
          this.xValue[k++] = v;
        }
      }
    }
    this.xStart[count] = k;
  }

  /** One Adam step on the images order[start..end); returns the batch's mean loss. */
  step(order: ArrayLike<number>, start: number, end: number): number {
    const n = end - start;
    const first = this.layers[0].input;
    first.clear();
    for (let s = 0; s < n; s++) {
      const r = order[start + s];
      first.pushEntries(this.xIndex, this.xValue, this.xStart[r], this.xStart[r + 1]);
    }
    this.forward(n);
    const loss = this.lossGradient(order, start, n);
    this.steps++;
    const { learningRate, beta1, beta2, epsilon } = this.adam;
    this.backward(n, {
      beta1,
      beta2,
      epsilon,
      rate: -learningRate / (1 - beta1 ** this.steps),
      correction2: 1 / (1 - beta2 ** this.steps),
    });
    return loss;
  }

  /** Writes the weights into the TF.js model: signatures, snapshots and saving read them there. */
  writeBack(): void {
    for (const layer of this.layers) {
      const kernel = this.tf.tensor2d(layer.kernel, [layer.inputs, layer.units]);
      const bias = this.tf.tensor1d(layer.bias);
      layer.tfLayer.setWeights([kernel, bias]);
      kernel.dispose();
      bias.dispose();
    }
  }

  private forward(n: number): void {
    this.layers.forEach((layer, l) => {
      if (l > 0) {
        const below = this.layers[l - 1];
        layer.input.clear();
        for (let s = 0; s < n; s++) layer.input.push(below.out, s * below.units);
      }
      timesKernel(layer, n, this.sums);
      if (layer.activation === "softmax") softmax(layer.out, n, layer.units);
      else activate(layer.activation, layer.out, n * layer.units);
    });
  }

  /**
   * The batch's mean categorical cross-entropy, and its gradient at the softmax's input in the
   * last layer's delta: the chain rule through tfjs-layers' loss as written (the outputs divided
   * by their sum, clipped, logged), so a clipped probability passes no gradient, as in TF.js.
   */
  private lossGradient(order: ArrayLike<number>, start: number, n: number): number {
    const { y, classes } = this;
    const last = this.layers[this.layers.length - 1];
    const p = last.out;
    const delta = last.delta;
    let loss = 0;
    for (let s = 0; s < n; s++) {
      const row = s * classes;
      const target = order[start + s] * classes;
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += p[row + c];
      // d loss / d p, through q = p / sum and log(clip(q)).
      let gp = 0;
      for (let c = 0; c < classes; c++) {
        const t = y[target + c];
        const q = Math.fround(p[row + c] / sum);
        const clipped = Math.min(Math.max(q, CLIP_LOW), CLIP_HIGH);
        loss -= t * Math.log(clipped);
        const g = q >= CLIP_LOW && q <= CLIP_HIGH ? -t / q : 0;
        delta[row + c] = g;
        gp += g * p[row + c];
      }
      // d/dp_c = g_c / sum - sum_k g_k p_k / sum^2; then through the softmax.
      let dot = 0;
      for (let c = 0; c < classes; c++) {
        const d = delta[row + c] / sum - gp / (sum * sum);
        delta[row + c] = d;
        dot += d * p[row + c];
      }
      for (let c = 0; c < classes; c++) delta[row + c] = (p[row + c] * (delta[row + c] - dot)) / n;
    }
    return loss / n;
  }

  /** Back-propagation and Adam's step, layer by layer from the output: a layer's kernel is updated once the layer below's gradient is computed from it. */
  private backward(n: number, a: AdamStep): void {
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const { units, delta, biasGrad } = layer;
      biasGrad.fill(0);
      for (let s = 0; s < n; s++) for (let j = 0; j < units; j++) biasGrad[j] += delta[s * units + j];
      if (l > 0) deltaBelow(layer, this.layers[l - 1], n);
      layer.input.byColumn();
      kernelStep(layer, this.sums, a);
      adam(layer.bias, 0, biasGrad, layer.biasM, layer.biasV, units, a);
    }
  }
}

/** The layer's pre-activations: bias + input x kernel, four non-zero inputs at a time. */
function timesKernel(layer: Layer, n: number, sums: Float64Array): void {
  const { units, kernel, bias, out } = layer;
  const { rowStart, index, value } = layer.input;
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < units; j++) sums[j] = bias[j];
    const end = rowStart[s + 1];
    let k = rowStart[s];
    for (; k + 3 < end; k += 4) {
      const a = value[k];
      const b = value[k + 1];
      const c = value[k + 2];
      const d = value[k + 3];
      const wa = index[k] * units;
      const wb = index[k + 1] * units;
      const wc = index[k + 2] * units;
      const wd = index[k + 3] * units;
      for (let j = 0; j < units; j++) sums[j] += a * kernel[wa + j] + b * kernel[wb + j] + c * kernel[wc + j] + d * kernel[wd + j];
    }
    for (; k < end; k++) {
      const a = value[k];
      const wa = index[k] * units;
      for (let j = 0; j < units; j++) sums[j] += a * kernel[wa + j];
    }
    const row = s * units;
    for (let j = 0; j < units; j++) out[row + j] = sums[j];
  }
}

/** The kernel's gradient row by row (each input's non-zero values times the batch's deltas), and Adam's step on the row. */
function kernelStep(layer: Layer, sums: Float64Array, a: AdamStep): void {
  const { units, kernel, kernelM, kernelV, delta, inputs, seen } = layer;
  const { colStart, colRow, colValue } = layer.input;
  for (let i = 0; i < inputs; i++) {
    const end = colStart[i + 1];
    let k = colStart[i];
    if (k === end && seen[i] === 0) continue;
    seen[i] = 1;
    for (let j = 0; j < units; j++) sums[j] = 0;
    for (; k + 3 < end; k += 4) {
      const a = colValue[k];
      const b = colValue[k + 1];
      const c = colValue[k + 2];
      const d = colValue[k + 3];
      const ra = colRow[k] * units;
      const rb = colRow[k + 1] * units;
      const rc = colRow[k + 2] * units;
      const rd = colRow[k + 3] * units;
      for (let j = 0; j < units; j++) sums[j] += a * delta[ra + j] + b * delta[rb + j] + c * delta[rc + j] + d * delta[rd + j];
    }
    for (; k < end; k++) {
      const a = colValue[k];
      const ra = colRow[k] * units;
      for (let j = 0; j < units; j++) sums[j] += a * delta[ra + j];
    }
    adam(kernel, i * units, sums, kernelM, kernelV, units, a);
  }
}

/** The gradient at the layer below's pre-activation, from the kernel before this step's update. */
function deltaBelow(layer: Layer, below: Layer, n: number): void {
  const { units, kernel, delta, inputs } = layer;
  const activation = below.activation as HiddenActivation;
  for (let s = 0; s < n; s++) {
    const row = s * units;
    for (let i = 0; i < inputs; i++) {
      const at = s * inputs + i;
      const slope = derivative(activation, below.out[at]);
      if (slope === 0) {
        below.delta[at] = 0;
        continue;
      }
      const w = i * units;
      let back = 0;
      for (let j = 0; j < units; j++) back += delta[row + j] * kernel[w + j];
      below.delta[at] = back * slope;
    }
  }
}

function softmax(values: Float32Array, n: number, classes: number): void {
  for (let s = 0; s < n; s++) {
    const row = s * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, values[row + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(values[row + c] - max);
      values[row + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) values[row + c] /= sum;
  }
}
