// A problem in an experiment file: what the CLI prints and what the editor shows as a Diagnostic
// on the field it names. Both sides format it from this one shape.
export type JsonPath = (string | number)[];

export interface Problem {
  /** The file at fault (the experiment, or a data file it names). */
  file: string;
  /** JSON path of the field in the experiment file; empty for the whole document. */
  path: JsonPath;
  message: string;
  /** How to fix it, said to the user. */
  fix: string;
  /** When the fix is mechanical: the edit that makes it, offered as a Quick Fix in the editor. */
  edit?: ProblemEdit;
  /** For a key written more than once in its object: which writing the problem is about (0 is the first). */
  occurrence?: number;
}

/**
 * Replace the key or the value of the field at the problem's `path` with `newText` (JSON text:
 * `"epochs"` for a key, `6742` or `"seven"` for a value). Only for problems in the experiment file.
 */
export interface ProblemEdit {
  /** The Quick Fix's title, e.g. 'Rename to "epochs"', 'Set perDigit to 6742'. */
  title: string;
  target: "key" | "value";
  newText: string;
}

export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return "(document)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${formatJsonPath(p.path)}: ${p.message}. Fix: ${p.fix}`;
}

/** Thrown by the pipeline for bad input; carries the problems to show instead of a stack trace. */
export class ExperimentError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ExperimentError";
  }
}
