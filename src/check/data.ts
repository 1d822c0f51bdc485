// The experiment against its data: the files can be read (headers, magic numbers, dimensions,
// counts, gzip integrity, CSV rows, each image's header), the classes' names resolve, every kept
// and injected label is there in the numbers asked for, and the held-out images exist. Reads
// only headers and labels (src/data's cheap readers), never a large file whole.
import { dirname } from "node:path";
import { DataFileError } from "../data/dataFileError";
import { countPerLabel } from "../data/images";
import { holdoutFrom, picks, poolLabels, poolSplits } from "../data/pick";
import {
  folderClassNames,
  sourceChannels,
  SourceFileError,
  splitFacts,
  splitFiles,
  type FactReaders,
  type Split,
  type SplitFacts,
} from "../data/source";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import {
  labelPhrase,
  labelProblemsWithoutData,
  labelText,
  namesByLabel,
  resolveLabels,
  type ClassNames,
  type Labelled,
  type LabelsResolved,
} from "./labels";
import { clusterCountProblems } from "./rules";
import { importedSignatures, signatureProblems } from "./signatures";
import { sectionsOf, type Sections } from "./schema";
import { sourceProblem } from "./sourceProblem";

type Data = ParsedExperiment["data"];

/** Label -> class name: data.classNames, else an image folder's subfolder names; undefined when the classes have none. */
export function classNamesOf(data: Data, file: string): ClassNames | undefined {
  return data.classNames ? namesByLabel(data.classNames) : folderClassNames(data.source, dirname(file));
}

/** How messages name the source: where a digit is missing ("not in the data file"), and who has labels ("the data has"). */
function sourceNames(data: Data): { where: string; owner: string } {
  const { source } = data;
  if (source === "mnist" || "coloredMnist" in source) return { where: "MNIST", owner: "MNIST" };
  if ("folder" in source) return { where: "the image folder", owner: "the image folder" };
  return { where: "the data file", owner: "the data" };
}

export interface DataChecked {
  problems: Problem[];
  /** The training images' size, once read, and their channels when the source fixes them (`sourceChannels`). */
  image?: { rows: number; cols: number; channels?: 1 | 3 };
  /** data and inject with every label a number, when they resolve. */
  resolved?: LabelsResolved<Labelled>;
  classNames?: ClassNames;
}

/** Every problem the data reveals, with what the model's checks need of it. */
export async function dataProblems(sections: Sections, file: string, read: FactReaders): Promise<DataChecked> {
  const parsed = sectionsOf(sections, "data");
  if (!parsed) return { problems: [] };
  const { data } = parsed;
  let classNames: ClassNames | undefined;
  try {
    classNames = classNamesOf(data, file);
  } catch (e) {
    // The image folder itself is missing or unusable: each split would say the same again.
    if (e instanceof SourceFileError) return { problems: [sourceProblem(file, e)] };
    throw e;
  }
  const problems: Problem[] = [];
  // Labels the experiment alone shows wrong are problems already (rules.ts): only names that wait for the data resolve here.
  const labelled = sectionsOf(sections, "data", "inject");
  const resolution =
    labelled && labelProblemsWithoutData(labelled, file).length === 0 ? resolveLabels(labelled, file, classNames) : undefined;
  problems.push(...(resolution?.problems ?? []));
  const resolved = resolution?.experiment;
  const clustering = sectionsOf(sections, "clustering")?.clustering;
  const signatures = importedSignatures(data);
  if (signatures) {
    const counts = (labelsOf: (split: Split) => Uint8Array | undefined) =>
      resolved ? countProblems(resolved, clustering, file, labelsOf, classNames) : [];
    problems.push(...(await signatureProblems(signatures, sections, file, resolved, classNames, counts)));
    return { problems, resolved, classNames };
  }
  const facts = new Map<Split, SplitFacts>();
  let unread = false;
  for (const split of ["train", "test"] as const) {
    const files = splitFiles(data.source, split, dirname(file));
    if (!files) continue;
    const found = await splitFacts(files, read);
    if (Array.isArray(found)) {
      problems.push(...found.map((e) => sourceProblem(file, e)));
      unread = true;
    } else facts.set(split, found);
  }
  const train = facts.get("train");
  const test = facts.get("test");
  if (train && test && (test.rows !== train.rows || test.cols !== train.cols)) {
    problems.push({
      file: test.file,
      path: ["data", "source"],
      message: `test images are ${test.rows}x${test.cols} but training images are ${train.rows}x${train.cols}`,
      fix: "use test files with the training images' size",
    });
  }
  const channels = sourceChannels(data.source);
  const image = train && { rows: train.rows, cols: train.cols, ...(channels && { channels }) };
  // Counting needs every split the source has: a test split that failed to read would pass for one without the labels.
  if (resolved && !unread) {
    const labelsOf = (s: Split) => facts.get(s)?.labels;
    problems.push(...countProblems(resolved, clustering, file, labelsOf, classNames));
    const seeded = sectionsOf(sections, "seed");
    // Picking needs the splits it picks from (without them, the rules and the counts have said so already).
    const picksFrom = [...poolSplits(resolved.data), ...(holdoutFrom(resolved.data) === "test-split" ? ["test" as const] : [])];
    if (seeded && train?.imageFiles && picksFrom.every((s) => facts.has(s)))
      problems.push(...(await pickedImageProblems({ ...resolved, seed: seeded.seed }, file, facts, read)));
  }
  return { problems, image, resolved, classNames };
}

