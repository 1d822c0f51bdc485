// Writes a results file (the worker and `mtq run`).
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Results } from "../shared/results";

/** Writes the results atomically: a temp file renamed over the target, so a reader never sees half a file. */
export function writeResults(results: Results, file: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(results));
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
