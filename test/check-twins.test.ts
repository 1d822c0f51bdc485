// Every refusal of `mtq run` has a `mtq validate` twin: for each bad experiment or data file, the
// built CLI's validate exits 2 naming the field and the fix, and run refuses with the same text
// before it loads or trains anything. Fixtures are cut from the real MNIST files in a temp folder.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { before, describe, it } from "node:test";
import type * as TF from "@tensorflow/tfjs";
import protobuf from "protobufjs";
import { saveLayersModel } from "../src/pipeline/modelFiles";
import { loadTf } from "../src/pipeline/tf";
import { idxBytes, tempDir, writeJson } from "./helpers";
import { firstImages, firstLabels, mnistImages as images, mnistLabels as labels, mnistPng, refusalExperiments } from "./refusalFixtures";
import { npyBytes, valueBytes } from "./signatures-arrays";

const run = promisify(execFile);
const cli = join(__dirname, "..", "dist", "cli.js");

/** `mtq COMMAND FILE`: exit code and stderr. */
async function mtq(command: "validate" | "run", file: string, out: string): Promise<{ status: number; stderr: string }> {
  const args = command === "run" ? [cli, "run", file, "--out", out, "--backend", "cpu"] : [cli, "validate", file];
  try {
    const r = await run(process.execPath, args, { encoding: "utf8" });
    return { status: 0, stderr: r.stderr };
  } catch (e) {
    const failed = e as { code: number; stderr: string };
    return { status: failed.code, stderr: failed.stderr };
  }
}

const dir = tempDir();
const { base, idx: idxSource, signatures, saved, onnx } = refusalExperiments("twin");
const csvRow = (i: number) => [labels.data[i], ...images.data.subarray(i * 784, (i + 1) * 784)].join(",");
const onnxModel = join(__dirname, "fixtures", "mnist-cnn.onnx");
const badOnnx = join(__dirname, "fixtures", "onnx-bad");
/**
 * The fixture with `graph` appended: protobuf merges a message written twice, so the model gains
 * its nodes or weights. Only the fields written are declared (onnx.proto's numbers).
 */
function onnxWith(graph: object): Buffer {
  const proto = `syntax = "proto2";
    message M { optional G graph = 7; } message G { repeated N node = 1; repeated T initializer = 5; }
    message N { repeated string input = 1; repeated string output = 2; optional string op_type = 4; }
    message T { optional string name = 8; repeated E external_data = 13; optional int32 data_location = 14; }
    message E { optional string key = 1; optional string value = 2; }`;
  const M = protobuf.parse(proto).root.lookupType("M");
  return Buffer.concat([readFileSync(onnxModel), M.encode(M.fromObject({ graph })).finish()]);
}

