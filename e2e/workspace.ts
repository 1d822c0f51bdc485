// The workspace the suite opens: the README's example experiment made small enough to train in
// seconds (with training snapshots), the same with another seed (to compare), one made big enough
// to still be running when the test cancels it, one with a misspelt field, and a PyTorch model's
// experiment (ONNX).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "jsonc-parser";

const example = resolve(__dirname, "..", "examples", "ones-vs-sevens.mtq.json");
const onnxExample = resolve(__dirname, "..", "examples", "onnx-model.mtq.json");

interface Example {
  name: string;
  data: { digits: number[]; perDigit: number };
  training: { epochs: number };
  inject: { digit: number; count: number }[];
}

export interface Workspace {
  dir: string;
  /** The small experiment, its results file, and how many images it holds (kept + injected). */
  small: { file: string; results: string; images: number };
  /** The small experiment with another seed and no snapshots. */
  otherSeed: { name: string; file: string; results: string };
  /** An experiment that trains for minutes: only ever cancelled. */
  long: { file: string; results: string };
  /** `training.epocs` instead of `training.epochs`; `field` is its path as the CLI names it. */
  malformed: { file: string; field: string };
  /** examples/onnx-model.mtq.json made small, its PyTorch model (the ONNX fixture) copied beside it. */
  onnx: { name: string; file: string; results: string; images: number };
}

export function createWorkspace(dir: string): Workspace {
  mkdirSync(dir, { recursive: true });
  const base = parse(readFileSync(example, "utf8")) as Example;
  const write = (name: string, value: object) => {
    const file = join(dir, `${name}.mtq.json`);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    return { file, results: join(dir, `${name}.results.json`) };
  };

  const small = {
    ...base,
    name: "ones-vs-sevens",
    data: { ...base.data, perDigit: 50 },
    training: { ...base.training, epochs: 3 },
    snapshots: [1, 2],
    inject: base.inject.map((i) => ({ ...i, count: 25 })),
  };
  const { snapshots: _snapshots, ...unrecorded } = small;
  const otherSeed = { ...unrecorded, name: "ones-vs-sevens-seed-7", seed: 7 };
  const long = { ...base, name: "long-run", data: { ...base.data, perDigit: 5000 }, training: { ...base.training, epochs: 200 } };
  const { epochs, ...training } = base.training;
  const malformed = { ...small, name: "malformed", training: { ...training, epocs: epochs } };

  const onnxBase = parse(readFileSync(onnxExample, "utf8")) as Example & { model: { path: string } };
  copyFileSync(resolve(onnxExample, "..", onnxBase.model.path), join(dir, "mnist-cnn.onnx"));
  const onnx = {
    ...onnxBase,
    data: { ...onnxBase.data, perDigit: 50 },
    model: { ...onnxBase.model, path: "mnist-cnn.onnx" },
    inject: onnxBase.inject.map((i) => ({ ...i, count: 25 })),
  };

  return {
    dir,
    small: {
      ...write(small.name, small),
      images: small.data.digits.length * small.data.perDigit + small.inject.reduce((n, i) => n + i.count, 0),
    },
    otherSeed: { name: otherSeed.name, ...write(otherSeed.name, otherSeed) },
    long: write(long.name, long),
    malformed: { file: write(malformed.name, malformed).file, field: "training.epocs" },
    onnx: { name: onnx.name, ...write(onnx.name, onnx), images: onnx.data.digits.length * onnx.data.perDigit + 25 * onnx.inject.length },
  };
}
