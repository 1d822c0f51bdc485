// Rules between fields that need no data file. Each runs when the sections it reads parsed, so
// that one save shows every problem, and none judged on a section the user did not get right.
import { hasTestSplit, type ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { labelProblemsWithoutData } from "./labels";
import { sectionsOf, type Sections } from "./schema";

export function ruleProblems(sections: Sections, file: string): Problem[] {
  const problems: Problem[] = [];
  const clustering = sectionsOf(sections, "clustering");
  if (clustering) problems.push(...kRangeProblems(clustering.clustering, file));
  const labelled = sectionsOf(sections, "data", "inject");
  // Labels written as names need the classes: data.classNames here, an image folder's subfolders in data.ts.
  if (labelled) problems.push(...labelProblemsWithoutData(labelled, file));
  const trained = sectionsOf(sections, "snapshots", "model", "training");
  if (trained) problems.push(...snapshotProblems(trained, file));
  const data = sectionsOf(sections, "data");
  if (data) problems.push(...splitProblems(data.data, file));
  const counted = sectionsOf(sections, "data", "clustering");
  // With perDigit "all" the number of images depends on the data: data.ts checks it.
  const { perDigit, digits } = counted?.data ?? {};
  if (counted && digits && typeof perDigit === "number") {
    const images = digits.length * perDigit;
    const counting = `${digits.length} digits x ${perDigit} = ${images}`;
    problems.push(...clusterCountProblems(counted.clustering, file, images, counting, " or raise data.perDigit"));
  }
  return problems;
}

function kRangeProblems({ kMin, kMax }: ParsedExperiment["clustering"], file: string): Problem[] {
  if (kMin <= kMax) return [];
  return [{ file, path: ["clustering", "kMin"], message: `kMin (${kMin}) is larger than kMax (${kMax})`, fix: "make kMin <= kMax" }];
}

/** "train+test" needs test images, which are then picked from and cannot also be held out. */
function splitProblems(data: ParsedExperiment["data"], file: string): Problem[] {
  if (data.from !== "train+test") return [];
  const problems: Problem[] = [];
  if (!hasTestSplit(data.source)) {
    problems.push({
      file,
      path: ["data", "from"],
      message: '"train+test" picks from the source\'s test images too, but the source has none',
      fix: 'add test files to the source (idx.testImages/testLabels, testCsv or folder.testPath), or use "train"',
    });
  }
  if (data.holdout.from === "test-split") {
    problems.push({
      file,
      path: ["data", "holdout", "from"],
      message: 'with data.from "train+test" the test images are picked from, so they cannot also be the held-out ones',
      fix: 'use "rest" (the pool\'s images not picked, the default), or data.from: "train"',
    });
  }
  return problems;
}

/**
 * k (or kMax) must be below the number of images; `counted` says how that number came about.
 * The one place this rule is written: for a number perDigit here, for "all" in data.ts once the data is counted.
 */
export function clusterCountProblems(
  clustering: ParsedExperiment["clustering"],
  file: string,
  images: number,
  counted: string,
  otherFix = "",
): Problem[] {
  const ks = clustering.k !== undefined ? { field: "k", value: clustering.k } : { field: "kMax", value: clustering.kMax };
  if (ks.value < images) return [];
  // The schema's least k is 2: below that no lower value fixes it, only more images.
  const lowered = Math.min(images - 1, 100);
  const edit =
    lowered >= Math.max(2, ks.field === "kMax" ? clustering.kMin : 2)
      ? { title: `Set ${ks.field} to ${lowered}`, target: "value" as const, newText: String(lowered) }
      : undefined;
  return [
    {
      file,
      path: ["clustering", ks.field],
      message: `${ks.field} (${ks.value}) must be below the number of images (${counted})`,
      fix: `lower ${ks.field} below ${images}${otherFix}`,
      ...(edit && { edit }),
    },
  ];
}

function snapshotProblems(exp: Pick<ParsedExperiment, "snapshots" | "model" | "training">, file: string): Problem[] {
  const snapshots = exp.snapshots ?? [];
  if ((exp.model.kind === "saved" || exp.model.kind === "onnx") && snapshots.length > 0) {
    return [
      {
        file,
        path: ["snapshots"],
        message: `${exp.model.kind === "onnx" ? "an ONNX" : "a saved"} model is not trained, so there are no epochs to record`,
        fix: 'remove "snapshots", or train a "dense" or "cnn" model',
      },
    ];
  }
  const { epochs } = exp.training;
  return snapshots.flatMap((epoch, i): Problem[] => {
    if (epoch > epochs)
      return [
        {
          file,
          path: ["snapshots", i],
          message: `epoch ${epoch} is beyond the last one (training.epochs is ${epochs})`,
          fix: `use epochs from 1 to ${epochs}, or raise training.epochs`,
        },
      ];
    if (snapshots.indexOf(epoch) !== i)
      return [{ file, path: ["snapshots", i], message: `epoch ${epoch} is listed twice`, fix: "list each epoch once" }];
    return [];
  });
}
