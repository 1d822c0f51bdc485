// From a valid experiment to the images the pipeline uses: the kept images, the injected ones and
// the held-out ones. They are picked from a pool: the source's training split, or with
// `data.from: "train+test"` its training then test splits, indexed as one. The checks that need
// the data (digits present, enough images of each) run here, on labels alone when that is all the
// caller needs (the editor's diagnostics). Labels written as class names are resolved here first,
// against data.classNames or the image folder's subfolders: what follows sees numbers only.
import { dirname } from "node:path";
import { hasTestSplit, type Experiment, type ParsedExperiment } from "../../shared/experiment";
import { ExperimentError, type Problem } from "../../shared/problems";
import { labelPhrase, labelText, resolveLabels, type ClassNames, type Resolved } from "../labels";
import { randomFor } from "../random";
import { savedModelFileProblems } from "../savedModel";
import { clusterCountProblems } from "../validate";
import { imageAt, type ImageSet } from "./images";
import { countPerLabel, pickIndices } from "./pick";
import { loadImageSet, loadLabels, sourceClassNames, SourceFileError, splitFiles, type Split } from "./source";

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

type Labels = (split: Split) => Uint8Array | undefined;

/** How messages name the source: where a digit is missing ("not in the data file"), and who has labels ("the data has"). */
function sourceNames(exp: ParsedExperiment): { where: string; owner: string } {
  const { source } = exp.data;
  if (source === "mnist") return { where: "MNIST", owner: "MNIST" };
  if ("folder" in source) return { where: "the image folder", owner: "the image folder" };
  return { where: "the data file", owner: "the data" };
}

/** Where the held-out images come from: with "train+test" the test images are in the pool, so the pool's rest. */
function holdoutFrom(exp: ParsedExperiment): "test-split" | "rest" {
  return exp.data.holdout.from ?? (exp.data.from === "train" && hasTestSplit(exp.data.source) ? "test-split" : "rest");
}

/** The splits the kept and injected images are picked from, in pool order. */
function poolSplits(exp: ParsedExperiment): Split[] {
  return exp.data.from === "train+test" ? ["train", "test"] : ["train"];
}

/** The labels of the pool: each split's labels one after the other (copied only when there are two). */
function poolLabels(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    labels.set(p, at);
    at += p.length;
  }
  return labels;
}

/** Problems only the data can reveal, given a way to read each split's labels. */
function dataProblems(exp: Experiment, file: string, labelsOf: Labels, names: ClassNames | undefined): Problem[] {
  const problems: Problem[] = [];
  const test = labelsOf("test");
  // A "train+test" source without test images is a problem of the experiment alone (validate.ts).
  const counts = countPerLabel(
    poolLabels(
      poolSplits(exp)
        .map(labelsOf)
        .filter((l) => l !== undefined),
    ),
  );
  const present = [...counts.keys()].sort((a, b) => a - b);
  const { where: dataFile, owner } = sourceNames(exp);
  const inPool = exp.data.from === "train+test" ? ", training and test images together" : "";
  const has = `${owner} has the labels ${present.map((l) => labelText(l, names)).join(", ")}`;
  const { perDigit } = exp.data;
  exp.data.digits.forEach((d, i) => {
    const n = counts.get(d) ?? 0;
    if (n === 0)
      problems.push({
        file,
        path: ["data", "digits", i],
        message: `${labelPhrase(d, names)} is not in ${dataFile}`,
        fix: `keep only labels the data has (${has})`,
      });
    else if (perDigit !== "all" && n < perDigit)
      problems.push({
        file,
        path: ["data", "perDigit"],
        message: `perDigit is ${perDigit} but ${dataFile} has only ${n} images of ${labelPhrase(d, names)}${inPool}`,
        fix: `lower perDigit to at most ${n}`,
      });
  });
  if (perDigit === "all" && problems.length === 0) {
    // validate.ts checks k against digits x perDigit; with "all" only the data knows how many images there are.
    const images = exp.data.digits.reduce((n, d) => n + (counts.get(d) ?? 0), 0);
    problems.push(...clusterCountProblems(exp.clustering, file, images, `perDigit "all" keeps ${images}`));
  }
  exp.inject.forEach((inj, i) => {
    const n = counts.get(inj.digit) ?? 0;
    if (n === 0)
      problems.push({
        file,
        path: ["inject", i, "digit"],
        message: `${labelPhrase(inj.digit, names)} is not in ${dataFile}, so it cannot be injected`,
        fix: `inject a label the data has (${has})`,
      });
    else if (n < inj.count)
      problems.push({
        file,
        path: ["inject", i, "count"],
        message: `count is ${inj.count} but ${dataFile} has only ${n} images of ${labelPhrase(inj.digit, names)}${inPool}`,
        fix: `lower count to at most ${n}`,
      });
  });
  if (exp.data.holdout.from === "test-split" && !test) {
    problems.push({
      file,
      path: ["data", "holdout", "from"],
      message: "the source has no test split",
      fix: 'add test files to the source (idx.testImages/testLabels, testCsv or folder.testPath), or use "rest"',
    });
  } else if (holdoutFrom(exp) === "test-split" && test) {
    const testCounts = countPerLabel(test);
    exp.data.digits.forEach((d, i) => {
      if (!testCounts.get(d) && counts.get(d))
        problems.push({
          file,
          path: ["data", "digits", i],
          message: `${labelPhrase(d, names)} has no image in the test split, so accuracy cannot be measured on it`,
          fix: 'use data.holdout.from: "rest", or add test images of it',
        });
    });
  }
  return problems;
}

