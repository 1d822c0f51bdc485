// Training of a stack of dense layers ending in a softmax (the experiments' `model.kind: "dense"`),
// one fused step per batch over typed arrays instead of TF.js's kernels: at batch 32 this small net
// spends most of its time in TF.js's per-batch overhead (`npm run bench:train` measures both). The
// step computes what model.trainOnBatch does with the model's compiled optimizer and loss: the same
// forward pass, categorical cross-entropy with TF.js's clipping and its gradient through it, and
// tf.train.adam's update with its beta1, beta2 and epsilon. The first layer reads only each image's
// non-zero inputs (most of an MNIST digit is background). The sums and Adam run in WebAssembly
// (denseKernel.wat: float64 arithmetic on float32 values, two units or images at a time, each sum
// in its own lane and in the order of the JavaScript loops it replaced, so the same bits); the
// activations, the softmax and the loss in JavaScript (they call Math.exp, Math.log and the like,
// which the kernel has no copy of). Neither depends on TF.js's backend: the same seed gives the same
// weights on every one.
import type * as TF from "@tensorflow/tfjs";
import { denseKernel, type DenseKernel } from "./denseKernel";
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
  /** batch x units (and a spare row for deltaBelow's odd batch): the layer's output, then (backward) the loss's gradient at its pre-activation. */
  out: Float32Array;
  delta: Float32Array;
  /** The delta transposed, units x batch, for deltaBelow. */
  deltaT: Float32Array;
  tfLayer: TF.layers.Layer;
}

/**
 * Typed arrays in the kernel's memory, each 16-byte aligned. Without a buffer it only counts (its
 * arrays are empty): the trainer asks for its arrays twice, to size the memory, then in it (a
 * memory that grows would detach the arrays made before).
 */
class Arena {
  bytes = 0;

  constructor(private readonly buffer?: ArrayBuffer) {}

  f32(length: number): Float32Array {
    const at = this.take(length * 4);
    return this.buffer ? new Float32Array(this.buffer, at, length) : new Float32Array(0);
  }

  f64(length: number): Float64Array {
    const at = this.take(length * 8);
    return this.buffer ? new Float64Array(this.buffer, at, length) : new Float64Array(0);
  }

  i32(length: number): Int32Array {
    const at = this.take(length * 4);
    return this.buffer ? new Int32Array(this.buffer, at, length) : new Int32Array(0);
  }

  u16(length: number): Uint16Array {
    const at = this.take(length * 2);
    return this.buffer ? new Uint16Array(this.buffer, at, length) : new Uint16Array(0);
  }

  u8(length: number): Uint8Array {
    const at = this.take(length);
    return this.buffer ? new Uint8Array(this.buffer, at, length) : new Uint8Array(0);
  }

  private take(bytes: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(bytes / 16) * 16;
    if (this.buffer && this.bytes > this.buffer.byteLength) throw new RangeError("the dense trainer's memory is smaller than its arrays");
    return at;
  }
}

/**
 * A batch's inputs to a layer, the non-zero values only, by row (image) and by column (input):
 * a ReLU layer's outputs are half zeros and an MNIST image's four fifths, and a zero adds nothing
 * to the outputs or to the kernel's gradient. The kernel fills it: sparseRows from the layer below's
 * outputs, gatherRows (the first layer's) from the images' non-zeros found once, byColumn by column.
 */
class SparseBatch {
  readonly rowStart: Int32Array;
  readonly index: Int32Array;
  readonly value: Float32Array;
  readonly colStart: Int32Array;
  readonly colRow: Int32Array;
  readonly colValue: Float32Array;

  constructor(
    arena: Arena,
    batchSize: number,
    readonly width: number,
  ) {
    this.rowStart = arena.i32(batchSize + 1);
    this.index = arena.i32(batchSize * width);
    this.value = arena.f32(batchSize * width);
    this.colStart = arena.i32(width + 1);
    this.colRow = arena.i32(batchSize * width);
    this.colValue = arena.f32(batchSize * width);
  }
}

interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
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

function adamSettings(model: TF.LayersModel): AdamSettings {
  const config = model.optimizer?.getConfig() as Partial<AdamSettings> | undefined;
  const { learningRate, beta1, beta2, epsilon } = config ?? {};
  if (typeof learningRate !== "number" || typeof beta1 !== "number" || typeof beta2 !== "number" || typeof epsilon !== "number") {
    throw new TypeError("the dense trainer needs a model compiled with tf.train.adam");
  }
  return { learningRate, beta1, beta2, epsilon };
}

