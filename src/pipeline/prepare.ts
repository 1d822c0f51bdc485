// From a checked experiment to the images the pipeline uses: the kept images, the injected ones
// and the held-out ones. They are picked from a pool: the source's training split, or with
// `data.from: "train+test"` its training then test splits, indexed as one. Nothing is checked
// here: src/check did it before the run started.
import { dirname } from "node:path";
import { classNamesOf, sourceProblem } from "../check/data";
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

/** The pool's images at `indices`; an image folder decodes them now, so a file that fails is a Problem of `file`. */
function take(pool: Pool, indices: Int32Array, rows: number, cols: number, file: string): Picked {
  const size = rows * cols;
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  const split: Split[] = new Array(indices.length);
  const sourceIndex = new Int32Array(indices.length);
  const named = pool.some((p) => "relativePaths" in p.set && p.set.relativePaths);
  const files: string[] | undefined = named ? new Array(indices.length) : undefined;
  indices.forEach((at, i) => {
    let part = pool[0];
    for (const p of pool) if (p.start <= at) part = p;
    const src = at - part.start;
    pixels.set(
      withProblems(file, () => imageAt(part.set, src)),
      i * size,
    );
    labels[i] = part.set.labels[src];
    split[i] = part.split;
    sourceIndex[i] = src;
    if (files && "relativePaths" in part.set) files[i] = part.set.relativePaths?.[src] ?? "";
  });
  return { split, sourceIndex, ...(files && { files }), labels, pixels };
}

/**
 * The experiment's images: the kept, injected and held-out ones, picked from the data. The
 * experiment must have passed `checkExperiment`, which finds everything that would stop this;
 * its class names are resolved here the same way.
 */
export function prepareData(parsed: ParsedExperiment, file: string): PreparedData {
  const classNames = withProblems(file, () => classNamesOf(parsed.data, file));
  const resolved = resolveLabels(parsed, file, classNames);
  if (!resolved.experiment) throw new ExperimentError(resolved.problems);
  const exp: Experiment = resolved.experiment;
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
  return {
    experiment: exp,
    rows,
    cols,
    kept: take(pool, picked.kept, rows, cols, file),
    injected: take(pool, picked.injected, rows, cols, file),
    holdout: take(holdoutPool, picked.holdout, rows, cols, file),
    classNames,
  };
}
