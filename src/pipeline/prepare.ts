// From a checked experiment to the images the pipeline uses: the kept images, the injected ones
// and the held-out ones. They are picked from a pool: the source's training split, or with
// `data.from: "train+test"` its training then test splits, indexed as one. Nothing is checked
// here: src/check did it before the run started.
import { dirname, resolve } from "node:path";
import { inputShapeOf, modelJsonOf } from "../data/modelJson";
import { onnxInputChannels } from "../data/onnxModel";
import { classNamesOf } from "../check/data";
import { sourceProblem } from "../check/sourceProblem";
import { resolveLabels, type ClassNames } from "../check/labels";
import { imageAt, type ImageSet } from "../data/images";
import { loadImageSet, SourceFileError, splitFiles, type Split } from "../data/source";
import type { Experiment, ParsedExperiment } from "../shared/experiment";
import { ExperimentError } from "../shared/problems";
import { picks, poolSplits } from "../data/pick";

/** Images taken from the source. */
export interface Picked {
  /** The split each image comes from. */
  split: Split[];
  /** Index of each image in its split's file. */
  sourceIndex: Int32Array;
  /** Image folders only: each image's path relative to its split's folder ("four/img_003.png"). */
  files?: string[];
  labels: Uint8Array;
  pixels: Uint8Array;
}

export interface PreparedData {
  /** The experiment with its class names resolved to labels. */
  experiment: Experiment;
  rows: number;
  cols: number;
  /** 3: every image's pixels are interleaved red, green, blue; 1: grey. */
  channels: 1 | 3;
  kept: Picked;
  injected: Picked;
  holdout: Picked;
  /** Label -> class name, when the experiment or the image folder names the classes. */
  classNames?: ClassNames;
}

/**
 * `read()`, with a data-file error turned into the Problem of the experiment `file`: a file
 * changed since it was checked, or an image whose header was sound but whose pixels are not.
 */
function withProblems<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SourceFileError) throw new ExperimentError([sourceProblem(file, e)]);
    throw e;
  }
}

/** Splits indexed as one: pool index `start + i` is image i of `set`. */
type Pool = { split: Split; set: ImageSet; start: number }[];

function poolOf(sets: [Split, ImageSet][]): Pool {
  let start = 0;
  return sets.map(([split, set]) => {
    const part = { split, set, start };
    start += set.count;
    return part;
  });
}

/** Picked images with their colour bytes too, while an image folder's channels are not decided yet (`bothAt`). */
type Taken = Picked & { colour?: Uint8Array; distinct?: boolean };

/**
 * The pool's images at `indices`, `channels` bytes per pixel; undefined channels: grey bytes and
 * colour bytes both (an image folder deciding from its images). An image folder decodes them now,
 * so a file that fails is a Problem of `file`.
 */
function take(pool: Pool, indices: Int32Array, rows: number, cols: number, channels: 1 | 3 | undefined, file: string): Taken {
  const size = rows * cols * (channels ?? 1);
  const pixels = new Uint8Array(indices.length * size);
  const both = channels === undefined;
  const colour = both ? new Uint8Array(indices.length * rows * cols * 3) : undefined;
  let distinct = false;
  const labels = new Uint8Array(indices.length);
  const split: Split[] = new Array(indices.length);
  const sourceIndex = new Int32Array(indices.length);
  const named = pool.some((p) => "relativePaths" in p.set && p.set.relativePaths);
  const files: string[] | undefined = named ? new Array(indices.length) : undefined;
  indices.forEach((at, i) => {
    let part = pool[0];
    for (const p of pool) if (p.start <= at) part = p;
    const src = at - part.start;
    const set = part.set;
    if ("bothAt" in set && set.bothAt) {
      const image = withProblems(file, () => set.bothAt!(src));
      pixels.set(channels === 3 ? image.colour : image.grey, i * size);
      colour?.set(image.colour, i * rows * cols * 3);
      distinct ||= image.distinct;
    } else
      pixels.set(
        withProblems(file, () => imageAt(set, src)),
        i * size,
      );
    labels[i] = set.labels[src];
    split[i] = part.split;
    sourceIndex[i] = src;
    if (files && "relativePaths" in set) files[i] = set.relativePaths?.[src] ?? "";
  });
  return { split, sourceIndex, ...(files && { files }), labels, pixels, ...(colour && { colour }), distinct };
}