/** A model layer the trainer can train: its size, activation and initial weights. */
interface DenseShape {
  inputs: number;
  units: number;
  activation: Layer["activation"];
  kernel: Float32Array;
  bias: Float32Array;
  tfLayer: TF.layers.Layer;
}

/** The model's layers, checked to be dense layers with biases ending in a softmax over `classes`. */
function denseShapes(model: TF.LayersModel, inputSize: number, classes: number): DenseShape[] {
  let inputs = inputSize;
  const shapes = model.layers.map((tfLayer, l) => {
    const activation = (tfLayer.getConfig() as { activation?: string }).activation;
    const last = l === model.layers.length - 1;
    const known = last ? activation === "softmax" : HIDDEN_ACTIVATIONS.includes(activation as HiddenActivation);
    if (tfLayer.getClassName() !== "Dense" || !known || !(tfLayer.getConfig() as { useBias?: boolean }).useBias) {
      throw new TypeError(`the dense trainer trains dense layers ending in a softmax: layer ${tfLayer.name} is not one`);
    }
    const [kernelTensor, biasTensor] = tfLayer.getWeights();
    const kernel = kernelTensor.dataSync() as Float32Array;
    const bias = biasTensor.dataSync() as Float32Array;
    const units = bias.length;
    if (kernel.length !== inputs * units)
      throw new TypeError(`layer ${tfLayer.name}: kernel of ${kernel.length} values, expected ${inputs} x ${units}`);
    const shape: DenseShape = { inputs, units, activation: activation as Layer["activation"], kernel, bias, tfLayer };
    inputs = units;
    return shape;
  });
  if (inputs !== classes) throw new TypeError(`the model has ${inputs} outputs for ${classes} classes`);
  return shapes;
}

/** Every image's non-zero inputs, found once: image r's are entries start[r] .. start[r + 1] - 1 of index and value. */
interface SparseImages {
  start: Int32Array;
  /** uint16 while the inputs' indices fit (an MNIST image's 784 do): a third less memory than int32. */
  index: Uint16Array | Int32Array;
  value: Float32Array;
}

/**
 * The number of non-zero values in x, from their bits without a branch: a float is zero (+0 or
 * -0) when its bits but the sign's are, and (b | -b) >>> 31 is 1 for any other b. Half the CPU
 * time of comparing each float with 0 on all of MNIST (70 against 135 ms), where most are zeros.
 */
function nonZeros(x: Float32Array): number {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  let count = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i] << 1;
    count += (b | -b) >>> 31;
  }
  return count;
}

/**
 * The trainer's arrays in `arena`: its layers' (the weights left to fill), the widest layer's
 * float64 sums, the images' non-zeros and a batch's image numbers.
 */
function arraysIn(arena: Arena, shapes: DenseShape[], batchSize: number, count: number, nonZero: number) {
  // A spare row in out and delta: deltaBelow works on an even number of images.
  const rows = batchSize + 1;
  const layers = shapes.map(({ inputs, units, activation, tfLayer }): Layer => {
    const layer: Layer = {
      inputs,
      units,
      activation,
      kernel: arena.f32(inputs * units),
      bias: arena.f32(units),
      biasGrad: arena.f64(units),
      kernelM: arena.f32(inputs * units),
      kernelV: arena.f32(inputs * units),
      biasM: arena.f32(units),
      biasV: arena.f32(units),
      input: new SparseBatch(arena, batchSize, inputs),
      seen: arena.u8(inputs),
      out: arena.f32(rows * units),
      delta: arena.f32(rows * units),
      deltaT: arena.f32(rows * units),
      tfLayer,
    };
    return layer;
  });
  const images: SparseImages = {
    start: arena.i32(count + 1),
    index: wideIndex(shapes[0].inputs) ? arena.i32(nonZero) : arena.u16(nonZero),
    value: arena.f32(nonZero),
  };
  return { layers, sums: arena.f64(Math.max(...shapes.map((s) => s.units))), images, batch: arena.i32(batchSize) };
}

function wideIndex(inputs: number): boolean {
  return inputs > 65536;
}

/** Trains a sequential stack of TF.js dense layers ending in a softmax, from the model's current weights. */
export class DenseTrainer {
  private steps = 0;

  private constructor(
    private readonly tf: Tf,
    private readonly wasm: DenseKernel,
    private readonly layers: Layer[],
    /** One row's sums, in float64 before they are stored. */
    private readonly sums: Float64Array,
    private readonly adam: AdamSettings,
    private readonly classes: number,
    private readonly y: Float32Array,
    private readonly images: SparseImages,
    /** The batch's image numbers, for gatherRows. */
    private readonly batch: Int32Array,
  ) {}

