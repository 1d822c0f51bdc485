// Hostile files: each one, built by this test in a temp folder, is given to the built CLI
// (dist/cli.js; `npm run build` first) through `mtq validate` and `mtq run` (results files through
// `mtq compare`, the command that reads them). Every one must be refused with exit code 2, the
// file and the field named, no stack trace, no results file written, and a peak memory (the whole
// process's maxRSS, measured by test/peakMemory.mjs around the CLI) under PEAK_BOUND: headers
// that claim gigabytes, gzip and deflate bombs, sizes past the limits, broken structures.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { before, describe, it } from "node:test";
import protobuf from "protobufjs";
import { MAX_DATA_FILE_BYTES } from "../src/data/files";
import { MAX_IMAGE_FILE_BYTES } from "../src/data/imageFolder";
import { JSON_RESULTS_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION } from "../src/shared/results";
import { idxBytes, tempDir } from "./helpers";
import { firstImages, firstLabels, mnistImages as images, mnistLabels as labels, mnistPng, refusalExperiments } from "./refusalFixtures";
import { gzipBomb, jpegClaiming, pngBomb, pngHeader, zipOfDeflated } from "./hostileFiles";
import { npyBytes, valueBytes, zipBytes } from "./signatures-arrays";

/**
 * The most memory any hostile file may make `mtq validate` or `mtq run` take: 256 MB, for the
 * CLI's process (Node and the 5 MB bundle alone take about 95 MB; TF.js where a model is checked,
 * up to about 150 MB here). onnxruntime runs in a child process of its own bound, which
 * test/onnx-memory.test.ts measures. A refusal costs what the checks cost on a good file; what a
 * file claims (gigabytes, in most cases below) never shows in it.
 */
const PEAK_BOUND = 256 * 1024 * 1024;

const execute = promisify(execFile);
const wrapper = join(__dirname, "peakMemory.mjs");
const dir = tempDir();

interface Outcome {
  status: number;
  stderr: string;
  peak: number;
}

/** `mtq ARGS` through the memory-measuring wrapper: exit code, stderr, peak resident memory. */
async function mtq(args: string[], label: string): Promise<Outcome> {
  const report = join(dir, "peaks", `${label}.txt`);
  mkdirSync(join(dir, "peaks"), { recursive: true });
  const env = { ...process.env, MTQ_PEAK_MEMORY_FILE: report };
  let status = 0;
  let stderr: string;
  try {
    stderr = (await execute(process.execPath, [wrapper, ...args], { env, encoding: "utf8", timeout: 120_000 })).stderr;
  } catch (e) {
    const failed = e as { code: number; stderr: string };
    [status, stderr] = [failed.code, failed.stderr];
  }
  return { status, stderr, peak: Number(readFileSync(report, "utf8")) };
}

const N = 200;
const { base, idx, signatures, saved, onnx } = refusalExperiments("hostile");
const csv = (file: string) => ({ ...base, data: { ...base.data, source: { csv: file } } });
/** An image folder's 0s and 1s, the first ones of each class (the hostile image sorts first). */
const folder = (path: string) => ({
  ...base,
  data: { ...base.data, digits: [0, 1], perDigit: 3, holdout: { perDigit: 1 }, pick: "first", source: { folder: { path } } },
});

