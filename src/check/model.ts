// The model against the data: a CNN's pooling must leave something of the images, and a saved
// model's files must load and fit (its input the images, its output the kept classes, the layers
// the experiment names). Read without loading the weights.
import { realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { DataFileError } from "../data/dataFileError";
import { modelJsonOf, type ModelJson, type WeightSpec } from "../data/modelJson";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { nearestWord } from "./nearest";
import { onnxModelProblems } from "./onnxModel";

type ModelSpec = ParsedExperiment["model"];
type Saved = Extract<ModelSpec, { kind: "saved" }>;

export interface ImageSize {
  rows: number;
  cols: number;
  /** 1: grey, 3: colour; absent: an image folder without `channels`, whose run reads the images in the channels the model takes. */
  channels?: 1 | 3;
}

/** What the model is checked against; each is absent when the data could not tell it. */
export interface ModelFits {
  image?: ImageSize;
  /** How many classes the experiment keeps: the output units a model needs. */
  classes?: number;
}

export async function modelProblems(model: ModelSpec, file: string, fits: ModelFits): Promise<Problem[]> {
  if (model.kind === "cnn") return fits.image ? poolingProblems(model, file, fits.image) : [];
  if (model.kind === "saved") return savedModelProblems(model, file, fits);
  if (model.kind === "onnx") return onnxModelProblems(model, file, fits);
  return [];
}

/** A problem when pooling would shrink the feature maps to nothing before the last block. */
function poolingProblems(spec: Extract<ModelSpec, { kind: "cnn" }>, file: string, image: ImageSize): Problem[] {
  let [rows, cols] = [image.rows, image.cols];
  for (const [i, block] of spec.conv.entries()) {
    // 'same' convolutions keep the size; pooling divides it, rounding down.
    [rows, cols] = [Math.floor(rows / block.pool), Math.floor(cols / block.pool)];
    if (rows === 0 || cols === 0) {
      return [
        {
          file,
          path: ["model", "conv", i, "pool"],
          message: `after block ${i + 1} the ${image.rows}x${image.cols} images would be pooled down to ${rows}x${cols}`,
          fix: "use fewer blocks, smaller pool sizes or larger images",
        },
      ];
    }
  }
  return [];
}

/** Layer classes whose outputs are signatures by default. */
const SIGNATURE_CLASSES = new Set(["Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv2D", "DepthwiseConv2D", "Flatten"]);

const shapeText = (shape: readonly (number | null)[]) => shape.map((d) => d ?? "any").join("x");

/** "conv2d_1 (Conv2D, 26x26x8)": how a layer is listed to the user. */
export function layerDescription(layer: TF.layers.Layer): string {
  return `${layer.name} (${layer.getClassName()}, ${shapeText((layer.outputShape as (number | null)[]).slice(1))})`;
}

/** Default hidden layers: every Dense, Conv and Flatten layer but the last one, the classifier. */
export function defaultHiddenLayers(model: TF.LayersModel): string[] {
  return model.layers
    .filter((l) => SIGNATURE_CLASSES.has(l.getClassName()))
    .slice(0, -1)
    .map((l) => l.name);
}

/**
 * How the flat pixels feed the model's input: grey [rows*cols], [rows, cols] or [rows, cols, 1];
 * colour [rows*cols*3] or [rows, cols, 3]; either when the channels are not fixed yet.
 */
export function feedShape(input: readonly (number | null)[], image: ImageSize): number[] | undefined {
  const { rows, cols, channels } = image;
  const grey = channels === 3 ? [] : [[rows * cols], [rows, cols], [rows, cols, 1]];
  const colour = channels === 1 ? [] : [[rows * cols * 3], [rows, cols, 3]];
  return [...grey, ...colour].find((c) => c.length === input.length && c.every((d, i) => d === input[i]));
}

function inputProblem(file: string, modelFile: string, input: readonly (number | null)[], image: ImageSize): Problem {
  const { rows, cols } = image;
  const channels = image.channels ?? 1;
  const taken = input.length === 3 ? input[2] : 1;
  const channelHint =
    taken !== channels
      ? `; MTQ feeds ${channels === 3 ? "3 colour channels" : "one grey channel"} and this model takes ${taken ?? "any number"}`
      : "";
  const size = input.length >= 2 ? `${input[0] ?? "any"}x${input[1] ?? "any"}` : `${input[0]} pixels`;
  const images =
    channels === 3
      ? `${rows}x${cols} in colour (${rows}x${cols}x3, or ${rows * cols * 3} values flattened)`
      : `${rows}x${cols} grey (${rows}x${cols}x1, or ${rows * cols} values flattened)`;
  const shapes = channels === 3 ? `${rows}x${cols}x3 or ${rows * cols * 3}` : `${rows}x${cols}x1, ${rows}x${cols} or ${rows * cols}`;
  return {
    file,
    path: ["model", "path"],
    message: `the model ${modelFile} takes inputs of shape ${shapeText(input)} but the images are ${images}${channelHint}`,
    fix:
      `use a model whose input is ${shapes}, or images of its size (${size}: an image folder's "size")` +
      (taken !== channels && (taken === 1 || taken === 3) ? `; an image folder reads ${taken} channels with "channels": ${taken}` : ""),
  };
}

/** A problem of a model file (model.json or a weight file), said on model.path. */
export function modelFileProblem(e: DataFileError, file: string): Problem {
  return { file: e.file, path: ["model", "path"], message: e.message, fix: `${e.fix} (named by ${file})` };
}

/** Bytes per value of a weight as stored (quantized weights are stored narrower); undefined for strings, whose size varies. */
function storedBytes(spec: WeightSpec): number | undefined {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const sizes: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
  return sizes[dtype];
}

const WEIGHTS_BESIDE = "keep the weight files named in model.json beside it";

/** Whether `file` lies outside `folder`: by its path ("..", absolute), or through a link whose target is elsewhere. */
function outsideFolder(folder: string, file: string): boolean {
  const outside = (base: string, target: string) => {
    const inside = relative(base, target);
    return inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside) || resolve(base, inside) !== target;
  };
  if (outside(folder, file)) return true;
  try {
    return outside(realpathSync(folder), realpathSync(file));
  } catch {
    return false; // not there: said as a missing weight file
  }
}

