// Checking an experiment: the one entry point that `mtq validate`, `mtq run`, the training worker
// and the editor's diagnostics all call. Every problem at once, each on its field with its fix:
// the schema section by section (schema.ts), the rules between fields (rules.ts), the class names
// (labels.ts), the data files (data.ts, through src/data's cheap readers, remembered by cache.ts)
// and the model (model.ts). A check runs when the sections it reads parsed.
import type { Experiment, ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { cachedReaders } from "./cache";
import { dataProblems } from "./data";
import { experimentProblems, experimentText } from "./experiment";
import type { ClassNames } from "./labels";
import { modelProblems } from "./model";
import { sectionsOf } from "./schema";

export interface CheckRequest {
  /** The experiment file: relative paths in it, and the problems, refer to it. */
  file: string;
  /** The experiment's text as the editor holds it (unsaved edits); read from `file` when absent. */
  text?: string;
  /** Whether to read the data and model files it names (default true; false in an untrusted workspace). */
  data?: boolean;
}

export type Checked =
  /** Nothing stops the run: the experiment as written, with its class names resolved to labels, and the classes' names. */
  | { ok: true; parsed: ParsedExperiment; experiment: Experiment; classNames?: ClassNames; problems: [] }
  /** Something does: every problem found. */
  | { ok: false; problems: Problem[]; unread?: undefined }
  /** `data: false` and the experiment alone has no problem: its files were not read, so whether it runs is not known. */
  | { ok: false; unread: true; parsed: ParsedExperiment; problems: [] };

export async function checkExperiment({ file, text, data = true }: CheckRequest): Promise<Checked> {
  let source = text;
  if (source === undefined) {
    const read = await experimentText(file);
    if (typeof read !== "string") return { ok: false, problems: [read] };
    source = read;
  }
  const { sections, problems } = experimentProblems(source, file);
  if (!sections) return { ok: false, problems };
  if (!data) {
    if (problems.length > 0) return { ok: false, problems };
    return { ok: false, unread: true, parsed: sections.values as ParsedExperiment, problems: [] };
  }
  const checked = await dataProblems(sections, file, cachedReaders);
  problems.push(...checked.problems);
  const model = sectionsOf(sections, "model")?.model;
  if (model) {
    const classes = checked.resolved && new Set(checked.resolved.data.digits).size;
    problems.push(...(await modelProblems(model, file, { image: checked.image, classes })));
  }
  if (problems.length > 0 || !checked.resolved) return { ok: false, problems };
  const parsed = sections.values as ParsedExperiment;
  const experiment: Experiment = { ...parsed, data: checked.resolved.data, inject: checked.resolved.inject };
  return { ok: true, parsed, experiment, ...(checked.classNames && { classNames: checked.classNames }), problems: [] };
}