/** A file of `size` bytes that starts with `head`: sparse, so that the disk holds only the head. */
function sparse(name: string, head: Uint8Array, size: number): void {
  writeFileSync(join(dir, name), head);
  const fd = openSync(join(dir, name), "r+");
  try {
    // ftruncate extends with a hole: the size is real, the zeros take no disk.
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** A folder of 0/ and 1/ holding four real MNIST digits each, and `name` in 0/ with `bytes` (named to sort first: the run takes it). */
function imageFolder(folderName: string, name: string, bytes: Uint8Array): void {
  for (const digit of [0, 1]) mkdirSync(join(dir, folderName, String(digit)), { recursive: true });
  const written = [0, 0];
  for (let i = 0; i < N; i++) {
    const label = labels.data[i];
    if (label > 1 || written[label] >= 4) continue;
    writeFileSync(join(dir, folderName, String(label), `img${i}.png`), mnistPng(i));
    written[label]++;
  }
  writeFileSync(join(dir, folderName, "0", name), bytes);
}

/** The ONNX fixture with `graph` appended (protobuf merges a message written twice). */
function onnxWith(graph: object): Buffer {
  const proto = `syntax = "proto2";
    message M { optional G graph = 7; } message G { repeated N node = 1; repeated T initializer = 5; }
    message N { repeated string input = 1; repeated string output = 2; optional string op_type = 4; }
    message T { optional string name = 8; repeated E external_data = 13; optional int32 data_location = 14; }
    message E { optional string key = 1; optional string value = 2; }`;
  const M = protobuf.parse(proto).root.lookupType("M");
  return Buffer.concat([readFileSync(join(__dirname, "fixtures", "mnist-cnn.onnx")), M.encode(M.fromObject({ graph })).finish()]);
}

/** A TF.js model.json of one dense layer, with its topology or manifest changed by `change`. */
function modelJson(change: (json: { modelTopology: Record<string, unknown>; weightsManifest: object[] }) => void): string {
  const json = {
    format: "layers-model",
    modelTopology: {
      class_name: "Sequential",
      config: {
        name: "m",
        layers: [{ class_name: "Dense", config: { units: 2, activation: "softmax", batch_input_shape: [null, 784], name: "dense_1" } }],
      },
      keras_version: "tfjs-layers 4.22.0",
      backend: "tensor_flow.js",
    },
    weightsManifest: [
      {
        paths: ["weights.bin"],
        weights: [
          { name: "dense_1/kernel", shape: [784, 2], dtype: "float32" },
          { name: "dense_1/bias", shape: [2], dtype: "float32" },
        ],
      },
    ],
  };
  change(json);
  return JSON.stringify(json);
}

interface Case {
  name: string;
  /** Writes the case's files into `dir`. */
  setup?: () => void | Promise<void>;
  /** The experiment, as an object or the file's raw text. */
  experiment?: unknown;
  /** For a results file: its name in `dir`, given to `mtq compare` (beside a good one). */
  results?: string;
  /** The file and the field (and the words) stderr must hold. */
  said: RegExp;
}

const cases: Case[] = [
  // IDX
  {
    name: "an IDX header claiming 4 billion images of 65535x65535",
    setup: () => writeFileSync(join(dir, "claims.idx"), idxBytes([0xffffffff, 0xffff, 0xffff], new Uint8Array(784))),
    experiment: idx({ images: "claims.idx" }),
    said: /claims\.idx: data\.source\.idx\.images: truncated IDX file: the header announces 4294967295x65535x65535 = .* values but only 784 follow/,
  },
  {
    name: "an IDX gzip bomb (600 MB of zero images in under 1 MB)",
    setup: async () => {
      const count = Math.ceil((MAX_DATA_FILE_BYTES + 100 * 1024 * 1024) / 784);
      writeFileSync(
        join(dir, "bomb-idx3.gz"),
        await gzipBomb(idxBytes([count, 28, 28], new Uint8Array(0)), new Uint8Array(784), 16 + count * 784),
      );
    },
    experiment: idx({ images: "bomb-idx3.gz" }),
    said: /bomb-idx3\.gz: data\.source\.idx\.images: the gzip inflates to more than 500 MB, above the 500 MB a data file read whole may hold\. Fix: keep only the images/,
  },
  {
    name: "an IDX gzip whose header announces 200 images and 600 MB follow",
    setup: async () => {
      writeFileSync(
        join(dir, "liar-idx3.gz"),
        await gzipBomb(firstImages(N), new Uint8Array(784), MAX_DATA_FILE_BYTES + 100 * 1024 * 1024),
      );
    },
    experiment: idx({ images: "liar-idx3.gz" }),
    said: /liar-idx3\.gz: data\.source\.idx\.images: the gzip inflates to more than 500 MB/,
  },
  {
    name: "a 600 MB IDX file (sparse)",
    setup: () => sparse("big.idx", idxBytes([1_000_000, 28, 28], new Uint8Array(0)), MAX_DATA_FILE_BYTES + 100 * 1024 * 1024),
    experiment: idx({ images: "big.idx" }),
    said: /big\.idx: data\.source\.idx\.images: the file holds 600 MB, above the 500 MB a data file read whole may hold/,
  },
  {
    name: "an IDX labels file of float values",
    setup: () =>
      writeFileSync(join(dir, "float-labels.idx"), Buffer.concat([Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, N]), Buffer.alloc(4 * N)])),
    experiment: idx({ labels: "float-labels.idx" }),
    said: /float-labels\.idx: data\.source\.idx\.labels: IDX value type 0x0d is not supported/,
  },
  {
    name: "an IDX header of no dimensions",
    setup: () => writeFileSync(join(dir, "nodims.idx"), Buffer.from([0, 0, 8, 0])),
    experiment: idx({ images: "nodims.idx" }),
    said: /nodims\.idx: data\.source\.idx\.images: the IDX header is truncated/,
  },
  {
    name: "IDX images of 0x0 pixels",
    setup: () => writeFileSync(join(dir, "empty-images.idx"), idxBytes([N, 0, 0], new Uint8Array(0))),
    experiment: idx({ images: "empty-images.idx" }),
    said: /empty-images\.idx: data\.source\.idx\.images: the images are 0x0 pixels: they hold none/,
  },
  {
    name: "an empty IDX file",
    setup: () => writeFileSync(join(dir, "empty.idx"), ""),
    experiment: idx({ images: "empty.idx" }),
    said: /empty\.idx: data\.source\.idx\.images: not an IDX file \(wrong magic number\)/,
  },
  // CSV
  {
    name: "a CSV gzip bomb (600 MB of zero rows)",
    setup: async () => {
      const row = Buffer.from(`1,${new Array(784).fill(0).join(",")}\n`);
      writeFileSync(join(dir, "bomb.csv.gz"), await gzipBomb(new Uint8Array(0), row, MAX_DATA_FILE_BYTES + 100 * 1024 * 1024));
    },
    experiment: csv("bomb.csv.gz"),
    said: /bomb\.csv\.gz: data\.source\.csv: the gzip inflates to more than 500 MB/,
  },
  {
    name: "a 600 MB CSV file (sparse)",
    setup: () => sparse("big.csv", Buffer.from(`1,${new Array(784).fill(0).join(",")}\n`), MAX_DATA_FILE_BYTES + 100 * 1024 * 1024),
    experiment: csv("big.csv"),
    said: /big\.csv: data\.source\.csv: the file holds 600 MB, above the 500 MB/,
  },
  {
    name: "a CSV of one 100 MB line without a newline",
    setup: () => writeFileSync(join(dir, "oneline.csv"), Buffer.alloc(100 * 1024 * 1024, "0,")),
    experiment: csv("oneline.csv"),
    said: /oneline\.csv: data\.source\.csv: line 1 is longer than/,
  },
  {
    name: "a CSV of binary bytes",
    setup: () => writeFileSync(join(dir, "binary.csv"), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
    experiment: csv("binary.csv"),
    said: /binary\.csv: data\.source\.csv: line \d+/,
  },
  {
    name: "a CSV pixel of 1e308",
    setup: () => writeFileSync(join(dir, "huge-cell.csv"), `1,1e308${",0".repeat(783)}\n`),
    experiment: csv("huge-cell.csv"),
    said: /huge-cell\.csv: data\.source\.csv: line 1, column 2: "1e308" is not a pixel value 0-255/,
  },
  // Image folders
  {
    name: "a PNG whose header claims 30000x30000 pixels, all of them there (875 KB)",
    setup: async () => imageFolder("png-bomb", "0-big.png", await pngBomb(30_000, 30_000)),
    experiment: folder("png-bomb"),
    said: /0-big\.png: data\.source\.folder\.path: the PNG header gives 30000x30000 = 900,000,000 pixels, above the 16,777,216 \(4096x4096\).*Fix: resize it/,
  },
  {
    name: "a JPEG whose header claims 65535x65535 pixels",
    setup: () => imageFolder("jpeg-claim", "0-big.jpg", jpegClaiming(65_535, 65_535)),
    experiment: folder("jpeg-claim"),
    said: /0-big\.jpg: data\.source\.folder\.path: the JPEG header gives 65535x65535 = 4,294,836,225 pixels/,
  },
  {
    name: "a PNG of a colour type PNG does not define",
    setup: () => imageFolder("png-type", "0-odd.png", Buffer.concat([pngHeader(28, 28, 5, 8), Buffer.alloc(64)])),
    experiment: folder("png-type"),
    said: /0-odd\.png: data\.source\.folder\.path: cannot decode this PNG \(its header gives colour type 5 at 8 bits, which PNG does not define\)/,
  },
  {
    name: "an image file larger than any image within the limit (sparse)",
    setup: () => {
      imageFolder("png-large", "0-large.png", new Uint8Array(0));
      sparse(join("png-large", "0", "0-large.png"), pngHeader(28, 28), MAX_IMAGE_FILE_BYTES + 1024 * 1024);
    },
    experiment: folder("png-large"),
    said: /0-large\.png: data\.source\.folder\.path: the image file holds 130 MB, above the 129 MB/,
  },
  {
    name: "an empty .png",
    setup: () => imageFolder("png-empty", "0-empty.png", new Uint8Array(0)),
    experiment: folder("png-empty"),
    said: /0-empty\.png: data\.source\.folder\.path: not a PNG or JPEG image/,
  },
  {
    name: "a JPEG whose segments loop past its end",
    setup: () => imageFolder("jpeg-loop", "0-loop.jpg", Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0])),
    experiment: folder("jpeg-loop"),
    said: /0-loop\.jpg: data\.source\.folder\.path: cannot decode this JPEG \(no frame header before the image data\)/,
  },
  {
    name: "an image folder of 300 classes",
    setup: () => {
      for (let c = 0; c < 300; c++) mkdirSync(join(dir, "many", `class${c}`), { recursive: true });
    },
    experiment: folder("many"),
    said: /many: data\.source\.folder\.path: the folder has 300 subfolders; at most 256 classes are supported/,
  },
  // Imported signatures: .npy, .npz, safetensors
  {
    name: "a .npy header claiming 10^9 x 10^9 values",
    setup: () => writeFileSync(join(dir, "claims.npy"), npyBytes("<f4", [1e9, 1e9], new Uint8Array(64))),
    experiment: signatures({ layers: ["claims.npy"] }),
    said: /claims\.npy: data\.source\.signatures\.layers\[0\]: truncated: the header announces 1000000000x1000000000 float32 values/,
  },
  {
    name: "a .npy whose header length runs past its end",
    setup: () =>
      writeFileSync(join(dir, "header-past.npy"), Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x7b])),
    experiment: signatures({ layers: ["header-past.npy"] }),
    said: /header-past\.npy: data\.source\.signatures\.layers\[0\]: the \.npy header is cut short/,
  },
  {
    name: "a .npz deflate bomb (a 600 MB array in under 1 MB)",
    setup: async () => {
      // One deflated entry whose .npy header says 600 MB of float32 zeros, all of them there.
      const rows = Math.ceil((MAX_DATA_FILE_BYTES + 100 * 1024 * 1024) / (784 * 4));
      const size = rows * 784 * 4;
      const header = npyBytes("<f4", [rows, 784], new Uint8Array(0));
      const deflated = await gzipBomb(header, new Uint8Array(784 * 4), header.length + size, { raw: true });
      writeFileSync(join(dir, "bomb.npz"), zipOfDeflated("h1.npy", deflated, header.length + size));
    },
    experiment: signatures({ file: "bomb.npz", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /bomb\.npz: data\.source\.signatures\.layers\[0\]: the \.npz entry "h1\.npy" is compressed and inflates to 601 MB, above the 500 MB a compressed array may hold\. Fix: save the arrays uncompressed/,
  },
  {
    name: "a .npz whose directory claims a 4 GB entry",
    setup: () => {
      const zip = Buffer.from(zipBytes({ "h1.npy": npyBytes("<f4", [N, 784], new Uint8Array(N * 784 * 4)) }, true));
      // The central directory's uncompressed size (offset 24 of the one central record).
      const central = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      zip.writeUInt32LE(0xfffffff0, central + 24);
      writeFileSync(join(dir, "claims.npz"), zip);
    },
    experiment: signatures({ file: "claims.npz", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /claims\.npz: data\.source\.signatures\.layers\[0\]: the \.npz entry "h1\.npy" claims more bytes than deflate can hold/,
  },
  {
    name: "a .npz whose directory lies past its end",
    setup: () => {
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(65535, 8);
      end.writeUInt16LE(65535, 10);
      end.writeUInt32LE(0x7fffffff, 12);
      end.writeUInt32LE(0, 16);
      writeFileSync(join(dir, "dir-past.npz"), end);
    },
    experiment: signatures({ file: "dir-past.npz", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /dir-past\.npz: data\.source\.signatures.*its directory lies past its end/,
  },
  {
    name: "a safetensors header length of 2^63",
    setup: () => {
      const head = Buffer.alloc(16);
      head.writeBigUInt64LE(1n << 63n);
      writeFileSync(join(dir, "length.safetensors"), head);
    },
    experiment: signatures({ file: "length.safetensors", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /length\.safetensors: data\.source\.signatures.*its header length \(\d+\) runs past the end of the file/,
  },
  {
    name: "a safetensors header nested 100,000 deep",
    setup: () => {
      const json = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(join(dir, "deep.safetensors"), Buffer.concat([head, Buffer.from(json)]));
    },
    experiment: signatures({ file: "deep.safetensors", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /deep\.safetensors: data\.source\.signatures.*not a safetensors file \(its header is not a JSON object\)/,
  },
  {
    name: "a safetensors tensor whose offsets claim 1 TB",
    setup: () => {
      const json = JSON.stringify({ h1: { dtype: "F32", shape: [250_000_000, 1000], data_offsets: [0, 1_000_000_000_000] } });
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(join(dir, "offsets.safetensors"), Buffer.concat([head, Buffer.from(json), Buffer.alloc(16)]));
    },
    experiment: signatures({ file: "offsets.safetensors", layers: ["h1"], labels: "h1", predictions: "h1" }),
    said: /offsets\.safetensors: data\.source\.signatures\.layers\[0\]: truncated: the header announces 250000000x1000 float32 values/,
  },
  // The experiment file
  {
    name: "an experiment file of 100 MB (sparse)",
    setup: () => sparse("big.mtq.json", Buffer.from("{"), 100 * 1024 * 1024),
    experiment: "big.mtq.json",
    said: /big\.mtq\.json: \(document\): the experiment file holds 100 MB, above the 1 MB an experiment may take\. Fix: open the \.mtq\.json/,
  },
  {
    name: "an experiment nested 100,000 deep",
    experiment: `{"name": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    said: /\.mtq\.json: \(document\): the JSON nests objects and arrays more than 256 deep/,
  },
  {
    name: "an experiment of binary bytes",
    experiment: Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256)).toString("latin1"),
    said: /\.mtq\.json: \(document\): invalid JSON at line 1, column \d+/,
  },
  {
    name: "an experiment with __proto__ and constructor fields",
    experiment: `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ${JSON.stringify(base).slice(1)}`,
    said: /^(?=[^]*\.mtq\.json: __proto__: unknown field "__proto__")(?=[^]*\.mtq\.json: constructor: unknown field "constructor")/,
  },
  // Model files
  {
    name: "a model.json nested 100,000 deep",
    setup: () => {
      mkdirSync(join(dir, "deep-model"), { recursive: true });
      writeFileSync(join(dir, "deep-model", "model.json"), `{"modelTopology": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    },
    experiment: saved("deep-model/model.json"),
    said: /deep-model\/model\.json: model\.path: model\.json nests objects and arrays more than 256 deep/,
  },
  {
    name: "a model.json whose manifest claims a 10^12-value weight",
    setup: () => {
      mkdirSync(join(dir, "claims-model"), { recursive: true });
      writeFileSync(join(dir, "claims-model", "weights.bin"), Buffer.alloc(784 * 2 * 4 + 8));
      writeFileSync(
        join(dir, "claims-model", "model.json"),
        modelJson((j) => ((j.weightsManifest[0] as { weights: { shape: number[] }[] }).weights[0].shape = [1_000_000, 1_000_000])),
      );
    },
    experiment: saved("claims-model/model.json"),
    said: /claims-model\/model\.json: model\.path: the weight files hold 6280 bytes but model\.json's weights need 4000000000008/,
  },
  {
    name: "a model.json of 100 MB (sparse)",
    setup: () => {
      mkdirSync(join(dir, "big-model"), { recursive: true });
      sparse(join("big-model", "model.json"), Buffer.from("{"), 100 * 1024 * 1024);
    },
    experiment: saved("big-model/model.json"),
    said: /big-model\/model\.json: model\.path: model\.json holds 100 MB, above the 64 MB a topology takes/,
  },
  {
    name: "a model.json of a Dense layer of a million units, its manifest and weights those of two",
    setup: () => {
      mkdirSync(join(dir, "wide-model"), { recursive: true });
      writeFileSync(join(dir, "wide-model", "weights.bin"), Buffer.alloc((784 * 2 + 2) * 4));
      writeFileSync(
        join(dir, "wide-model", "model.json"),
        modelJson((j) => ((j.modelTopology.config as { layers: { config: { units: number } }[] }).layers[0].config.units = 1_000_000)),
      );
    },
    experiment: saved("wide-model/model.json"),
    said: /wide-model\/model\.json: model\.path: model\.json's layers need more weight values than its weights manifest lists \(at least 784,000,000 against 1,570\)/,
  },
  {
    name: "a model.json naming /etc/passwd as weights",
    setup: () => {
      mkdirSync(join(dir, "passwd-model"), { recursive: true });
      writeFileSync(
        join(dir, "passwd-model", "model.json"),
        modelJson((j) => ((j.weightsManifest[0] as { paths: string[] }).paths = ["/etc/passwd"])),
      );
    },
    experiment: saved("passwd-model/model.json"),
    said: /passwd: model\.path: the weight file "\/etc\/passwd" named in model\.json is outside the model's folder/,
  },
  {
    name: "an ONNX model whose external data is an absolute path",
    setup: () =>
      writeFileSync(
        join(dir, "absolute.onnx"),
        onnxWith({ initializer: [{ name: "w", dataLocation: 1, externalData: [{ key: "location", value: "/etc/passwd" }] }] }),
      ),
    experiment: onnx("absolute.onnx"),
    said: /\.mtq\.json: model\.path: the model's weights name external data files outside its folder: \/etc\/passwd/,
  },
  {
    name: "an ONNX model whose external data is a link out of its folder",
    setup: () => {
      mkdirSync(join(dir, "linked"), { recursive: true });
      symlinkSync("/etc/passwd", join(dir, "linked", "weights.bin"));
      writeFileSync(
        join(dir, "linked", "model.onnx"),
        onnxWith({ initializer: [{ name: "w", dataLocation: 1, externalData: [{ key: "location", value: "weights.bin" }] }] }),
      );
    },
    experiment: onnx("linked/model.onnx"),
    said: /\.mtq\.json: model\.path: the model's weights name external data files outside its folder: weights\.bin/,
  },
  {
    name: "an ONNX file of 64 MB of 0xff",
    setup: () => writeFileSync(join(dir, "ff.onnx"), Buffer.alloc(64 * 1024 * 1024, 0xff)),
    experiment: onnx("ff.onnx"),
    said: /ff\.onnx: model\.path: not an ONNX model/,
  },
  // Results files, through `mtq compare`
  {
    name: "a results file cut short",
    setup: () => writeFileSync(join(dir, "cut.results.json"), '{"schemaVersion": 9, "experiment": {"name": "x'),
    results: "cut.results.json",
    said: /cut\.results\.json: is incomplete: it stops after \d+ characters/,
  },
  {
    name: "a results file of another version",
    setup: () => writeFileSync(join(dir, "old.results.json"), "{}"),
    results: "old.results.json",
    said: /old\.results\.json: is not an MTQ results file of version \d+ \(found version undefined\); run its experiment again/,
  },
  {
    name: "a results file of the right version and nothing else",
    setup: () => writeFileSync(join(dir, "hollow.results.json"), JSON.stringify({ schemaVersion: RESULTS_SCHEMA_VERSION })),
    results: "hollow.results.json",
    said: /hollow\.results\.json: is not a complete MTQ results file: "experiment" is missing; run its experiment again/,
  },
  {
    name: "a results file whose images' labels are a string",
    setup: () => {
      const results = {
        schemaVersion: JSON_RESULTS_SCHEMA_VERSION,
        experiment: {},
        experimentFile: "x",
        classes: [],
        predictions: [],
        layers: [],
        flows: {},
        findings: {},
      };
      writeFileSync(
        join(dir, "labels.results.json"),
        JSON.stringify({ ...results, images: { count: 1, labels: "<script>", pixelsBase64: "" } }),
      );
    },
    results: "labels.results.json",
    said: /labels\.results\.json: is not a complete MTQ results file: "images\.labels" is not a list/,
  },
  {
    name: "a results file of binary bytes",
    setup: () =>
      writeFileSync(join(dir, "binary.results.json"), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256))),
    results: "binary.results.json",
    said: /binary\.results\.json: is not an MTQ results file: it is not JSON/,
  },
];

describe("hostile files: refused with exit 2, the file and the field named, no stack, no results, bounded memory", () => {
  before(async () => {
    writeFileSync(join(dir, "images.idx"), firstImages(N));
    writeFileSync(join(dir, "labels.idx"), firstLabels(N));
    writeFileSync(
      join(dir, "sig-h1.npy"),
      npyBytes(
        "<f4",
        [N, 784],
        valueBytes(
          "<f4",
          Float32Array.from(images.data.subarray(0, N * 784), (v) => v / 255),
        ),
      ),
    );
    writeFileSync(join(dir, "sig-labels.npy"), npyBytes("<i8", [N], valueBytes("<i8", labels.data.subarray(0, N))));
    for (const c of cases) await c.setup?.();
  });

  it("holds at least 30 hostile files", () => assert.ok(cases.length >= 30, `${cases.length} cases`));

  const peaks: [string, number][] = [];
  for (const [i, c] of cases.entries()) {
    it(`refuses ${c.name}`, async () => {
      const label = `case${i}`;
      if (c.results) {
        const r = await mtq(["compare", join(dir, c.results), join(dir, c.results)], `${label}-compare`);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, c.said);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.ok(r.peak < PEAK_BOUND, `peak ${(r.peak / 1024 ** 2).toFixed(0)} MB`);
        peaks.push([`${c.name} (compare)`, r.peak]);
        return;
      }
      const file =
        typeof c.experiment === "string" && c.experiment.endsWith(".mtq.json") ? join(dir, c.experiment) : join(dir, `${label}.mtq.json`);
      if (!(typeof c.experiment === "string" && c.experiment.endsWith(".mtq.json")))
        writeFileSync(file, typeof c.experiment === "string" ? Buffer.from(c.experiment, "latin1") : JSON.stringify(c.experiment, null, 2));
      const out = join(dir, "out", `${label}.results.json`);
      const validated = await mtq(["validate", file], `${label}-validate`);
      const ran = await mtq(["run", file, "--out", out, "--backend", "cpu"], `${label}-run`);
      for (const [command, r] of [
        ["validate", validated],
        ["run", ran],
      ] as const) {
        assert.equal(r.status, 2, `${command}: ${r.stderr}`);
        assert.match(r.stderr, c.said, command);
        assert.doesNotMatch(r.stderr, /\n\s+at /, `${command}: no stack trace`);
        assert.ok(r.peak < PEAK_BOUND, `${command}: peak ${(r.peak / 1024 ** 2).toFixed(0)} MB`);
        peaks.push([`${c.name} (${command})`, r.peak]);
      }
      assert.ok(!existsSync(out), "no results file");
    });
  }

  it("reports the peaks", () => {
    const [name, most] = peaks.reduce((a, b) => (b[1] > a[1] ? b : a), ["", 0]);
    console.log(
      `hostile files: ${peaks.length} commands, highest peak ${(most / 1024 ** 2).toFixed(0)} MB (${name}); bound ${PEAK_BOUND / 1024 ** 2} MB`,
    );
  });
});