/** The weight files model.json lists: inside its folder, present, and together as large as its manifest says. */
function weightFileProblems(json: ModelJson, modelFile: string, file: string): Problem[] {
  const folder = dirname(modelFile);
  const groups = json.weightsManifest ?? [];
  const problems: Problem[] = [];
  let onDisk = 0;
  for (const path of groups.flatMap((g) => g.paths)) {
    const weights = resolve(folder, path);
    if (outsideFolder(folder, weights)) {
      problems.push(
        modelFileProblem(
          new DataFileError(weights, `the weight file "${path}" named in model.json is outside the model's folder`, WEIGHTS_BESIDE),
          file,
        ),
      );
      continue;
    }
    try {
      onDisk += statSync(weights).size;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const message = code === "ENOENT" ? "weight file not found" : `cannot read the weight file (${code ?? String(e)})`;
      problems.push(modelFileProblem(new DataFileError(weights, message, WEIGHTS_BESIDE), file));
    }
  }
  if (problems.length > 0) return problems;
  const specs = groups.flatMap((g) => g.weights);
  const sizes = specs.map((s) => storedBytes(s));
  if (sizes.some((s) => s === undefined)) return [];
  const expected = specs.reduce((sum, s, i) => sum + s.shape.reduce((a, b) => a * b, 1) * sizes[i]!, 0);
  if (onDisk === expected) return [];
  return [
    modelFileProblem(
      new DataFileError(
        modelFile,
        `the weight files hold ${onDisk} bytes but model.json's weights need ${expected}`,
        "the weight files do not belong to this model.json, or are cut short: copy or convert the model again",
      ),
      file,
    ),
  ];
}

/** Keras's names of the initializers a layer's weights take: every one is set to the counting one below while the topology is built. */
const INITIALIZER_KEYS = [
  "kernel_initializer",
  "bias_initializer",
  "recurrent_initializer",
  "depthwise_initializer",
  "pointwise_initializer",
  "gamma_initializer",
  "beta_initializer",
  "moving_mean_initializer",
  "moving_variance_initializer",
  "embeddings_initializer",
  "alpha_initializer",
];

/** A topology whose layers need more weight values than model.json's manifest lists. */
class TopologyBeyondManifest extends Error {
  constructor(readonly needed: number) {
    super("the topology needs more weights than the manifest lists");
  }
}

