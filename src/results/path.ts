import { basename, dirname, join } from "node:path";

/** Where a run's results go: NAME.results.json in `folder`, or beside the experiment (the worker, `mtq run` and the settings agree on it). */
export function defaultResultsFile(experimentName: string, experimentFile: string, folder?: string): string {
  return join(folder ?? dirname(experimentFile), `${experimentName}.results.json`);
}

/**
 * `X.SUFFIX` beside `X.results.json` (any other name: its `.json` dropped, or SUFFIX appended): the
 * named selections, the tables and the notebook made from a run's results share its stem.
 */
export function siblingFile(resultsFile: string, suffix: string): string {
  const stem = basename(resultsFile).replace(/(\.results)?\.json$/i, "");
  return join(dirname(resultsFile), `${stem}.${suffix}`);
}

/** `X.selections.json` beside `X.results.json`. */
export function selectionsFileFor(resultsFile: string): string {
  return siblingFile(resultsFile, "selections.json");
}
