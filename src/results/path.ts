import { dirname, join } from "node:path";

/** Where a run's results go: NAME.results.json in `folder`, or beside the experiment (the worker, `mtq run` and the settings agree on it). */
export function defaultResultsFile(experimentName: string, experimentFile: string, folder?: string): string {
  return join(folder ?? dirname(experimentFile), `${experimentName}.results.json`);
}