/** [case, experiment, what stderr must say: the field, the problem and the fix]. */
const cases: [string, unknown, RegExp][] = [
  [
    "a truncated IDX file",
    idxSource({ images: "truncated.idx" }),
    /data\.source\.idx\.images: truncated IDX file: the header announces 200x28x28 = 156800 values but only \d+ follow\. Fix: the file is incomplete/,
  ],
  [
    "an IDX file with a wrong magic number",
    idxSource({ images: "magic.idx" }),
    /data\.source\.idx\.images: not an IDX file \(wrong magic number\)\. Fix: give an IDX file/,
  ],
  [
    "images and labels of different counts",
    idxSource({ labels: "labels150.idx" }),
    /data\.source\.idx\.images: 200 images but 150 labels in .*labels150\.idx\. Fix: pair each image file with its own label file/,
  ],
  [
    "a cut-short .gz",
    idxSource({ images: "cut.idx.gz" }),
    /data\.source\.idx\.images: the file starts like gzip but does not decompress \(truncated or corrupt\)\. Fix: download or copy the file again/,
  ],
  [
    "a .gz whose size disagrees with its header",
    idxSource({ images: "short.idx.gz" }),
    /data\.source\.idx\.images: truncated IDX file: the header announces 200x28x28 = 156800 values but only 78400 follow/,
  ],
  [
    "both files of a source missing",
    idxSource({ images: "no-images.idx", labels: "no-labels.idx" }),
    /no-images\.idx: data\.source\.idx\.images: file not found\. Fix: check the path.*\n.*no-labels\.idx: data\.source\.idx\.labels: file not found\. Fix: check the path/,
  ],
  [
    "a CSV with a short row",
    { ...base, data: { ...base.data, source: { csv: "short-row.csv" } } },
    /data\.source\.csv: line 2 has 700 columns, the first row has 785\. Fix: give every row the same number of columns/,
  ],
  [
    "a picked image that is not a PNG",
    { ...base, data: { ...base.data, source: { folder: { path: "folder" } }, digits: [0, 1] } },
    /data\.source\.folder\.path: not a PNG or JPEG image \(its first bytes are neither\)\. Fix: convert it to PNG or JPEG/,
  ],
  [
    "a CNN that pools the images to nothing",
    {
      ...base,
      model: {
        kind: "cnn",
        conv: [
          { filters: 2, pool: 8 },
          { filters: 2, pool: 8 },
        ],
      },
    },
    /model\.conv\[1\]\.pool: after block 2 the 28x28 images would be pooled down to 0x0\. Fix: use fewer blocks/,
  ],
  [
    "a saved model whose input does not fit the images",
    saved("rgb/model.json"),
    /model\.path: the model rgb\/model\.json takes inputs of shape 32x32x3 but the images are 28x28 grey.*Fix: use a model whose input is 28x28x1/,
  ],
  [
    "a saved model whose outputs are not the kept classes",
    saved("three/model.json"),
    /data\.digits: the model has 3 outputs but the experiment keeps 2 classes\. Fix: keep exactly the 3 labels/,
  ],
  [
    "a saved model without the layer named",
    saved("mine/model.json", { layers: ["dense_9"] }),
    /model\.layers\[0\]: the model has no layer "dense_9"\. Fix: name one of its layers: dense_1 \(Dense, 16\)/,
  ],
  [
    "a saved model missing a weight file",
    saved("broken/model.json"),
    /group1-shard2of2\.bin: model\.path: weight file not found\. Fix: keep the weight files named in model\.json beside it/,
  ],
  [
    "a saved model whose weights manifest names other weights",
    saved("renamed/model.json"),
    /model\.path: model\.json's weights manifest lacks weights the model needs: dense_1\/kernel\..*\n.*model\.path: model\.json's weights manifest lists weights the model does not have: dense_7\/kernel\. Fix: the weights do not belong to this topology/,
  ],
  [
    "a saved model whose weights are cut short",
    saved("cut/model.json"),
    /model\.json: model\.path: the weight files hold \d+ bytes but model\.json's weights need \d+\. Fix: .*copy or convert the model again/,
  ],
  [
    "a file that is not an ONNX model",
    onnx(join(dir, "not.onnx")),
    /not\.onnx: model\.path: not an ONNX model \(invalid wire type \d at offset \d+\)\. Fix: export the model with torch\.onnx\.export/,
  ],
  [
    "an ONNX model with two inputs",
    onnx(join(badOnnx, "two-inputs.onnx")),
    /model\.path: the model .*two-inputs\.onnx has 2 inputs \(pixels, prior\); MTQ feeds one image input\. Fix: export a classifier that takes the images alone/,
  ],
  [
    "an ONNX model whose input takes bytes",
    onnx(join(badOnnx, "uint8-input.onnx")),
    /model\.path: the model's input "pixels" takes uint8; MTQ feeds float32 pixels .*\. Fix: export the model with a float32 input/,
  ],
  [
    "an ONNX model whose input fits no image layout",
    onnx(join(badOnnx, "input-32.onnx")),
    /model\.path: the model's input "image" has shape \?x1x32x32 \(batch first\), which fits no layout of 28x28 images with 1 channel\. Fix: use a model whose input is N x 1 x 28 x 28 \(PyTorch's\)/,
  ],
  [
    "an ONNX model whose outputs are not the kept classes",
    onnx(join(badOnnx, "three-classes.onnx"), { layers: ["pixels"] }),
    /data\.digits: the model's output "3" has 3 values per image but the experiment keeps 2 classes\. Fix: keep exactly the 3 labels/,
  ],
  [
    "an ONNX model without the layer named",
    onnx(onnxModel, { layers: ["/fc1/Gem"] }),
    /model\.layers\[0\]: the model has no layer \(tensor or node\) "\/fc1\/Gem"\. Fix: name one of its layers: \/conv1\/Conv_output_0 \(Conv, 4x28x28\)/,
  ],
  [
    "an ONNX model whose external data lies outside its folder",
    onnx(join(dir, "outside.onnx")),
    /model\.path: the model's weights name external data files outside its folder: \.\.\/weights\.bin\. Fix: keep the external data beside the model/,
  ],
  [
    "an ONNX model with an operator onnxruntime lacks",
    onnx(join(dir, "custom-op.onnx")),
    /model\.path: onnxruntime cannot run the model .*custom-op\.onnx: .*No Op registered for NoSuchOp.*\. Fix: export it with operators onnxruntime's CPU provider runs/,
  ],
  [
    "snapshots of an ONNX model",
    { ...onnx(onnxModel), snapshots: [1] },
    /snapshots: an ONNX model is not trained, so there are no epochs to record\. Fix: remove "snapshots"/,
  ],
  [
    "a digit the data does not have",
    { ...base, data: { ...base.data, digits: [1, 12] } },
    /data\.digits\[1\]: digit 12 is not in the data file\. Fix: keep only labels the data has/,
  ],
  [
    "perDigit above what the data has",
    { ...base, data: { ...base.data, perDigit: 100000 } },
    /data\.perDigit: perDigit is 100000 but the data file has only \d+ images of digit 1\. Fix: lower perDigit to at most \d+/,
  ],
  [
    "an injected count above what the data has",
    { ...base, inject: [{ digit: 4, count: 5000 }] },
    /inject\[0\]\.count: count is 5000 but the data file has only \d+ images of digit 4\. Fix: lower count to at most \d+/,
  ],
  [
    "kMax not below the number of images",
    { ...base, data: { ...base.data, perDigit: 2 } },
    /clustering\.kMax: kMax \(4\) must be below the number of images \(2 digits x 2 = 4\)\. Fix: lower kMax below 4 or raise data\.perDigit/,
  ],
  [
    'kMax not below the images perDigit "all" keeps',
    { ...base, data: { ...base.data, perDigit: "all", source: { idx: { images: "images12.idx", labels: "labels12.idx" } } } },
    /clustering\.kMax: kMax \(4\) must be below the number of images \(perDigit "all" keeps 4\)\. Fix: lower kMax below 4/,
  ],
  [
    "a misspelt field",
    { ...base, training: { epocs: 1 } },
    /training\.epocs: unknown field "epocs"\. Fix: did you mean "epochs"\? Rename the field/,
  ],
  [
    "an imported layer cut short",
    signatures({ layers: ["sig-cut.npy"] }),
    /data\.source\.signatures\.layers\[0\]: truncated: the header announces 200x784 float32 values \(627200 bytes\) but the file holds \d+\. Fix: the file is incomplete/,
  ],
  [
    "imported arrays whose rows disagree",
    signatures({ labels: "sig-labels150.npy" }),
    /data\.source\.signatures\.layers\[0\]: 200 rows but the labels \(sig-labels150\.npy\) have 150\. Fix: write every array from the same images/,
  ],
  [
    "imported predictions outside the kept classes",
    signatures({ predictions: "sig-fours.npy" }),
    /data\.source\.signatures\.predictions: row \d+ predicts digit 4, which is not a kept class \(data\.digits: 1, 7\) \(and 19 more of the rows the run takes\)\. Fix: keep every class the model predicts/,
  ],
  [
    "a model beside imported signatures",
    signatures({}, { model: { kind: "dense" } }),
    /model: "model" is given but data\.source\.signatures imports the signatures: no model runs.*\. Fix: remove "model"/,
  ],
];