/** The channels a saved model's input takes: 3 when its last dimension is 3, or its flat input holds rows*cols*3 values. */
function savedModelChannels(exp: Experiment, file: string, rows: number, cols: number): 1 | 3 | undefined {
  if (exp.model.kind !== "saved") return undefined;
  const input = withProblems(file, () => {
    try {
      return inputShapeOf(modelJsonOf(resolve(dirname(file), exp.model.kind === "saved" ? exp.model.path : "")));
    } catch {
      return undefined; // the run's model loading says what is wrong with it
    }
  });
  if (!input) return undefined;
  return input[input.length - 1] === 3 || (input.length === 1 && input[0] === rows * cols * 3) ? 3 : 1;
}

/** The images as the channels say: a folder's grey bytes, or its colour bytes when `channels` is 3. */
function asChannels(taken: Taken, channels: 1 | 3): Picked {
  const { split, sourceIndex, files, labels, pixels, colour } = taken;
  return { split, sourceIndex, ...(files && { files }), labels, pixels: channels === 3 && colour ? colour : pixels };
}

/** The experiment with its class names resolved to labels, as `checkExperiment` resolved them; the run's first step whatever its source. */
export function resolvedExperiment(parsed: ParsedExperiment, file: string): { experiment: Experiment; classNames?: ClassNames } {
  const classNames = withProblems(file, () => classNamesOf(parsed.data, file));
  const resolved = resolveLabels(parsed, file, classNames);
  if (!resolved.experiment) throw new ExperimentError(resolved.problems);
  return { experiment: resolved.experiment, classNames };
}

/**
 * The experiment's images: the kept, injected and held-out ones, picked from the data. The
 * experiment must have passed `checkExperiment`, which finds everything that would stop this;
 * its class names are resolved here the same way.
 */
export function prepareData(parsed: ParsedExperiment, file: string): PreparedData {
  const { experiment: exp, classNames } = resolvedExperiment(parsed, file);
  const imagesOf = (split: Split) => {
    const files = splitFiles(exp.data.source, split, dirname(file));
    return files && withProblems(file, () => loadImageSet(files));
  };
  const train = imagesOf("train")!;
  const test = imagesOf("test");
  const picked = picks(exp, (split) => (split === "train" ? train : test)?.labels);
  const pool = poolOf(poolSplits(exp.data).map((s) => [s, s === "train" ? train : test!]));
  const holdoutPool = picked.holdoutFromTest ? poolOf([["test", test!]]) : pool;
  const { rows, cols } = train;
  const { source } = exp.data;
  const folderChannels = typeof source === "object" && "folder" in source ? (source.folder.channels ?? null) : undefined;
  // A folder without `channels` follows a saved or ONNX model's input, or else its images: colour when any image's channels differ.
  const modelChannels = () =>
    exp.model.kind === "onnx"
      ? onnxInputChannels(resolve(dirname(file), exp.model.path), rows, cols)
      : savedModelChannels(exp, file, rows, cols);
  const fixed: 1 | 3 | undefined = folderChannels === undefined ? (train.channels ?? 1) : (folderChannels ?? modelChannels());
  const taken = [take(pool, picked.kept, rows, cols, fixed, file), take(pool, picked.injected, rows, cols, fixed, file)];
  taken.push(take(holdoutPool, picked.holdout, rows, cols, fixed, file));
  const channels = fixed ?? (taken.some((t) => t.distinct) ? 3 : 1);
  const [kept, injected, holdout] = taken.map((t) => asChannels(t, channels));
  return { experiment: exp, rows, cols, channels, kept, injected, holdout, classNames };
}
