// An ONNX model file (`model.kind: "onnx"`): its graph read with protobufjs through the few
// fields of onnx.proto MTQ needs (the weights are skipped, not decoded), its layers, how images
// feed its input, and an onnxruntime session that also outputs the chosen layers. The checks and
// the run both use it, so the run meets exactly the model the checks accepted. onnxruntime runs in
// a child process of bounded memory (onnxProcess.ts): a model's own computation may ask for gigabytes.
import { fork } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import protobuf from "protobufjs";
import { DataFileError } from "./dataFileError";
import { OUT_OF_MEMORY_MARK, type FromOnnxProcess, type OnnxTensorData, type ToOnnxProcess } from "./onnxMessages";

// The subset of onnx/onnx.proto (IR version 10) read here, field numbers as there. Decoding skips
// every other field, so the weights' raw_data is never copied; the session gets the file's own bytes.
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7; }
message GraphProto {
  repeated NodeProto node = 1; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; repeated ValueInfoProto value_info = 13;
}
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; }
message TensorProto { optional string name = 8; repeated StringStringEntryProto external_data = 13; optional int32 data_location = 14; }
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message TypeProto { optional Tensor tensor_type = 1; message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } }
message TensorShapeProto { repeated Dimension dim = 1; message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } }
`;

const root = protobuf.parse(ONNX_PROTO).root;
const ModelProto = root.lookupType("onnx.ModelProto");
const GraphProto = root.lookupType("onnx.GraphProto");

interface Dim {
  dimValue?: number | { toNumber(): number };
  dimParam?: string;
}
interface ValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: Dim[] } } };
}
interface DecodedModel {
  irVersion?: number | { toNumber(): number };
  graph?: {
    node?: { input?: string[]; output?: string[]; name?: string; opType?: string }[];
    initializer?: { name?: string; externalData?: { key?: string; value?: string }[]; dataLocation?: number }[];
    input?: ValueInfo[];
    output?: ValueInfo[];
    valueInfo?: ValueInfo[];
  };
}

/** A dimension: a number, or null when the model leaves it free (a named or unnamed batch, say). */
export type Shape = (number | null)[];

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxGraph {
  file: string;
  bytes: Uint8Array;
  nodes: OnnxNode[];
  /**
   * The graph's inputs that are fed (an initializer listed as an input, as older exporters write, is
   * not), with their element type (onnx.proto's TensorProto.DataType: 1 is float32).
   */
  inputs: { name: string; shape?: Shape; elemType?: number }[];
  outputs: { name: string; shape?: Shape }[];
  /** Each tensor's shape where the model stores it (graph inputs and outputs, value_info); batch included. */
  shapes: Map<string, Shape>;
  /** The external data files the weights name, as written (relative to the model's folder). */
  externalFiles: string[];
}

const NOT_ONNX_FIX =
  'export the model with torch.onnx.export(model, example_input, "model.onnx"), or convert a Keras/TF model with tf2onnx; ' +
  "model.path names the .onnx file";

const number = (v: number | { toNumber(): number } | undefined) => (v === undefined ? undefined : typeof v === "number" ? v : v.toNumber());

function shapeOf(info: ValueInfo): Shape | undefined {
  const dims = info.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d) => {
    const v = number(d.dimValue);
    return v !== undefined && v > 0 ? v : null;
  });
}

type Graph = NonNullable<DecodedModel["graph"]>;

/**
 * ModelProto's IR version and graph. A graph written twice is merged, its lists joined, as
 * protobuf's own parsers (onnxruntime's) read it and as `withOutputs` relies on; protobufjs's
 * decode would keep the last one only.
 */
function decodeModel(bytes: Uint8Array): DecodedModel {
  const reader = protobuf.Reader.create(bytes);
  const model: DecodedModel = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | 0)) model.irVersion = reader.int64() as unknown as DecodedModel["irVersion"];
    else if (tag === ((7 << 3) | 2)) {
      const part = GraphProto.toObject(GraphProto.decode(reader, reader.uint32()), { defaults: false }) as Graph;
      const graph: Graph = model.graph ?? {};
      for (const key of ["node", "initializer", "input", "output", "valueInfo"] as const) {
        if (part[key]) (graph[key] as unknown[]) = [...(graph[key] ?? []), ...part[key]];
      }
      model.graph = graph;
    } else reader.skipType(tag & 7);
  }
  return model;
}

/** The model's graph; throws DataFileError when the file is missing or is no ONNX model. */
export function readOnnxGraph(file: string): OnnxGraph {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      code === "ENOENT" ? "ONNX model not found" : `cannot read the ONNX model (${code ?? String(e)})`,
      "check `model.path`; relative paths are resolved from the experiment file's folder",
    );
  }
  let model: DecodedModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new DataFileError(file, `not an ONNX model (${e instanceof Error ? e.message : String(e)})`, NOT_ONNX_FIX);
  }
  const graph = model.graph;
  // Any bytes may happen to decode as some protobuf message: an ONNX model has an IR version and a graph with nodes and an output.
  if (!number(model.irVersion) || !graph?.node?.length || !graph.output?.length) {
    throw new DataFileError(file, "not an ONNX model (no IR version, or a graph without nodes or outputs)", NOT_ONNX_FIX);
  }
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const shapes = new Map<string, Shape>();
  for (const info of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const shape = shapeOf(info);
    if (shape) shapes.set(info.name, shape);
  }
  const external = (graph.initializer ?? []).filter((t) => t.dataLocation === 1);
  return {
    file,
    bytes,
    nodes: graph.node.map((n, i) => ({
      name: n.name || `node_${i}`,
      opType: n.opType ?? "",
      inputs: n.input ?? [],
      outputs: n.output ?? [],
    })),
    inputs: (graph.input ?? [])
      .filter((i) => !initializers.has(i.name))
      .map((i) => ({ name: i.name, shape: shapeOf(i), elemType: i.type?.tensorType?.elemType })),
    outputs: graph.output.map((o) => ({ name: o.name, shape: shapeOf(o) })),
    shapes,
    externalFiles: [
      ...new Set(external.flatMap((t) => (t.externalData ?? []).filter((e) => e.key === "location").map((e) => e.value ?? ""))),
    ],
  };
}

/**
 * External data files that lie outside the model's folder (absolute, escaping it with "..", or a
 * link whose target is elsewhere): the session would read them from elsewhere.
 */
export function externalFilesOutside(graph: OnnxGraph): string[] {
  const folder = dirname(graph.file);
  const outside = (base: string, target: string) => {
    const inside = relative(base, target);
    return inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || resolve(base, inside) !== target || isAbsolute(inside);
  };
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return undefined; // not there: said by onnxruntime's trial
    }
  };
  return graph.externalFiles.filter((f) => {
    const target = resolve(folder, f);
    if (outside(folder, target)) return true;
    const [realFolder, realTarget] = [real(folder), real(target)];
    return realFolder !== undefined && realTarget !== undefined && outside(realFolder, realTarget);
  });
}

/** A layer a user can pick: a node's output tensor. */
export interface OnnxLayer {
  /** The tensor's name: what `model.layers` names (a node's name stands for its first output too). */
  name: string;
  opType: string;
  node: string;
  shape?: Shape;
}

export function onnxLayers(graph: OnnxGraph): OnnxLayer[] {
  return graph.nodes.flatMap((n) =>
    n.outputs.filter((o) => o !== "").map((o) => ({ name: o, opType: n.opType, node: n.name, shape: graph.shapes.get(o) })),
  );
}

/** The tensor `name` stands for: a node output, or a node's name for its first output; undefined if neither. */
export function layerTensor(graph: OnnxGraph, name: string): string | undefined {
  if (graph.nodes.some((n) => n.outputs.includes(name))) return name;
  return graph.nodes.find((n) => n.name === name)?.outputs[0];
}

const shapeText = (shape: Shape) => shape.map((d) => d ?? "?").join("x");

/**
 * "/conv1/Conv_output_0 (Conv, 4x28x28)": how a layer is listed to the user, its shape per image
 * (the batch left out), said unknown when neither the model nor a run told it.
 */
export function onnxLayerDescription(layer: OnnxLayer): string {
  return `${layer.name} (${layer.opType}, ${layer.shape ? shapeText(layer.shape.slice(1)) : "shape unknown"})`;
}

/** Nodes whose output is a layer's "pre-activation": a weighted layer. */
const WEIGHTED = new Set(["Conv", "ConvTranspose", "Gemm", "MatMul"]);
/** What follows a weighted layer and still belongs to it: its bias, normalisation, activation and pooling. */
const FOLLOWERS = new Set([
  "Add",
  "BatchNormalization",
  "Relu",
  "LeakyRelu",
  "PRelu",
  "Elu",
  "Selu",
  "Sigmoid",
  "Tanh",
  "Gelu",
  "HardSigmoid",
  "HardSwish",
  "Softplus",
  "Clip",
  "MaxPool",
  "AveragePool",
  "Dropout",
]);

/**
 * The default layers: for every Conv, ConvTranspose, Gemm or MatMul node but the last one (the
 * classifier), the output of the chain that follows it alone — its bias Add, BatchNormalization,
 * activation and pooling — so a block's signature is taken where MTQ's own models take it: after
 * the activation and the pooling. The chain stops at a node another tensor also feeds (a residual
 * Add) or that has more than one consumer.
 */
export function defaultOnnxLayers(graph: OnnxGraph): string[] {
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const weighted = graph.nodes.filter((n) => WEIGHTED.has(n.opType));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const layers: string[] = [];
  for (const node of weighted.slice(0, -1)) {
    let tensor = node.outputs[0];
    for (;;) {
      const next = consumers.get(tensor);
      if (next?.length !== 1 || !FOLLOWERS.has(next[0].opType) || outputs.has(tensor)) break;
      // An Add of two computed tensors is a residual connection, not a bias.
      if (next[0].opType === "Add" && next[0].inputs.filter((i) => produced.has(i)).length > 1) break;
      tensor = next[0].outputs[0];
    }
    if (!outputs.has(tensor) && !layers.includes(tensor)) layers.push(tensor);
  }
  return layers;
}

/** How the pixels of one image feed the model's input: its layout and its shape, batch excluded. */
export interface OnnxFeed {
  layout: "flat" | "nchw" | "nhwc" | "hw";
  shape: number[];
  /** The input's batch size when the model fixes it (torch.onnx.export without dynamic_axes fixes 1), else null. */
  batch: number | null;
}

/**
 * The layout of `input` (batch first) that images of rows x cols x channels fit: flat, N x C x H x
 * W (PyTorch's), N x H x W x C (Keras's) or, for one channel, N x H x W. A free dimension fits
 * any size; when several layouts fit, channels-first wins (what torch.onnx.export writes).
 */
export function onnxFeed(input: Shape | undefined, image: { rows: number; cols: number; channels: number }): OnnxFeed | undefined {
  const { rows, cols, channels } = image;
  if (!input) return { layout: "nchw", shape: [channels, rows, cols], batch: null };
  const [batch, ...dims] = input;
  const candidates: Pick<OnnxFeed, "layout" | "shape">[] = [
    { layout: "nchw", shape: [channels, rows, cols] },
    { layout: "nhwc", shape: [rows, cols, channels] },
    { layout: "flat", shape: [rows * cols * channels] },
    ...(channels === 1 ? [{ layout: "hw" as const, shape: [rows, cols] }] : []),
  ];
  const fit = candidates.find((c) => c.shape.length === dims.length && c.shape.every((d, i) => dims[i] === null || dims[i] === d));
  return fit && { ...fit, batch };
}

/**
 * The channels an ONNX model's input takes from rows x cols images, for an image folder that does
 * not say (`channels` absent): 1 when a grey layout fits, else 3 when a colour one does, the order
 * the checks try them in; undefined when the file is unreadable or neither fits (the checks say so).
 */
export function onnxInputChannels(file: string, rows: number, cols: number): 1 | 3 | undefined {
  let graph: OnnxGraph;
  try {
    graph = readOnnxGraph(file);
  } catch {
    return undefined;
  }
  const input = graph.inputs.length === 1 ? graph.inputs[0].shape : undefined;
  return ([1, 3] as const).find((channels) => onnxFeed(input, { rows, cols, channels }));
}

/** The model's bytes with `names` added as graph outputs, so one inference pass also yields them. */
export function withOutputs(graph: OnnxGraph, names: string[]): Uint8Array {
  const known = new Set(graph.outputs.map((o) => o.name));
  const added = names.filter((n) => !known.has(n));
  if (added.length === 0) return graph.bytes;
  // Protobuf merges a message field that occurs twice and appends to its repeated fields, so a
  // ModelProto holding only the new outputs, appended to the file's bytes, adds them without
  // re-encoding the weights. onnxruntime infers the added outputs' types.
  const tail = ModelProto.encode(ModelProto.fromObject({ graph: { output: added.map((name) => ({ name })) } })).finish();
  const bytes = new Uint8Array(graph.bytes.length + tail.length);
  bytes.set(graph.bytes);
  bytes.set(tail, graph.bytes.length);
  return bytes;
}

/**
 * The memory an onnxruntime process may take, and why: what a legitimate session needs is
 * onnxruntime itself, the model's weights (held as the file's bytes, then as initialised tensors,
 * then prepacked for the CPU kernels) and one batch's activations. Measured on the example
 * (test/fixtures/mnist-cnn.onnx, 28 KB): the process peaks at 89 MB for the check's one image
 * (Node and onnxruntime loaded) and at 130 MB for the run's batches of 128 MNIST digits, about
 * 100 times the batch's 401 KB of input (activations, onnxruntime's arena, the IPC copies). A
 * CNN's live activations per image are tens of times its input (VGG-16's first two convolutions
 * hold 43 times a 224x224 colour image); 128 times leaves room for those and for the example.
 * Weights: the fixture with a 784x32000 MatMul appended (96 MB of weights) peaks at 280 MB for the
 * check and 365 MB for the run, about twice its weights over the 89 MB; 3 times leaves a third more.
 */
export const ONNX_MEMORY = {
  /** Node, onnxruntime's library and a session's fixed costs: 89 MB measured, with room to spare. */
  baseBytes: 128 * 1024 * 1024,
  /** Times the model's bytes on disk (its file and external data). */
  perWeightByte: 3,
  /** Times the batch's float32 input. */
  perInputByte: 128,
};

/** The bound for a session of `graph` fed batches of `batchValues` floats (images x values per image). */
export function onnxMemoryBound(graph: OnnxGraph, batchValues: number): { bytes: number; weightBytes: number; inputBytes: number } {
  const folder = dirname(graph.file);
  let weightBytes = graph.bytes.length;
  for (const f of graph.externalFiles) {
    try {
      weightBytes += statSync(resolve(folder, f)).size;
    } catch {
      // Missing: onnxruntime says so when it creates the session.
    }
  }
  const inputBytes = batchValues * 4;
  const bytes = ONNX_MEMORY.baseBytes + ONNX_MEMORY.perWeightByte * weightBytes + ONNX_MEMORY.perInputByte * inputBytes;
  return { bytes, weightBytes, inputBytes };
}

const MB = (bytes: number) => Math.ceil(bytes / (1024 * 1024));
/** A size as the message says it: KB below a megabyte (a small model's weights, one image's input). */
const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);

/** A session of onnxruntime in its own process: the model's tensors in, the fetched tensors out. */
export interface OnnxSession {
  /** One batch through the model; `fetch` absent: every graph output. */
  run(input: string, tensor: OnnxTensorData, fetch?: string[]): Promise<Record<string, OnnxTensorData>>;
  /** Ends the process (its memory goes with it). */
  release(): Promise<void>;
}

/**
 * The child process's script: dist/onnxProcess.js beside the bundles; from source (tests and
 * scripts run with tsx) the TypeScript entry, which tsx compiles in the child.
 */
function onnxProcessScript(): { script: string; execArgv: string[] } {
  const bundled = join(__dirname, "onnxProcess.js");
  if (existsSync(bundled)) return { script: bundled, execArgv: [] };
  return { script: join(__dirname, "onnxProcess.ts"), execArgv: ["--require", require.resolve("tsx/cjs")] };
}

/** The refusal when the process passed its bound: the model file, the bound and what to do. */
function memoryError(graph: OnnxGraph, during: string, bound: ReturnType<typeof onnxMemoryBound>, rssBytes: number): DataFileError {
  return new DataFileError(
    graph.file,
    `the model asked onnxruntime for more than ${MB(bound.bytes)} MB while ${during} (stopped at ${MB(rssBytes)} MB): ` +
      `the bound is ${MB(ONNX_MEMORY.baseBytes)} MB for onnxruntime, ${ONNX_MEMORY.perWeightByte} times its ` +
      `${size(bound.weightBytes)} of weights and ${ONNX_MEMORY.perInputByte} times the batch's ${size(bound.inputBytes)} of input`,
    "export it without the nodes that build large tensors of their own (a ConstantOfShape, Expand, Tile or Range far larger " +
      "than a batch's activations), or compute its signatures where it runs and import them (data.source.signatures)",
  );
}