  /** A trainer for `model` (compiled with tf.train.adam) on `count` images x with one-hot labels y. */
  static async create(
    tf: Tf,
    model: TF.LayersModel,
    x: Float32Array,
    y: Float32Array,
    count: number,
    batchSize: number,
  ): Promise<DenseTrainer> {
    const adam = adamSettings(model);
    const inputSize = x.length / count;
    const classes = y.length / count;
    const shapes = denseShapes(model, inputSize, classes);
    const nonZero = nonZeros(x);
    const counter = new Arena();
    arraysIn(counter, shapes, batchSize, count, nonZero);
    const kernel = await denseKernel(counter.bytes);
    const { layers, sums, images, batch } = arraysIn(new Arena(kernel.memory.buffer), shapes, batchSize, count, nonZero);
    layers.forEach((layer, l) => {
      layer.kernel.set(shapes[l].kernel);
      layer.bias.set(shapes[l].bias);
    });
    const { start, index, value } = images;
    let k = 0;
    for (let r = 0; r < count; r++) {
      start[r] = k;
      for (let i = 0; i < inputSize; i++) {
        const v = x[r * inputSize + i];
        if (v !== 0) {
          index[k] = i;
          value[k++] = v;
        }
      }
    }
    start[count] = k;
    return new DenseTrainer(tf, kernel, layers, sums, adam, classes, y, images, batch);
  }

  /** One Adam step on the images order[start..end); returns the batch's mean loss. */
  step(order: ArrayLike<number>, start: number, end: number): number {
    const n = end - start;
    const { images, batch } = this;
    for (let s = 0; s < n; s++) batch[s] = order[start + s];
    const first = this.layers[0];
    this.wasm.gatherRows(
      batch.byteOffset,
      n,
      images.start.byteOffset,
      images.index.byteOffset,
      images.value.byteOffset,
      wideIndex(first.inputs) ? 1 : 0,
      first.input.rowStart.byteOffset,
      first.input.index.byteOffset,
      first.input.value.byteOffset,
    );
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

  /** Each layer's outputs: bias + its non-zero inputs times the kernel (in the kernel), then the activation. */
  private forward(n: number): void {
    this.layers.forEach((layer, l) => {
      const { input } = layer;
      if (l > 0) {
        const below = this.layers[l - 1];
        this.wasm.sparseRows(
          below.out.byteOffset,
          n,
          below.units,
          input.rowStart.byteOffset,
          input.index.byteOffset,
          input.value.byteOffset,
        );
      }
      this.wasm.timesKernel(
        input.rowStart.byteOffset,
        input.index.byteOffset,
        input.value.byteOffset,
        n,
        layer.kernel.byteOffset,
        layer.bias.byteOffset,
        layer.out.byteOffset,
        layer.units,
        this.sums.byteOffset,
      );
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

  /**
   * Back-propagation and Adam's step, layer by layer from the output: a layer's kernel is updated
   * once the layer below's gradient is computed from it. The kernel's gradient is summed per
   * input over the images where it is non-zero, and Adam steps each row as it is done.
   */
  private backward(n: number, a: AdamStep): void {
    const { wasm, sums } = this;
    const { beta1, beta2, rate, correction2, epsilon } = a;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      const { units, delta, biasGrad, input } = layer;
      wasm.biasGradient(delta.byteOffset, n, units, biasGrad.byteOffset);
      if (l > 0) {
        const below = this.layers[l - 1];
        wasm.deltaBelow(
          delta.byteOffset,
          layer.deltaT.byteOffset,
          n,
          units,
          layer.kernel.byteOffset,
          below.out.byteOffset,
          below.delta.byteOffset,
          layer.inputs,
          HIDDEN_ACTIVATIONS.indexOf(below.activation as HiddenActivation),
        );
      }
      wasm.byColumn(
        input.rowStart.byteOffset,
        input.index.byteOffset,
        input.value.byteOffset,
        n,
        layer.inputs,
        input.colStart.byteOffset,
        input.colRow.byteOffset,
        input.colValue.byteOffset,
      );
      wasm.kernelStep(
        input.colStart.byteOffset,
        input.colRow.byteOffset,
        input.colValue.byteOffset,
        layer.inputs,
        layer.seen.byteOffset,
        delta.byteOffset,
        units,
        layer.kernel.byteOffset,
        layer.kernelM.byteOffset,
        layer.kernelV.byteOffset,
        sums.byteOffset,
        beta1,
        beta2,
        rate,
        correction2,
        epsilon,
      );
      wasm.adam(
        layer.bias.byteOffset,
        biasGrad.byteOffset,
        layer.biasM.byteOffset,
        layer.biasV.byteOffset,
        units,
        beta1,
        beta2,
        rate,
        correction2,
        epsilon,
      );
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
