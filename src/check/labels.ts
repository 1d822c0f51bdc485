// Labels written as class names (`"digits": ["cat", "dog"]`, `"inject": [{ "digit": "fox" }]`),
// resolved to numbers once the classes are known: from `data.classNames` (classNames[i] names
// label i), else from an image folder's subfolders. Everything after the resolution (the data
// checks, training, findings, the results file and its views) sees numbers only.
import type { Experiment, LabelRef, ParsedExperiment } from "../shared/experiment";
import type { JsonPath, Problem } from "../shared/problems";
import { nearestWord } from "./nearest";

/** Label -> class name. */
export type ClassNames = Record<string, string>;

/** What labels are read from: the kept classes, the injected ones, and who names them. */
export type Labelled = Pick<ParsedExperiment, "data" | "inject">;

/** `E` with every label a number. */
export type LabelsResolved<E extends Labelled> = Omit<E, "data" | "inject"> & Pick<Experiment, "data" | "inject">;

export type Resolved<E extends Labelled = ParsedExperiment> =
  { experiment: LabelsResolved<E>; problems: [] } | { experiment?: undefined; problems: Problem[] };

/** classNames[i] names label i. */
export function namesByLabel(classNames: readonly string[]): ClassNames {
  return Object.fromEntries(classNames.map((name, label) => [String(label), name]));
}

/** "3" or, when the classes have names, "3 (Dress)". */
export function labelText(label: number, names: ClassNames | undefined): string {
  const name = names?.[label];
  return name ? `${label} (${name})` : String(label);
}

/** "digit 3" or, when the classes have names, "class 3 (Dress)": how data messages name a label. */
export function labelPhrase(label: number, names: ClassNames | undefined): string {
  return `${names ? "class" : "digit"} ${labelText(label, names)}`;
}

/** Whether any label of the experiment is written as a name. */
function hasNamedLabels(exp: Labelled): boolean {
  return exp.data.digits.some((d) => typeof d === "string") || exp.inject.some((inj) => typeof inj.digit === "string");
}

function isFolder(exp: Labelled): boolean {
  return typeof exp.data.source === "object" && "folder" in exp.data.source;
}

/** Who names the classes, for messages. */
function namedBy(exp: Labelled): string {
  return exp.data.classNames ? "data.classNames" : "the image folder's subfolders";
}

/** Why a name cannot be resolved when the classes have no names. */
function unnamedReason(exp: Labelled): string {
  const { source } = exp.data;
  if (source === "mnist" || (typeof source === "object" && "coloredMnist" in source)) return "MNIST's classes have no names";
  if (isFolder(exp)) return "the image folder's subfolders are named by their labels (0-255), so its classes have no other names";
  return "the data file's classes have no names";
}

const LISTED = 12;

/** "0 (cat), 1 (dog), 2 (fox)", shortened when there are many classes. */
function classList(names: ClassNames): string {
  const labels = Object.keys(names)
    .map(Number)
    .sort((a, b) => a - b);
  const shown = labels.slice(0, LISTED).map((l) => labelText(l, names));
  return labels.length > LISTED ? `${shown.join(", ")}, ... (${labels.length} classes)` : shown.join(", ");
}

/** The label a name stands for, or the problem with it. */
function labelOfName(name: string, exp: Labelled, names: ClassNames | undefined, file: string, path: JsonPath): number | Problem {
  const asNumber = /^\d+$/.test(name) && Number(name) <= 255 ? ` (a label is written without quotes: ${Number(name)})` : "";
  if (!names) {
    return {
      file,
      path,
      message: `"${name}" is a class name, but ${unnamedReason(exp)}`,
      fix: `use the label's number${asNumber}, or add data.classNames (classNames[i] names label i)`,
    };
  }
  const labels = Object.entries(names)
    .filter(([, n]) => n === name)
    .map(([l]) => Number(l));
  if (labels.length === 1) return labels[0];
  if (labels.length > 1) {
    return {
      file,
      path,
      message: `"${name}" names ${labels.length} classes in ${namedBy(exp)} (labels ${labels.join(", ")})`,
      fix: "use the label's number, or give each class its own name in data.classNames",
    };
  }
  const near = nearestWord(name, Object.values(names));
  return {
    file,
    path,
    message: `no class is named "${name}" in ${namedBy(exp)}`,
    fix: `${near ? `did you mean "${near}"? Else use` : "use"} one of the classes, by name or by label${asNumber}: ${classList(names)}`,
    ...(near && { edit: { title: `Use "${near}"`, target: "value" as const, newText: JSON.stringify(near) } }),
  };
}

/**
 * A label as written, where (its index in data.digits or inject) and the class it stands for
 * (`key`: its label, or the name itself while the names are unknown).
 */
interface Written {
  raw: LabelRef;
  index: number;
  key: number | string;
}