/**
 * An onnxruntime session (CPU) of the model with `outputs` added as graph outputs, in a child
 * process whose resident memory is bounded by onnxMemoryBound for batches of `batchValues` floats:
 * a model that asks for more (its own computation, whatever the data) is refused with a
 * DataFileError naming the file, and takes no memory from MTQ's process. `signal` ends the process.
 */
export async function onnxSession(
  graph: OnnxGraph,
  outputs: string[],
  { batchValues, signal }: { batchValues: number; signal?: AbortSignal },
): Promise<OnnxSession> {
  signal?.throwIfAborted();
  const bound = onnxMemoryBound(graph, batchValues);
  const { script, execArgv } = onnxProcessScript();
  // "advanced": the structured clone, which copies typed arrays as they are (JSON would spell every float).
  const child = fork(script, [], { execArgv, serialization: "advanced", stdio: ["ignore", "ignore", "pipe", "ipc"] });
  let pending: { resolve(m: FromOnnxProcess): void; reject(e: unknown): void; during: string } | undefined;
  let outOfMemory: Extract<FromOnnxProcess, { type: "outOfMemory" }> | undefined;
  let stderr = "";
  const exited = new Promise<void>((done) => child.once("exit", () => done()));

  const handle = (message: FromOnnxProcess) => {
    switch (message.type) {
      case "outOfMemory":
        // The kill follows: "exit" rejects the request.
        outOfMemory = message;
        return;
      case "opened":
      case "ran":
      case "failed": {
        const request = pending;
        pending = undefined;
        request?.resolve(message);
        return;
      }
    }
  };
  child.on("message", (m: FromOnnxProcess) => handle(m));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => {
    stderr = (stderr + text).slice(-64 * 1024);
    // Complete lines only: the watch writes its line whole, but a pipe may deliver it in two pieces.
    const lines = stderr.split("\n").slice(0, -1);
    for (const line of lines) {
      if (!line.startsWith(OUT_OF_MEMORY_MARK)) continue;
      try {
        handle(JSON.parse(line) as FromOnnxProcess);
      } catch {
        // Not the watch's line after all: onnxruntime's logging, kept for the exit's message.
      }
    }
  });
  child.on("exit", (code, killed) => {
    const request = pending;
    pending = undefined;
    if (!request) return;
    if (signal?.aborted) request.reject(signal.reason);
    else if (outOfMemory) request.reject(memoryError(graph, request.during, bound, outOfMemory.rssBytes));
    else {
      const said = stderr.trim().split("\n").at(-1);
      request.reject(
        new Error(`onnxruntime's process ended (${killed ?? `exit code ${code}`}) while ${request.during}${said ? `: ${said}` : ""}`),
      );
    }
  });
  // Forking failed, or a message could not be sent: the request fails with it.
  child.on("error", (e) => {
    const request = pending;
    pending = undefined;
    request?.reject(e);
  });
  const abort = () => child.kill("SIGKILL");
  signal?.addEventListener("abort", abort, { once: true });

  const request = (message: ToOnnxProcess, during: string) =>
    new Promise<FromOnnxProcess>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`onnxruntime's process has ended; it cannot go on ${during}`));
      pending = { resolve, reject, during };
      child.send(message);
    });
  const release = async () => {
    signal?.removeEventListener("abort", abort);
    if (child.connected) child.disconnect();
    await exited;
  };
  // The model goes to the process as a file, never as bytes over IPC (a copy there, and one more
  // when the message is read, would double the weights' memory): its bytes with the outputs added,
  // beside links to its external data files, which onnxruntime finds beside the model file.
  const folder = mkdtempSync(join(tmpdir(), "mtq-onnx-"));
  const file = join(folder, "model.onnx");
  // onnxruntime names the file it loaded: the user's model, not the temporary copy.
  const failed = (m: FromOnnxProcess) =>
    new Error(m.type === "failed" ? m.message.replaceAll(file, graph.file) : `onnxruntime's process answered "${m.type}"`);
  try {
    for (const f of graph.externalFiles) {
      const target = join(folder, f);
      mkdirSync(dirname(target), { recursive: true });
      try {
        symlinkSync(resolve(dirname(graph.file), f), target);
      } catch {
        // Windows allows symbolic links to administrators only.
        copyFileSync(resolve(dirname(graph.file), f), target);
      }
    }
    writeFileSync(file, withOutputs(graph, outputs));
    const opened = await request({ type: "open", file, boundBytes: bound.bytes }, "creating its session");
    if (opened.type !== "opened") throw failed(opened);
  } catch (e) {
    await release();
    throw e;
  } finally {
    // The session has read everything it needs when it is created.
    rmSync(folder, { recursive: true, force: true });
  }
  return {
    async run(input, tensor, fetch) {
      const images = tensor.dims[0];
      const ran = await request({ type: "run", input, tensor, fetch }, `running a batch of ${images} image${images === 1 ? "" : "s"}`);
      if (ran.type !== "ran") throw failed(ran);
      return ran.outputs;
    },
    release,
  };
}
