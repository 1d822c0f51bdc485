// Writes a results file (the worker and `mtq run`), and says beforehand when it could not be
// written, so that a run never trains for minutes and then fails on its last step.
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Results } from "../shared/results";
import { writeFileAtomic } from "./atomicWrite";

/** Writes the results atomically: a reader never sees half a file, and a failed write leaves the old one. */
export async function writeResults(results: Results, file: string): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(results));
}

/** Why `file` cannot be written as a results file (its folder missing or read-only, a folder in its place), or undefined. */
export function resultsFileProblem(file: string): string | undefined {
  const folder = dirname(file);
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder; write the results into a folder`;
    accessSync(folder, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `the folder ${folder} does not exist; create it, or write the results elsewhere`;
    return `the folder ${folder} cannot be written (${code ?? String(e)}); make it writable, or write the results elsewhere`;
  }
  try {
    if (statSync(file).isDirectory()) return `${file} is a folder; name a file, e.g. ${file}/NAME.results.json`;
  } catch {
    // Absent: it will be created.
  }
  return undefined;
}