function sourceProblem(file: string, e: SourceFileError): Problem {
  return { file: e.cause.file, path: e.path, message: e.cause.message, fix: `${e.cause.fix} (named by ${file})` };
}

/** `read()`, with a data-file error turned into the Problem of the experiment `file`. */
function withProblems<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SourceFileError) throw new ExperimentError([sourceProblem(file, e)]);
    throw e;
  }
}

/** Reads each split at most once, turning data-file errors into Problems. */
function splitReader<T>(exp: ParsedExperiment, file: string, read: (files: NonNullable<ReturnType<typeof splitFiles>>) => T) {
  const cache = new Map<Split, T | undefined>();
  return (split: Split): T | undefined => {
    if (!cache.has(split)) {
      const files = splitFiles(exp.data.source, split, dirname(file));
      cache.set(
        split,
        withProblems(file, () => files && read(files)),
      );
    }
    return cache.get(split);
  };
}

/** The classes' names, data-file errors turned into Problems. */
function classNamesOf(exp: ParsedExperiment, file: string): ClassNames | undefined {
  return withProblems(file, () => sourceClassNames(exp.data.source, exp.data.classNames, dirname(file)));
}

/** `run()`, with the Problems it throws returned instead. */
function problemsOf<T>(run: () => T): T | { experiment?: undefined; problems: Problem[] } {
  try {
    return run();
  } catch (e) {
    if (e instanceof ExperimentError) return { problems: e.problems };
    throw e;
  }
}

/** The experiment with its class names resolved to labels, or the problems; reads only what names the classes (an image folder's subfolders). */
export function resolveExperiment(exp: ParsedExperiment, file: string): Resolved {
  return problemsOf(() => resolveLabels(exp, file, classNamesOf(exp, file)));
}

/** Every problem the experiment's data (and a saved model's model.json) reveals; empty when it can run. Reads labels only. */
export function checkExperimentData(exp: ParsedExperiment, file: string): Problem[] {
  const modelProblems = savedModelFileProblems(exp, file);
  const checked = problemsOf(() => {
    const names = classNamesOf(exp, file);
    const resolved = resolveLabels(exp, file, names);
    return {
      problems: resolved.experiment
        ? dataProblems(resolved.experiment, file, splitReader(exp, file, loadLabels), names)
        : resolved.problems,
    };
  });
  return [...checked.problems, ...modelProblems];
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

/** The experiment's images, and the experiment with its class names resolved; throws ExperimentError when the data does not fit the experiment. */
export function prepareData(parsed: ParsedExperiment, file: string): PreparedData {
  const classNames = classNamesOf(parsed, file);
  const resolved = resolveLabels(parsed, file, classNames);
  if (!resolved.experiment) throw new ExperimentError(resolved.problems);
  const exp = resolved.experiment;
  const imagesOf = splitReader(exp, file, loadImageSet);
  const train = imagesOf("train")!;
  const test = imagesOf("test");
  const problems = dataProblems(exp, file, (s) => (s === "train" ? train : test)?.labels, classNames);
  if (test && (test.rows !== train.rows || test.cols !== train.cols)) {
    problems.push({
      file: test.file,
      path: ["data", "source"],
      message: `test images are ${test.rows}x${test.cols} but training images are ${train.rows}x${train.cols}`,
      fix: "use test files with the training images' size",
    });
  }
  if (problems.length > 0) throw new ExperimentError(problems);

  const { digits, perDigit, pick } = exp.data;
  const pool = poolOf(poolSplits(exp).map((s) => [s, s === "train" ? train : test!]));
  const labels = poolLabels(pool.map((p) => p.set.labels));
  const keptIdx = pickIndices(labels, digits, perDigit === "all" ? Infinity : perDigit, pick, randomFor(exp.seed, "pick"));
  const used = new Uint8Array(labels.length);
  keptIdx.forEach((i) => (used[i] = 1));
  const injectedIdx = Int32Array.from(
    exp.inject.flatMap((inj) => Array.from(pickIndices(labels, [inj.digit], inj.count, pick, randomFor(exp.seed, `inject:${inj.digit}`)))),
  );
  const fromTest = holdoutFrom(exp) === "test-split";
  const holdoutPool = fromTest ? poolOf([["test", test!]]) : pool;
  const holdoutIdx = pickIndices(
    fromTest ? test!.labels : labels,
    digits,
    exp.data.holdout.perDigit,
    "first",
    randomFor(exp.seed, "holdout"),
    fromTest ? undefined : used,
  );
  const { rows, cols } = train;
  return {
    experiment: exp,
    rows,
    cols,
    kept: take(pool, keptIdx, rows, cols, file),
    injected: take(pool, injectedIdx, rows, cols, file),
    holdout: take(holdoutPool, holdoutIdx, rows, cols, file),
    classNames,
  };
}