/** Images whose headers are read at once: enough to overlap the disk's latency, few enough to keep file handles. */
const HEADERS_AT_ONCE = 32;

/**
 * An image folder's images the run will decode (the kept, injected and held-out ones), each one's
 * header read (not its pixels): one that is not a PNG or JPEG, or whose header is broken, stops
 * the run. An image never picked is not judged, as the run never opens it.
 */
async function pickedImageProblems(
  exp: LabelsResolved<Labelled> & Pick<ParsedExperiment, "seed">,
  file: string,
  facts: Map<Split, SplitFacts>,
  read: FactReaders,
): Promise<Problem[]> {
  const picked = picks(exp, (s) => facts.get(s)?.labels);
  const pool = poolSplits(exp.data).map((s) => facts.get(s)!);
  /** The image file at a pool index, and the split it belongs to. */
  const inPool = (at: number): [Split, string] => {
    const split = at < pool[0].count || pool.length === 1 ? 0 : 1;
    const facts = pool[split];
    return [split === 0 ? "train" : "test", facts.imageFiles![split === 0 ? at : at - pool[0].count]];
  };
  const images: [Split, string][] = [
    ...Array.from(picked.kept, inPool),
    ...Array.from(picked.injected, inPool),
    ...Array.from(picked.holdout, (at): [Split, string] =>
      picked.holdoutFromTest ? ["test", facts.get("test")!.imageFiles![at]] : inPool(at),
    ),
  ];
  const broken = new Map<Split, DataFileError[]>();
  for (let start = 0; start < images.length; start += HEADERS_AT_ONCE) {
    const batch = images.slice(start, start + HEADERS_AT_ONCE);
    await Promise.all(
      batch.map(async ([split, image]) => {
        try {
          await read.imageHeader(image);
        } catch (e) {
          if (!(e instanceof DataFileError)) throw e;
          broken.set(split, [...(broken.get(split) ?? []), e]);
        }
      }),
    );
  }
  // One problem per folder, on its field: the first broken image, and how many more there are.
  return [...broken].map(([split, errors]) => {
    const [first, ...others] = errors.sort((a, b) => (a.file < b.file ? -1 : 1));
    const more = others.length > 0 ? ` (and ${others.length} more image${others.length > 1 ? "s" : ""} the run takes)` : "";
    const field = ["data", "source", "folder", split === "train" ? "path" : "testPath"];
    return sourceProblem(file, new SourceFileError(new DataFileError(first.file, `${first.message}${more}`, first.fix), field));
  });
}

/** The kept and injected labels against the labels the data has, and the held-out images. */
function countProblems(
  exp: LabelsResolved<Labelled>,
  clustering: ParsedExperiment["clustering"] | undefined,
  file: string,
  labelsOf: (split: Split) => Uint8Array | undefined,
  names: ClassNames | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const test = labelsOf("test");
  // A "train+test" source without test images is a problem of the experiment alone (rules.ts).
  const counts = countPerLabel(
    poolLabels(
      poolSplits(exp.data)
        .map(labelsOf)
        .filter((l) => l !== undefined),
    ),
  );
  const present = [...counts.keys()].sort((a, b) => a - b);
  const { where: dataFile, owner } = sourceNames(exp.data);
  const inPool = exp.data.from === "train+test" ? ", training and test images together" : "";
  const has = `${owner} has the labels ${present.map((l) => labelText(l, names)).join(", ")}`;
  const { perDigit } = exp.data;
  const fewest = Math.min(...exp.data.digits.map((d) => counts.get(d) ?? 0).filter((n) => n > 0));
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
        // The fewest images any kept label has: the one value that fixes every such problem at once.
        edit: { title: `Set perDigit to ${fewest}`, target: "value", newText: String(fewest) },
      });
  });
  if (perDigit === "all" && problems.length === 0 && clustering) {
    // rules.ts checks k against digits x perDigit; with "all" only the data knows how many images there are.
    const images = exp.data.digits.reduce((n, d) => n + (counts.get(d) ?? 0), 0);
    problems.push(...clusterCountProblems(clustering, file, images, `perDigit "all" keeps ${images}`));
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
        edit: { title: `Set count to ${n}`, target: "value", newText: String(n) },
      });
  });
  if (exp.data.holdout.from === "test-split" && !test) {
    problems.push({
      file,
      path: ["data", "holdout", "from"],
      message: "the source has no test split",
      fix: 'add test files to the source (idx.testImages/testLabels, testCsv or folder.testPath), or use "rest"',
    });
  } else if (holdoutFrom(exp.data) === "test-split" && test) {
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
