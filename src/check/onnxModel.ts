// An ONNX model (`model.kind: "onnx"`) against the data, as model.ts checks a saved one: the file is
// an ONNX model whose external data stays in its folder, it has one input that the images fit, the
// layers the experiment names exist, onnxruntime runs it (a session is created and one blank image
// passed: the check worker runs this off the editor's thread), and its output has one unit per
// kept class.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DataFileError } from "../data/dataFileError";
import {
  defaultOnnxLayers,
  externalFilesOutside,
  layerTensor,
  onnxFeed,
  onnxLayerDescription,
  onnxLayers,
  onnxSession,
  readOnnxGraph,
  type OnnxFeed,
  type OnnxGraph,
  type Shape,
} from "../data/onnxModel";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { nearestWord } from "./nearest";

type Onnx = Extract<ParsedExperiment["model"], { kind: "onnx" }>;

interface Fits {
  image?: { rows: number; cols: number; channels?: 1 | 3 };
  classes?: number;
}

const shapeText = (shape: Shape | readonly number[]) => shape.map((d) => d ?? "?").join("x");

/** At most this many layers are listed in a problem: a large model has hundreds. */
const LISTED = 60;

function listing(graph: OnnxGraph, shapes: Map<string, readonly number[]>): string {
  const layers = onnxLayers(graph).map((l) => ({ ...l, shape: l.shape ?? (shapes.get(l.name) as Shape | undefined) }));
  const shown = layers.slice(0, LISTED).map(onnxLayerDescription).join(", ");
  return layers.length > LISTED ? `${shown}, ... (${layers.length} in all)` : shown;
}

/** The feed of `image` into the model's input; with the channels not fixed yet (an image folder's default), grey or colour. */
function feedFor(input: Shape | undefined, image: NonNullable<Fits["image"]>): OnnxFeed | undefined {
  const channels = image.channels ? [image.channels] : [1, 3];
  for (const c of channels) {
    const feed = onnxFeed(input, { ...image, channels: c });
    if (feed) return feed;
  }
  return undefined;
}

/** The last graph read of each model file, while its size and mtime stay the same. */
const graphs = new Map<string, { version: string; graph: OnnxGraph }>();

function graphOf(file: string): OnnxGraph {
  let version: string;
  try {
    const { size, mtimeMs } = statSync(file);
    version = `${size}:${mtimeMs}`;
  } catch {
    // Missing or unreadable: the reader says so in its own words.
    return readOnnxGraph(file);
  }
  const known = graphs.get(file);
  if (known?.version === version) return known.graph;
  const graph = readOnnxGraph(file);
  graphs.set(file, { version, graph });
  return graph;
}

interface Trial {
  /** Each fetched tensor's dimensions on one image (batch included). */
  shapes: Map<string, readonly number[]>;
  outputDims?: readonly number[];
  /** onnxruntime's first line when it could not create the session or run it. */
  error?: string;
  /** The session's process passed its memory bound. */
  memory?: DataFileError;
}

/** The last trial of each model file, kept while the file, the tensors asked for and the feed stay the same: the editor checks on every edit. */
const trials = new Map<string, { key: string; trial: Promise<Trial> }>();

/** A session of the model with `wanted` as outputs, run on one blank image when the images fit its input. */
function trialRun(graph: OnnxGraph, wanted: string[], inputName: string, feed: OnnxFeed | undefined): Promise<Trial> {
  const { size, mtimeMs } = statSync(graph.file);
  const key = JSON.stringify([size, mtimeMs, wanted, feed]);
  const known = trials.get(graph.file);
  if (known?.key === key) return known.trial;
  const trial = (async (): Promise<Trial> => {
    const shapes = new Map<string, readonly number[]>();
    const shape = feed && [feed.batch ?? 1, ...feed.shape];
    try {
      const session = await onnxSession(graph, wanted, { batchValues: shape ? shape.reduce((a, b) => a * b, 1) : 0 });
      try {
        if (!shape) return { shapes };
        const out = await session.run(inputName, { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), dims: shape });
        for (const [name, tensor] of Object.entries(out)) shapes.set(name, tensor.dims);
        return { shapes, outputDims: out[graph.outputs[0].name]?.dims };
      } finally {
        await session.release();
      }
    } catch (e) {
      // Past the memory bound: the model file, the bound and the fix, as a problem of its own.
      if (e instanceof DataFileError) return { shapes, memory: e };
      return { shapes, error: (e instanceof Error ? e.message : String(e)).split("\n")[0] };
    }
  })();
  trials.set(graph.file, { key, trial });
  return trial;
}

const modelPath = (file: string, message: string, fix: string): Problem => ({ file, path: ["model", "path"], message, fix });

