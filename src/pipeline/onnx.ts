// The user's ONNX classifier (`model.kind: "onnx"`) on onnxruntime's CPU provider: one session whose
// graph also outputs the hidden layers, so one inference pass gives an image's every signature and
// its prediction. src/check/model.ts checked the file, its input, output, layers and operators.
import { dirname, resolve } from "node:path";
import { modelFileProblem } from "../check/model";
import { DataFileError } from "../data/dataFileError";
import { defaultOnnxLayers, layerTensor, onnxFeed, onnxSession, readOnnxGraph, type OnnxFeed } from "../data/onnxModel";
import type { OnnxTensorData } from "../data/onnxMessages";
import { ExperimentError } from "../shared/problems";
import { signaturesOf, signatureWidth } from "../data/signatures";
import type { Activations } from "./model";
import type { ModelOf } from "./network";

export interface OnnxClassifier {
  kind: "onnx";
  /** The tensors whose values are the signatures, input side first, as the experiment names them (or the default). */
  hiddenLayers: string[];
  trainable: false;
  /** Every hidden layer's signature and the probabilities for `count` images (pixels in [0, 1], rows x cols x channels each). */
  activations(x: Float32Array, count: number, signatures?: boolean): Promise<Activations>;
  dispose(): Promise<void>;
}

export interface OnnxImage {
  rows: number;
  cols: number;
  channels: number;
}

/** Images per inference call when the model leaves the batch free. */
const BATCH = 128;

/** One image's pixels (HWC, scaled so that `toUnit` maps them to [0, 1]) into the model's layout, normalised per channel. */
function feedImage(
  x: Float32Array,
  out: Float32Array,
  at: number,
  image: OnnxImage,
  feed: OnnxFeed,
  toUnit: number,
  norm: { mean: number[]; std: number[] },
) {
  const { rows, cols, channels } = image;
  const plane = rows * cols;
  const mean = (c: number) => norm.mean[norm.mean.length === 1 ? 0 : c];
  const std = (c: number) => norm.std[norm.std.length === 1 ? 0 : c];
  // Channels first for N x C x H x W, and for a flat input too: PyTorch flattens a C x H x W tensor.
  const channelsFirst = feed.layout === "nchw" || feed.layout === "flat";
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) {
      const v = (x[p * channels + c] * toUnit - mean(c)) / std(c);
      out[at + (channelsFirst ? c * plane + p : p * channels + c)] = v;
    }
  }
}

/**
 * The rows as probabilities: kept when `output` says so, or ("auto") when every row lies in [0, 1]
 * and sums to 1 within 1e-3; otherwise each row's softmax (logits, or log-probabilities).
 */
export function probabilities(rows: Float32Array, classes: number, output: "auto" | "probabilities" | "logits"): Float32Array {
  const count = rows.length / classes;
  if (output === "probabilities") return rows;
  if (output === "auto") {
    let already = true;
    for (let i = 0; i < count && already; i++) {
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const v = rows[i * classes + c];
        if (!(v >= 0 && v <= 1)) already = false;
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-3) already = false;
    }
    if (already) return rows;
  }
  const out = new Float32Array(rows.length);
  for (let i = 0; i < count; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, rows[i * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[i * classes + c] = Math.exp(rows[i * classes + c] - max);
    for (let c = 0; c < classes; c++) out[i * classes + c] /= sum;
  }
  return out;
}

/**
 * The ONNX model ready to analyse, its session in a process of bounded memory that `signal` ends. `pixelScale` is the largest pixel value the pipeline divided
 * the pixels by: the model gets them divided by 255 instead, as torchvision's ToTensor() does.
 */
export async function loadOnnxModel(
  spec: ModelOf<"onnx">,
  experimentFile: string,
  image: OnnxImage,
  pixelScale: number,
  signal?: AbortSignal,
): Promise<OnnxClassifier> {
  const graph = readOnnxGraph(resolve(dirname(experimentFile), spec.path));
  const hiddenLayers = spec.layers ?? defaultOnnxLayers(graph);
  const tensors = hiddenLayers.map((name) => layerTensor(graph, name)!);
  const input = graph.inputs[0];
  const feed = onnxFeed(input.shape, image)!;
  const outputName = graph.outputs[0].name;
  const norm = spec.normalize ?? { mean: [0], std: [1] };
  const toUnit = pixelScale / 255;
  const perImage = image.rows * image.cols * image.channels;
  const step = feed.batch ?? BATCH;
  // A model past its memory bound is refused as the checks refuse it: the file, the bound, the fix.
  const refused = (e: unknown) => (e instanceof DataFileError ? new ExperimentError([modelFileProblem(e, experimentFile)]) : e);
  const session = await onnxSession(graph, tensors, { batchValues: step * perImage, signal }).catch((e: unknown) => {
    throw refused(e);
  });

  const infer = async (x: Float32Array, start: number, n: number, fetch: string[]): Promise<Record<string, OnnxTensorData>> => {
    // A model with a fixed batch gets full batches, the last one padded with blank images.
    const rows = feed.batch ?? n;
    const data = new Float32Array(rows * perImage);
    for (let i = 0; i < n; i++)
      feedImage(x.subarray((start + i) * perImage, (start + i + 1) * perImage), data, i * perImage, image, feed, toUnit, norm);
    return session.run(input.name, { data, dims: [rows, ...feed.shape] }, fetch).catch((e: unknown) => {
      throw refused(e);
    });
  };
  // One blank image says what each output holds per image. Should it fail, the session's process
  // ends here: the caller gets no model to dispose, and a live process would keep the CLI running.
  let classes: number;
  let sizes: number[];
  try {
    const probe = await infer(new Float32Array(perImage), 0, 1, [...tensors, outputName]);
    classes = signatureWidth(probe[outputName].dims, "flatten");
    sizes = tensors.map((t) => signatureWidth(probe[t].dims, spec.convSignature));
  } catch (e) {
    await session.release();
    throw e;
  }

  return {
    kind: "onnx",
    hiddenLayers,
    trainable: false,
    async activations(x, count, signatures = true) {
      const fetched = signatures ? tensors : [];
      const hidden = fetched.map((_, l) => new Float32Array(count * sizes[l]));
      const raw = new Float32Array(count * classes);
      for (let start = 0; start < count; start += step) {
        const n = Math.min(step, count - start);
        const out = await infer(x, start, n, [...fetched, outputName]);
        fetched.forEach((t, l) => {
          const { data, dims } = out[t];
          // Rows past n are the padding of a fixed batch.
          const rows = [n, ...dims.slice(1)];
          hidden[l].set(signaturesOf(data.subarray(0, (data.length / dims[0]) * n), rows, spec.convSignature), start * sizes[l]);
        });
        raw.set(out[outputName].data.subarray(0, n * classes), start * classes);
      }
      return { hidden, sizes: signatures ? sizes : [], output: probabilities(raw, classes, spec.output) };
    },
    dispose: () => session.release(),
  };
}
