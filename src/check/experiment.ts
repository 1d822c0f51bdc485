// The experiment alone, without reading the files it names: its schema and the rules between its
// fields. What an untrusted workspace gets, and how tests and scripts build an experiment.
import { readFileSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { ruleProblems } from "./rules";
import { parseSections, type Sections } from "./schema";
import { signatureRuleProblems } from "./signatures";

/** An experiment whose labels may still be class names: the data checks resolve them. */
export type Parsed = { experiment: ParsedExperiment; problems: [] } | { experiment?: undefined; problems: Problem[] };

/**
 * The largest experiment file read: 1 MB. An experiment is a few hundred bytes to a few KB (256
 * class names included); a larger file is not one, and parsing it would hold it several times over.
 */
export const MAX_EXPERIMENT_BYTES = 1024 * 1024;

function tooLarge(file: string, size: number): Problem {
  const mb = size >= 1024 * 1024 ? `${Math.ceil(size / 1024 ** 2)} MB` : `${Math.ceil(size / 1024)} KB`;
  return {
    file,
    path: [],
    message: `the experiment file holds ${mb}, above the ${MAX_EXPERIMENT_BYTES / 1024 ** 2} MB an experiment may take`,
    fix: "open the .mtq.json experiment, not a data or results file; data files are named in it (data.source)",
  };
}

/** The text's sections and every problem the experiment alone reveals. */
export function experimentProblems(text: string, file: string): { sections?: Sections; problems: Problem[] } {
  if (text.length > MAX_EXPERIMENT_BYTES) return { problems: [tooLarge(file, Buffer.byteLength(text))] };
  const { sections, problems } = parseSections(text, file);
  return {
    sections,
    problems: sections ? [...problems, ...ruleProblems(sections, file), ...signatureRuleProblems(sections, text, file)] : problems,
  };
}

/** The experiment in `text`, or the problems that stop it being one (its files unread). */
export function parseExperiment(text: string, file: string): Parsed {
  const { sections, problems } = experimentProblems(text, file);
  if (!sections || problems.length > 0) return { problems };
  return { experiment: sections.values as ParsedExperiment, problems: [] };
}

export function unreadableExperiment(file: string, e: unknown): Problem {
  const code = (e as NodeJS.ErrnoException).code;
  const message = code === "ENOENT" ? "file not found" : `cannot read the file (${code})`;
  return { file, path: [], message, fix: "check the path of the experiment file" };
}

/** The experiment file's text, its size read first; or the problem that stops it being read. */
export async function experimentText(file: string): Promise<string | Problem> {
  try {
    const { size } = await stat(file);
    if (size > MAX_EXPERIMENT_BYTES) return tooLarge(file, size);
    return readFileSync(file, "utf8");
  } catch (e) {
    return unreadableExperiment(file, e);
  }
}

export function readExperimentFile(file: string): Parsed {
  let text: string;
  try {
    const { size } = statSync(file);
    if (size > MAX_EXPERIMENT_BYTES) return { problems: [tooLarge(file, size)] };
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { problems: [unreadableExperiment(file, e)] };
  }
  return parseExperiment(text, file);
}
