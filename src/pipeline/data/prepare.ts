// From a valid experiment to the images the pipeline uses: the kept images, the injected ones and
// the held-out ones. The checks that need the data (digits present, enough images of each) run
// here, on labels alone when that is all the caller needs (the editor's diagnostics).
import { dirname } from "node:path";
import type { Experiment } from "../../shared/experiment";
import { ExperimentError, type Problem } from "../../shared/problems";
import { randomFor } from "../random";
import { savedModelFileProblems } from "../savedModel";
import { imageAt, type ImageSet } from "./images";
import { countPerLabel, pickIndices } from "./pick";
import { loadImageSet, loadLabels, sourceClassNames, SourceFileError, splitFiles, type Split } from "./source";

/** Images taken from one split of the source. */
export interface Picked {
  split: Split;
  /** Index of each image in its split's file. */
  sourceIndex: Int32Array;
  labels: Uint8Array;
  pixels: Uint8Array;
}

export interface PreparedData {
  rows: number;
  cols: number;
  kept: Picked;
  injected: Picked;
  holdout: Picked;
  /** Label -> class name, when the experiment or the image folder names the classes. */
  classNames?: Record<string, string>;
}

type Labels = (split: Split) => Uint8Array | undefined;

/** How messages name the source: where a digit is missing ("not in the data file"), and who has labels ("the data has"). */
function sourceNames(exp: Experiment): { where: string; owner: string } {
  const { source } = exp.data;
  if (source === "mnist") return { where: "MNIST", owner: "MNIST" };
  if ("folder" in source) return { where: "the image folder", owner: "the image folder" };
  return { where: "the data file", owner: "the data" };
}

/** "3" or, when the classes have names, "3 (Dress)". */
function labelText(label: number, names: Record<string, string> | undefined): string {
  const name = names?.[label];
  return name ? `${label} (${name})` : String(label);
}

function holdoutFrom(exp: Experiment, hasTestSplit: boolean): "test-split" | "rest" {
  return exp.data.holdout.from ?? (hasTestSplit ? "test-split" : "rest");
}

