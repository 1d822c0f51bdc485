import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { parquetReadObjects } from "hyparquet";
import type { LoadedResults } from "../src/results/read";

/** Every image's pixels of a read results file, one image after another. */
export function allPixels(loaded: LoadedResults): Promise<Uint8Array> {
  return loaded.pixelsOf([...Array(loaded.results.images.count).keys()]);
}

/** A temp folder removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mtq-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The bytes of an IDX file of unsigned bytes with the given dimensions. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return file;
}

/** The report's first experiment, as the foundation issue gives it. */
export const onesVsSevens = {
  name: "ones-vs-sevens",
  description: "Report, question 1-3: a 1-vs-7 model, with unseen 4s and 3s passed through it",
  seed: 24,
  data: { source: "mnist", digits: [1, 7], perDigit: 100, pick: "first" },
  model: { kind: "dense", hidden: [32, 64], activation: "relu" },
  training: { epochs: 10, batchSize: 32, learningRate: 0.001 },
  clustering: { kMin: 2, kMax: 10 },
  projection: { neighbors: 15, minDist: 0.1 },
  inject: [
    { digit: 4, count: 100 },
    { digit: 3, count: 100 },
  ],
};

/** Runs `examples/NAME.mtq.json` through the built CLI into a temp folder; returns the results file. */
export function runExample(name: string): string {
  const root = join(__dirname, "..");
  const out = join(tempDir(), `${name}.results.json`);
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "run", join(root, "examples", `${name}.mtq.json`), "--out", out], {
    stdio: "pipe",
  });
  return out;
}

/** A small 1-vs-7 run with injected 4s through the built CLI (a few seconds of real training), written in `dir`; returns the results file. */
export function runNamedSelectionsExperiment(dir: string): string {
  return runExperimentFile(dir, "named", {
    name: "named-selections",
    seed: 24,
    data: { source: "mnist", digits: [1, 7], perDigit: 40 },
    training: { epochs: 2 },
    inject: [{ digit: 4, count: 20 }],
  });
}

/** Writes `experiment` as DIR/NAME.mtq.json and runs it through the built CLI into DIR/NAME.results.json; returns the results file. */
export function runExperimentFile(dir: string, name: string, experiment: object): string {
  const file = writeJson(dir, `${name}.mtq.json`, experiment);
  const out = join(dir, `${name}.results.json`);
  execFileSync(process.execPath, [join(__dirname, "..", "dist", "cli.js"), "run", file, "--out", out], { stdio: "pipe" });
  return out;
}

/** A Parquet file's rows as hyparquet (a reader that is not our writer) reads them. */
export async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });
}

/** Image `index`'s pixels out of the results' concatenated pixel bytes. */
export function imagePixels(allPixels: Uint8Array, index: number, rows: number, cols: number, channels: 1 | 3 = 1): Uint8Array {
  const size = rows * cols * channels;
  return allPixels.subarray(index * size, (index + 1) * size);
}
