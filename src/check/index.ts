// Checking an experiment: the one entry point that `mtq validate`, `mtq run`, the training worker
// and the editor's diagnostics all call. Every problem at once, each on its field with its fix.
import { readFile } from "node:fs/promises";
import type { Experiment, ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { resolveExperiment, checkExperimentData } from "../pipeline/data/prepare";
import { parseExperiment } from "../pipeline/validate";

export interface CheckRequest {
  /** The experiment file: relative paths in it, and the problems, refer to it. */
  file: string;
  /** The experiment's text as the editor holds it (unsaved edits); read from `file` when absent. */
  text?: string;
  /** Whether to read the data and model files it names (default true; false in an untrusted workspace). */
  data?: boolean;
}

export type Checked =
  /** Nothing stops the run: the experiment as written, and with its class names resolved to labels. */
  | { ok: true; parsed: ParsedExperiment; experiment: Experiment; problems: [] }
  | { ok: false; problems: Problem[] };

export async function checkExperiment({ file, text, data = true }: CheckRequest): Promise<Checked> {
  let source = text;
  if (source === undefined) {
    try {
      source = await readFile(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const message = code === "ENOENT" ? "file not found" : `cannot read the file (${code})`;
      return { ok: false, problems: [{ file, path: [], message, fix: "check the path of the experiment file" }] };
    }
  }
  const parsed = parseExperiment(source, file);
  if (!parsed.experiment) return { ok: false, problems: parsed.problems };
  if (!data) return { ok: false, problems: [] };
  const problems = checkExperimentData(parsed.experiment, file);
  if (problems.length > 0) return { ok: false, problems };
  const resolved = resolveExperiment(parsed.experiment, file);
  if (!resolved.experiment) return { ok: false, problems: resolved.problems };
  return { ok: true, parsed: parsed.experiment, experiment: resolved.experiment, problems: [] };
}