/** Budgets of weight values for the builds under way, by the id each build's initializers carry. */
const budgets = new Map<number, { left: number; needed: number }>();
let nextBudget = 0;
/** What TF.js's Initializer class is to us (tfjs does not export the class's type). */
interface Initializer {
  apply(shape: number[], dtype?: TF.DataType): TF.Tensor;
  getConfig(): object;
}
let CountedZeros: (new (config: { budget: number }) => Initializer) | undefined;

/**
 * TF.js's Zeros initializer, counting the values it makes against the build's budget and refusing
 * past it before anything is allocated: a layer's weights are created when the topology is built,
 * so a model.json of one Dense layer of a million units would take 3 GB, and a minute, to check.
 */
function countedZeros(tf: typeof TF): void {
  if (CountedZeros) return;
  const Zeros = tf.initializers.zeros().constructor as new () => Initializer;
  class Counted extends Zeros {
    static className = "MtqCountedZeros";
    constructor(private readonly config: { budget: number }) {
      super();
    }
    apply(shape: number[], dtype?: TF.DataType): TF.Tensor {
      const budget = budgets.get(this.config.budget);
      const values = shape.reduce((a, b) => a * b, 1);
      if (budget) {
        budget.needed += values;
        if (budget.needed > budget.left) throw new TopologyBeyondManifest(budget.needed);
      }
      return super.apply(shape, dtype);
    }
    getConfig() {
      return { budget: this.config.budget };
    }
  }
  tf.serialization.registerClass(Counted as unknown as TF.serialization.SerializableConstructor<TF.serialization.Serializable>);
  CountedZeros = Counted;
}

/** The topology with every layer's initializers (given or left to their defaults) set to the counting Zeros of `budget`. */
function countingTopology(node: unknown, budget: number): unknown {
  if (Array.isArray(node)) return node.map((n) => countingTopology(n, budget));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = countingTopology(value, budget);
  // A layer's config (or a wrapped layer's, or an RNN cell's): it has a name; an initializer's config has none.
  const config = out.config as Record<string, unknown> | undefined;
  if (typeof out.class_name === "string" && typeof config === "object" && config !== null && typeof config.name === "string") {
    for (const key of INITIALIZER_KEYS) config[key] = { class_name: "MtqCountedZeros", config: { budget } };
  }
  return out;
}

/**
 * The model built from model.json's topology by TF.js itself (`tf.models.modelFromJSON`), on
 * whatever backend is already up, else the cpu one: it rebuilds every layer exactly as loading
 * would, so its shapes, its layer names and a custom layer's failure are the ones the run meets,
 * while its weights stay on disk. Reading the Keras topology JSON ourselves would need each
 * layer's shape rules to say what the layers output. The layers' weights are made of zeros and
 * counted as they are made: past the `values` the manifest lists (a topology that cannot be the
 * manifest's), the build stops with TopologyBeyondManifest, before allocating them.
 */
async function modelFromTopology(json: ModelJson, values: number): Promise<TF.LayersModel> {
  const tf = await import("@tensorflow/tfjs");
  // A backend already running (the pipeline's, in the same process) is kept; the cpu one always starts.
  if (!tf.engine().backendName) await tf.setBackend("cpu");
  countedZeros(tf);
  const budget = nextBudget++;
  budgets.set(budget, { left: values, needed: 0 });
  // TF.js's advice to install tfjs-node (printed on the cpu backend's first use) is no answer to `mtq validate`.
  const quiet = tf.env().getBool("PROD");
  tf.env().set("PROD", true);
  try {
    const modelTopology = countingTopology(json.modelTopology, budget) as TF.io.ModelJSON["modelTopology"];
    return await tf.models.modelFromJSON({ modelTopology });
  } finally {
    tf.env().set("PROD", quiet);
    budgets.delete(budget);
  }
}

