// Hostile ONNX models for test/onnx-memory.test.ts: the MNIST fixture with a node appended whose
// computation asks onnxruntime for gigabytes from a file of a few KB (protobuf merges a graph
// written twice, as src/data/onnxModel.ts's withOutputs relies on).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";

const PROTO = `syntax = "proto2";
  message M { optional G graph = 7; }
  message G { repeated N node = 1; repeated T initializer = 5; repeated V output = 12; }
  message N { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; }
  message T { repeated int64 dims = 1; optional int32 data_type = 2; repeated int64 int64_data = 7; optional string name = 8; }
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
  return Buffer.concat([readFileSync(join(__dirname, "fixtures", "mnist-cnn.onnx")), M.encode(M.fromObject({ graph })).finish()]);
}