/** Problems only the data can reveal, given a way to read each split's labels. */
function dataProblems(exp: Experiment, file: string, labelsOf: Labels, names: Record<string, string> | undefined): Problem[] {
  const problems: Problem[] = [];
  const train = labelsOf("train")!;
  const counts = countPerLabel(train);
  const present = [...counts.keys()].sort((a, b) => a - b);
  const { where: dataFile, owner } = sourceNames(exp);
  const has = `${owner} has the labels ${present.map((l) => labelText(l, names)).join(", ")}`;
  exp.data.digits.forEach((d, i) => {
    const n = counts.get(d) ?? 0;
    if (n === 0) problems.push({ file, path: ["data", "digits", i], message: `digit ${d} is not in ${dataFile}`, fix: `keep only labels the data has (${has})` });
    else if (n < exp.data.perDigit) problems.push({ file, path: ["data", "perDigit"], message: `perDigit is ${exp.data.perDigit} but ${dataFile} has only ${n} images of digit ${labelText(d, names)}`, fix: `lower perDigit to at most ${n}` });
  });
  exp.inject.forEach((inj, i) => {
    const n = counts.get(inj.digit) ?? 0;
    if (n === 0) problems.push({ file, path: ["inject", i, "digit"], message: `digit ${inj.digit} is not in ${dataFile}, so it cannot be injected`, fix: `inject a label the data has (${has})` });
    else if (n < inj.count) problems.push({ file, path: ["inject", i, "count"], message: `count is ${inj.count} but ${dataFile} has only ${n} images of digit ${labelText(inj.digit, names)}`, fix: `lower count to at most ${n}` });
  });
  const test = labelsOf("test");
  if (exp.data.holdout.from === "test-split" && !test) {
    problems.push({ file, path: ["data", "holdout", "from"], message: "the source has no test split", fix: 'add test files to the source (idx.testImages/testLabels, testCsv or folder.testPath), or use "rest"' });
  } else if (holdoutFrom(exp, test !== undefined) === "test-split" && test) {
    const testCounts = countPerLabel(test);
    exp.data.digits.forEach((d, i) => {
      if (!testCounts.get(d) && counts.get(d)) problems.push({ file, path: ["data", "digits", i], message: `digit ${labelText(d, names)} has no image in the test split, so accuracy cannot be measured on it`, fix: 'use data.holdout.from: "rest", or add test images of it' });
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
function splitReader<T>(exp: Experiment, file: string, read: (files: NonNullable<ReturnType<typeof splitFiles>>) => T) {
  const cache = new Map<Split, T | undefined>();
  return (split: Split): T | undefined => {
    if (!cache.has(split)) {
      const files = splitFiles(exp.data.source, split, dirname(file));
      cache.set(split, withProblems(file, () => files && read(files)));
    }
    return cache.get(split);
  };
}

/** The classes' names, data-file errors turned into Problems. */
function classNamesOf(exp: Experiment, file: string): Record<string, string> | undefined {
  return withProblems(file, () => sourceClassNames(exp.data.source, exp.data.classNames, dirname(file)));
}

/** Every problem the experiment's data (and a saved model's model.json) reveals; empty when it can run. Reads labels only. */
export function checkExperimentData(exp: Experiment, file: string): Problem[] {
  try {
    return [...dataProblems(exp, file, splitReader(exp, file, loadLabels), classNamesOf(exp, file)), ...savedModelFileProblems(exp, file)];
  } catch (e) {
    if (e instanceof ExperimentError) return e.problems;
    throw e;
  }
}

/** The images at `indices`; an image folder decodes them now, so a file that fails is a Problem of `file`. */
function take(set: ImageSet, split: Split, indices: Int32Array, file: string): Picked {
  const size = set.rows * set.cols;
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    pixels.set(withProblems(file, () => imageAt(set, src)), i * size);
    labels[i] = set.labels[src];
  });
  return { split, sourceIndex: indices, labels, pixels };
}

/** The experiment's images; throws ExperimentError when the data does not fit the experiment. */
export function prepareData(exp: Experiment, file: string): PreparedData {
  const imagesOf = splitReader(exp, file, loadImageSet);
  const train = imagesOf("train")!;
  const test = imagesOf("test");
  const classNames = classNamesOf(exp, file);
  const problems = dataProblems(exp, file, (s) => (s === "train" ? train : test)?.labels, classNames);
  if (test && (test.rows !== train.rows || test.cols !== train.cols)) {
    problems.push({ file: test.file, path: ["data", "source"], message: `test images are ${test.rows}x${test.cols} but training images are ${train.rows}x${train.cols}`, fix: "use test files with the training images' size" });
  }
  if (problems.length > 0) throw new ExperimentError(problems);

  const { digits, perDigit, pick } = exp.data;
  const keptIdx = pickIndices(train.labels, digits, perDigit, pick, randomFor(exp.seed, "pick"));
  const used = new Uint8Array(train.count);
  keptIdx.forEach((i) => (used[i] = 1));
  const injectedIdx = Int32Array.from(
    exp.inject.flatMap((inj) => Array.from(pickIndices(train.labels, [inj.digit], inj.count, pick, randomFor(exp.seed, `inject:${inj.digit}`)))),
  );
  const from = holdoutFrom(exp, test !== undefined);
  const holdoutSet = from === "test-split" ? test! : train;
  const holdoutIdx = pickIndices(holdoutSet.labels, digits, exp.data.holdout.perDigit, "first", randomFor(exp.seed, "holdout"), from === "rest" ? used : undefined);
  return {
    rows: train.rows,
    cols: train.cols,
    kept: take(train, "train", keptIdx, file),
    injected: take(train, "train", injectedIdx, file),
    holdout: take(holdoutSet, from === "test-split" ? "test" : "train", holdoutIdx, file),
    classNames,
  };
}