async function savedModelProblems(spec: Saved, file: string, { image, classes }: ModelFits): Promise<Problem[]> {
  const modelFile = resolve(dirname(file), spec.path);
  let json: ModelJson;
  try {
    json = modelJsonOf(modelFile);
  } catch (e) {
    if (e instanceof DataFileError) return [modelFileProblem(e, file)];
    throw e;
  }
  const problems = weightFileProblems(json, modelFile, file);
  let model: TF.LayersModel;
  const listed = (json.weightsManifest ?? []).flatMap((g) => g.weights).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
  try {
    model = await modelFromTopology(json, listed);
  } catch (e) {
    if (e instanceof TopologyBeyondManifest) {
      const message =
        `model.json's layers need more weight values than its weights manifest lists (at least ${e.needed.toLocaleString("en-US")} ` +
        `against ${listed.toLocaleString("en-US")}): the topology is not the weights'`;
      const fix = "the weights do not belong to this topology: copy or convert the model again";
      return [...problems, modelFileProblem(new DataFileError(modelFile, message, fix), file)];
    }
    const message = `cannot rebuild the model from ${modelFile}: ${e instanceof Error ? e.message : String(e)}`;
    return [
      ...problems,
      {
        file,
        path: ["model", "path"],
        message,
        fix: "save it as a TF.js Layers model using built-in layers only (custom layers cannot be loaded)",
      },
    ];
  }
  try {
    problems.push(...weightNameProblems(model, json, modelFile, file));
    problems.push(...shapeProblems(model, spec, file, image, classes));
    problems.push(...layerProblems(model, spec, file));
  } finally {
    model.dispose();
  }
  return problems;
}

/**
 * The weights the model needs against those model.json lists, matched as loading matches them
 * (a listed "outer/dense/kernel" may stand for "dense/kernel"): loading refuses a weight left
 * unset and a listed one with no place in the model.
 */
function weightNameProblems(model: TF.LayersModel, json: ModelJson, modelFile: string, file: string): Problem[] {
  const needed = new Set(model.layers.flatMap((l) => l.weights.map((w) => w.originalName)));
  const unset = new Set(needed);
  const unplaced: string[] = [];
  for (const name of (json.weightsManifest ?? []).flatMap((g) => g.weights.map((w) => w.name))) {
    const tokens = name.split("/");
    const target = needed.has(name) ? name : [...tokens.slice(0, -2), tokens[tokens.length - 1]].join("/");
    if (needed.has(target)) unset.delete(target);
    else unplaced.push(name);
  }
  const listed = (names: string[]) => names.slice(0, 5).join(", ") + (names.length > 5 ? `, ... (${names.length})` : "");
  const fix = "the weights do not belong to this topology: copy or convert the model again";
  const problems: Problem[] = [];
  if (unset.size > 0) {
    const message = `model.json's weights manifest lacks weights the model needs: ${listed([...unset])}`;
    problems.push(modelFileProblem(new DataFileError(modelFile, message, fix), file));
  }
  if (unplaced.length > 0) {
    const message = `model.json's weights manifest lists weights the model does not have: ${listed(unplaced)}`;
    problems.push(modelFileProblem(new DataFileError(modelFile, message, fix), file));
  }
  return problems;
}

function shapeProblems(model: TF.LayersModel, spec: Saved, file: string, image?: ImageSize, classes?: number): Problem[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return [
      {
        file,
        path: ["model", "path"],
        message: `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs`,
        fix: "use a classifier with one image input and one softmax output",
      },
    ];
  }
  const problems: Problem[] = [];
  const input = (model.inputs[0].shape as (number | null)[]).slice(1);
  if (image && !feedShape(input, image)) problems.push(inputProblem(file, spec.path, input, image));
  const output = model.outputs[0].shape as (number | null)[];
  if (classes !== undefined && (output.length !== 2 || output[1] !== classes)) {
    problems.push({
      file,
      path: ["data", "digits"],
      message: `the model has ${shapeText(output.slice(1))} outputs but the experiment keeps ${classes} classes`,
      fix:
        output.length === 2
          ? `keep exactly the ${output[1]} labels the model was trained on, in data.digits (their sorted order is the output units' order)`
          : "use a model whose output is one softmax over the classes",
    });
  }
  return problems;
}

function layerProblems(model: TF.LayersModel, spec: Saved, file: string): Problem[] {
  const problems: Problem[] = [];
  const listing = model.layers.map(layerDescription).join(", ");
  const names = model.layers.map((l) => l.name);
  spec.layers?.forEach((name, i) => {
    if (names.includes(name)) return;
    const near = nearestWord(name, names);
    problems.push({
      file,
      path: ["model", "layers", i],
      message: `the model has no layer "${name}"`,
      fix: `name one of its layers: ${listing}`,
      ...(near && { edit: { title: `Use "${near}"`, target: "value" as const, newText: JSON.stringify(near) } }),
    });
  });
  if ((spec.layers ?? defaultHiddenLayers(model)).length === 0) {
    problems.push({
      file,
      path: ["model", "layers"],
      message: "the model has no Dense, Conv or Flatten layer before its output",
      fix: `list the layers to analyse in model.layers: ${listing}`,
    });
  }
  return problems;
}
