// The experiment alone, without reading the files it names: its schema and the rules between its
// fields. What an untrusted workspace gets, and how tests and scripts build an experiment.
import { readFileSync } from "node:fs";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { ruleProblems } from "./rules";
import { parseSections, type Sections } from "./schema";
import { signatureRuleProblems } from "./signatures";

/** An experiment whose labels may still be class names: the data checks resolve them. */
export type Parsed = { experiment: ParsedExperiment; problems: [] } | { experiment?: undefined; problems: Problem[] };

/** The text's sections and every problem the experiment alone reveals. */
export function experimentProblems(text: string, file: string): { sections?: Sections; problems: Problem[] } {
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

export function readExperimentFile(file: string): Parsed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { problems: [unreadableExperiment(file, e)] };
  }
  return parseExperiment(text, file);
}