/** The same class kept twice, kept and injected, or injected twice: problems however the labels are written. */
function clashProblems(digits: Written[], inject: Written[], file: string, names: ClassNames | undefined): Problem[] {
  const text = (w: Written) => (typeof w.key === "number" ? labelText(w.key, names) : JSON.stringify(w.key));
  const noun = (w: Written) => (typeof w.raw === "string" || (typeof w.key === "number" && names?.[w.key]) ? "class" : "digit");
  const plural = (w: Written) => (noun(w) === "class" ? "classes" : "digits");
  const problems: Problem[] = [];
  digits.forEach((d, i) => {
    const first = digits.find((e) => e.key === d.key);
    if (!first || first === digits[i]) return;
    const as = first.raw === d.raw ? "" : ` (as ${JSON.stringify(first.raw)} and ${JSON.stringify(d.raw)})`;
    problems.push({
      file,
      path: ["data", "digits", d.index],
      message: `${noun(d)} ${text(d)} is listed twice${as}`,
      fix: `list each ${noun(d)} once`,
    });
  });
  const kept = [...new Set(digits.map(text))].join(", ");
  inject.forEach((inj, i) => {
    const same = digits.find((d) => d.key === inj.key);
    if (same) {
      const as = same.raw === inj.raw ? "" : ` (data.digits has it as ${JSON.stringify(same.raw)})`;
      problems.push({
        file,
        path: ["inject", inj.index, "digit"],
        message: `${noun(inj)} ${text(inj)} is one of the trained ${plural(inj)}${as}, so it is not unseen`,
        fix: `inject a ${noun(inj)} not in data.digits (${kept})`,
      });
      return;
    }
    // Both entries would pick the same images (the same first ones, or the same seeded sample).
    const earlier = inject.slice(0, i).find((e) => e.key === inj.key);
    if (!earlier) return;
    const as = earlier.raw === inj.raw ? "" : ` (as ${JSON.stringify(earlier.raw)} and ${JSON.stringify(inj.raw)})`;
    problems.push({
      file,
      path: ["inject", inj.index, "digit"],
      message: `${noun(inj)} ${text(inj)} is injected twice${as}: inject[${earlier.index}] picks the same images`,
      fix: `inject each ${noun(inj)} once, with the count wanted in one entry`,
    });
  });
  return problems;
}

/** data.digits' problems first, then inject's, each in order. */
function sortedByPath(problems: Problem[]): Problem[] {
  const rank = (p: Problem) => (p.path[0] === "data" ? [0, Number(p.path[2])] : [1, Number(p.path[1])]);
  return [...problems].sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
}

/**
 * The experiment with every label a number, given the classes' names (label -> name; undefined
 * when the classes have none), or the problems: an unknown or ambiguous name, a name where the
 * classes have none, a class kept twice, kept and injected, or injected twice.
 */
export function resolveLabels<E extends Labelled>(exp: E, file: string, names: ClassNames | undefined): Resolved<E> {
  const problems: Problem[] = [];
  /** The labels of `raws` that resolve (the others are problems), with where they are written. */
  const resolved = (raws: LabelRef[], pathOf: (i: number) => JsonPath) =>
    raws.flatMap((raw, index): (Written & { key: number })[] => {
      if (typeof raw === "number") return [{ raw, index, key: raw }];
      const label = labelOfName(raw, exp, names, file, pathOf(index));
      if (typeof label === "number") return [{ raw, index, key: label }];
      problems.push(label);
      return [];
    });
  const digits = resolved(exp.data.digits, (i) => ["data", "digits", i]);
  const injected = resolved(
    exp.inject.map((inj) => inj.digit),
    (i) => ["inject", i, "digit"],
  );
  // Clashes between the labels that resolve, so that one save shows every problem.
  problems.push(...clashProblems(digits, injected, file, names));
  if (problems.length > 0) return { problems: sortedByPath(problems) };
  const inject = exp.inject.map((inj, i) => ({ ...inj, digit: injected[i].key }));
  const experiment = { ...exp, data: { ...exp.data, digits: digits.map((d) => d.key) }, inject } as LabelsResolved<E>;
  return { experiment, problems: [] };
}

/**
 * The label problems the experiment alone reveals, without reading data: all of them, except
 * when names wait for an image folder's subfolders (no data.classNames); then the labels
 * repeated as written (the data checks resolve the names and find the rest).
 */
export function labelProblemsWithoutData(exp: Labelled, file: string): Problem[] {
  const names = exp.data.classNames && namesByLabel(exp.data.classNames);
  if (names || !isFolder(exp) || !hasNamedLabels(exp)) return resolveLabels(exp, file, names).problems;
  const asWritten = (raw: LabelRef, index: number): Written => ({ raw, index, key: raw });
  return clashProblems(
    exp.data.digits.map(asWritten),
    exp.inject.map((inj, i) => asWritten(inj.digit, i)),
    file,
    undefined,
  );
}
