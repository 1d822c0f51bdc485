import { basename, dirname, join } from "node:path";

/** Where a run's results go: NAME.results.json in `folder`, or beside the experiment (the worker, `mtq run` and the settings agree on it). */
export function defaultResultsFile(experimentName: string, experimentFile: string, folder?: string): string {
  return join(folder ?? dirname(experimentFile), `${experimentName}.results.json`);
}

/** `X.selections.json` beside `X.results.json` (any other name: its `.json` replaced, or `.selections.json` appended). */
export function selectionsFileFor(resultsFile: string): string {
  const name = basename(resultsFile);
  const stem = name.endsWith(".results.json") ? name.slice(0, -".results.json".length) : name.replace(/\.json$/i, "");
  return join(dirname(resultsFile), `${stem}.selections.json`);
}