export async function onnxModelProblems(spec: Onnx, file: string, { image, classes }: Fits): Promise<Problem[]> {
  const modelFile = resolve(dirname(file), spec.path);
  let graph: OnnxGraph;
  try {
    graph = graphOf(modelFile);
  } catch (e) {
    if (e instanceof DataFileError)
      return [{ file: e.file, path: ["model", "path"], message: e.message, fix: `${e.fix} (named by ${file})` }];
    throw e;
  }
  const problems: Problem[] = [];
  const outside = externalFilesOutside(graph);
  if (outside.length > 0) {
    problems.push(
      modelPath(
        file,
        `the model's weights name external data files outside its folder: ${outside.join(", ")}`,
        "keep the external data beside the model: save it with onnx.save_model(model, path, save_as_external_data=True, " +
          'location="model.onnx.data")',
      ),
    );
    return problems;
  }
  if (graph.inputs.length !== 1) {
    problems.push(
      modelPath(
        file,
        `the model ${spec.path} has ${graph.inputs.length} inputs (${graph.inputs.map((i) => i.name).join(", ")}); MTQ feeds one image input`,
        "export a classifier that takes the images alone: torch.onnx.export(model, example_image, path) with one input tensor",
      ),
    );
    return problems;
  }
  const input = graph.inputs[0];
  // onnx.proto's TensorProto.DataType numbers; MTQ feeds float32.
  const types: Record<number, string> = { 2: "uint8", 3: "int8", 6: "int32", 7: "int64", 10: "float16", 11: "double", 16: "bfloat16" };
  if (input.elemType !== undefined && input.elemType !== 1) {
    problems.push(
      modelPath(
        file,
        `the model's input "${input.name}" takes ${types[input.elemType] ?? `elements of ONNX type ${input.elemType}`}; ` +
          "MTQ feeds float32 pixels (scaled to [0, 1], then model.normalize)",
        "export the model with a float32 input, its scaling inside the model or in model.normalize",
      ),
    );
    return problems;
  }
  const channels = image?.channels ?? 1;
  const feed = image ? feedFor(input.shape, image) : undefined;
  if (image && !feed) {
    const { rows, cols } = image;
    const c = channels;
    problems.push(
      modelPath(
        file,
        `the model's input "${input.name}" has shape ${shapeText(input.shape ?? [])} (batch first), which fits no layout of ` +
          `${rows}x${cols} images with ${image.channels ? `${c} channel${c === 1 ? "" : "s"}` : "1 or 3 channels (grey or colour)"}`,
        `use a model whose input is N x ${c} x ${rows} x ${cols} (PyTorch's), N x ${rows} x ${cols} x ${c} (Keras's) or ` +
          `N x ${rows * cols * c} (flat), or images of its size (an image folder's "size")`,
      ),
    );
  }
  const fed = feed ? (feed.layout === "nchw" ? feed.shape[0] : feed.layout === "nhwc" ? feed.shape[2] : channels) : channels;
  for (const key of ["mean", "std"] as const) {
    const values = spec.normalize?.[key];
    if (values && values.length !== 1 && values.length !== fed) {
      problems.push({
        file,
        path: ["model", "normalize", key],
        message: `normalize.${key} has ${values.length} values but the model is fed ${fed} channel${fed === 1 ? "" : "s"}`,
        fix: `give one value per channel (${fed}), or one for all`,
      });
    }
  }

  const unknown: { name: string; index: number }[] = [];
  spec.layers?.forEach((name, index) => {
    if (!layerTensor(graph, name)) unknown.push({ name, index });
  });
  const chosen = (spec.layers ?? defaultOnnxLayers(graph)).map((n) => layerTensor(graph, n)).filter((t) => t !== undefined);

  // onnxruntime itself says whether it runs the model: an operator it lacks fails here, at creation or on one blank image.
  const wanted = unknown.length > 0 || chosen.length === 0 ? onnxLayers(graph).map((l) => l.name) : chosen;
  const { shapes, outputDims, error, memory } = await trialRun(graph, wanted, input.name, feed);
  if (memory) {
    problems.push({ file: memory.file, path: ["model", "path"], message: memory.message, fix: `${memory.fix} (named by ${file})` });
    return problems;
  }
  if (error) {
    problems.push(
      modelPath(
        file,
        `onnxruntime cannot run the model ${spec.path}: ${error}`,
        "export it with operators onnxruntime's CPU provider runs (e.g. torch.onnx.export(..., opset_version=17)); " +
          "custom operators are not supported",
      ),
    );
  }

  const layers = listing(graph, shapes);
  const names = onnxLayers(graph).map((l) => l.name);
  for (const { name, index } of unknown) {
    const near = nearestWord(name, [...names, ...graph.nodes.map((n) => n.name)]);
    problems.push({
      file,
      path: ["model", "layers", index],
      message: `the model has no layer (tensor or node) "${name}"`,
      fix: `name one of its layers: ${layers}`,
      ...(near && { edit: { title: `Use "${near}"`, target: "value" as const, newText: JSON.stringify(near) } }),
    });
  }
  if (!spec.layers && chosen.length === 0) {
    problems.push({
      file,
      path: ["model", "layers"],
      message: "the model has no Conv, Gemm or MatMul node before its last one, so no default layer",
      fix: `list the layers to analyse in model.layers: ${layers}`,
    });
  }
  if (outputDims && classes !== undefined && (outputDims.length !== 2 || outputDims[1] !== classes)) {
    problems.push({
      file,
      path: ["data", "digits"],
      message:
        `the model's output "${graph.outputs[0].name}" has ${shapeText(outputDims.slice(1))} values per image ` +
        `but the experiment keeps ${classes} classes`,
      fix:
        outputDims.length === 2
          ? `keep exactly the ${outputDims[1]} labels the model was trained on, in data.digits (their sorted order is the output units' order)`
          : "use a model whose first output is one row of scores (logits or probabilities) per image",
    });
  }
  return problems;
}