describe("mtq validate refuses exactly what mtq run refuses before training", () => {
  before(async () => {
    const n = 200;
    writeFileSync(join(dir, "images.idx"), firstImages(n));
    writeFileSync(join(dir, "labels.idx"), firstLabels(n));
    writeFileSync(join(dir, "truncated.idx"), firstImages(n).subarray(0, 100_000));
    writeFileSync(join(dir, "magic.idx"), Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), firstImages(n).subarray(4)]));
    writeFileSync(join(dir, "labels150.idx"), firstLabels(150));
    const gz = gzipSync(firstImages(n));
    writeFileSync(join(dir, "cut.idx.gz"), gz.subarray(0, gz.length - 100));
    writeFileSync(join(dir, "short.idx.gz"), gzipSync(firstImages(n).subarray(0, 16 + 100 * 784)));
    // The first two 1s and the first two 7s: perDigit "all" keeps 4 images.
    const picked = [1, 7]
      .flatMap((d) =>
        Array.from(labels.data.subarray(0, n).entries())
          .filter(([, l]) => l === d)
          .slice(0, 2)
          .map(([i]) => i),
      )
      .sort((a, b) => a - b);
    writeFileSync(
      join(dir, "images12.idx"),
      idxBytes([picked.length, 28, 28], Uint8Array.from(picked.flatMap((i) => Array.from(images.data.subarray(i * 784, (i + 1) * 784))))),
    );
    writeFileSync(join(dir, "labels12.idx"), idxBytes([picked.length], Uint8Array.from(picked.map((i) => labels.data[i]))));
    const h1 = npyBytes(
      "<f4",
      [n, 784],
      valueBytes(
        "<f4",
        Float32Array.from(images.data.subarray(0, n * 784), (v) => v / 255),
      ),
    );
    writeFileSync(join(dir, "sig-h1.npy"), h1);
    writeFileSync(join(dir, "sig-cut.npy"), h1.subarray(0, 100_000));
    writeFileSync(join(dir, "sig-labels.npy"), npyBytes("<i8", [n], valueBytes("<i8", labels.data.subarray(0, n))));
    writeFileSync(join(dir, "sig-labels150.npy"), npyBytes("<i8", [150], valueBytes("<i8", labels.data.subarray(0, 150))));
    writeFileSync(join(dir, "sig-fours.npy"), npyBytes("<i8", [n], valueBytes("<i8", new Array<number>(n).fill(4))));
    const rows = Array.from({ length: 40 }, (_, i) => csvRow(i));
    rows[1] = rows[1].split(",").slice(0, 700).join(",");
    writeFileSync(join(dir, "short-row.csv"), `${rows.join("\n")}\n`);
    for (const digit of [0, 1]) mkdirSync(join(dir, "folder", String(digit)), { recursive: true });
    for (let i = 0; i < n; i++) {
      const label = labels.data[i];
      if (label > 1) continue;
      writeFileSync(join(dir, "folder", String(label), `${String(i).padStart(3, "0")}.png`), mnistPng(i));
    }
    writeFileSync(join(dir, "folder", "0", "000-first.png"), "not a PNG");

    writeFileSync(join(dir, "not.onnx"), "not an ONNX model");
    writeFileSync(join(dir, "custom-op.onnx"), onnxWith({ node: [{ input: ["logits"], output: ["extra"], opType: "NoSuchOp" }] }));
    writeFileSync(
      join(dir, "outside.onnx"),
      onnxWith({ initializer: [{ name: "w", dataLocation: 1, externalData: [{ key: "location", value: "../weights.bin" }] }] }),
    );

    const { tf } = await loadTf("cpu");
    const save = async (name: string, layers: TF.layers.Layer[], shardBytes?: number) => {
      const model = tf.sequential({ layers });
      await saveLayersModel(tf, model, join(dir, name), shardBytes);
      model.dispose();
    };
    await save("rgb", [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 2, activation: "softmax" })]);
    await save("three", [tf.layers.dense({ units: 3, inputShape: [784], activation: "softmax" })]);
    await save("mine", [
      tf.layers.dense({ units: 16, inputShape: [784], name: "dense_1" }),
      tf.layers.dense({ units: 2, activation: "softmax", name: "output" }),
    ]);
    await save("broken", [tf.layers.dense({ units: 2, inputShape: [784], activation: "softmax" })], 4096);
    rmSync(join(dir, "broken", "group1-shard2of2.bin"));
    await save("renamed", [tf.layers.dense({ units: 2, inputShape: [784], activation: "softmax", name: "dense_1" })]);
    const renamed = JSON.parse(readFileSync(join(dir, "renamed", "model.json"), "utf8"));
    renamed.weightsManifest[0].weights[0].name = "dense_7/kernel";
    writeFileSync(join(dir, "renamed", "model.json"), JSON.stringify(renamed));
    await save("cut", [tf.layers.dense({ units: 2, inputShape: [784], activation: "softmax" })]);
    const shard = join(dir, "cut", "group1-shard1of1.bin");
    writeFileSync(shard, readFileSync(shard).subarray(0, 1000));
  });

  it("takes the unchanged experiment: validate says valid", async () => {
    const r = await mtq("validate", writeJson(dir, "base.mtq.json", base), join(dir, "base.results.json"));
    assert.equal(r.status, 0, r.stderr);
  });

  for (const [name, experiment, said] of cases) {
    it(`refuses ${name} in validate and in run, with the same problems`, async () => {
      const file = writeJson(dir, `${name.replace(/\W+/g, "-")}.mtq.json`, experiment);
      const out = join(dir, "out", `${name.replace(/\W+/g, "-")}.results.json`);
      const [validated, ran] = await Promise.all([mtq("validate", file, out), mtq("run", file, out)]);
      assert.equal(validated.status, 2, validated.stderr);
      assert.match(validated.stderr, said);
      assert.doesNotMatch(validated.stderr, /\n\s+at /, "no stack trace");
      assert.equal(ran.status, 2, ran.stderr);
      // Refused before anything was loaded or trained: no progress line, no results, the same text.
      assert.equal(ran.stderr, validated.stderr);
      assert.ok(!existsSync(out));
    });
  }
});
