// ONNX models for test/onnx-memory.test.ts: the MNIST fixture with nodes appended (protobuf merges
// a graph written twice, as src/data/onnxModel.ts's withOutputs relies on). A hostile one whose
// computation asks onnxruntime for gigabytes from a file of a few KB, and a legitimate one whose
// weights are large.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { readOnnxGraph } from "../src/data/onnxModel";

const PROTO = `syntax = "proto2";
  message M { optional G graph = 7; }
  message G { repeated N node = 1; repeated T initializer = 5; repeated V output = 12; }
  message N { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; }
  message T {
    repeated int64 dims = 1; optional int32 data_type = 2; repeated int64 int64_data = 7; optional string name = 8; optional bytes raw_data = 9;
  }
  message V { optional string name = 1; }`;
const M = protobuf.parse(PROTO).root.lookupType("M");

/**
 * test/fixtures/mnist-cnn.onnx with a ConstantOfShape node "big" of `side` x `side` float32 zeros
 * (40000 gives 6.4 GB), its output "big" a second graph output: MTQ reads the first output and the
 * named layers only, so "big" is off its paths unless an experiment names it as a layer.
 */
export function constantOfShapeModel(side: number): Buffer {
  const graph = {
    node: [{ name: "big", opType: "ConstantOfShape", input: ["big_shape"], output: ["big"] }],
    initializer: [{ name: "big_shape", dataType: 7, dims: [2], int64Data: [side, side] }],
    output: [{ name: "big" }],
  };
  return withGraph(graph);
}

/**
 * The fixture with a second output "tiled": its input repeated `copies` times along the channels
 * (2000 gives 6.3 MB per image): a model one image fits, but a batch of 128 asks for 800 MB and
 * one of 20 for 126 MB.
 */
export function tiledModel(copies: number): Buffer {
  const graph = {
    node: [{ name: "tiled", opType: "Tile", input: [readOnnxGraph(FIXTURE).inputs[0].name, "repeats"], output: ["tiled"] }],
    initializer: [{ name: "repeats", dataType: 7, dims: [4], int64Data: [1, copies, 1, 1] }],
    output: [{ name: "tiled" }],
  };
  return withGraph(graph);
}

const FIXTURE = join(__dirname, "fixtures", "mnist-cnn.onnx");
const withGraph = (graph: object) => Buffer.concat([readFileSync(FIXTURE), M.encode(M.fromObject({ graph })).finish()]);

/**
 * The fixture with a second output "wide": its input flattened times a 784 x `columns` float32
 * weight (32000 gives 96 MB of weights), what a legitimate large model holds.
 */
export function wideModel(columns: number): Buffer {
  const weights = Float32Array.from({ length: 784 * columns }, (_, i) => ((i * 7919) % 1000) / 1e6);
  const graph = {
    node: [
      { name: "flat", opType: "Flatten", input: [readOnnxGraph(FIXTURE).inputs[0].name], output: ["flat"] },
      { name: "wide", opType: "MatMul", input: ["flat", "W"], output: ["wide"] },
    ],
    initializer: [{ name: "W", dataType: 1, dims: [784, columns], rawData: Buffer.from(weights.buffer) }],
    output: [{ name: "wide" }],
  };
  return withGraph(graph);
}
