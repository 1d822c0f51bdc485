import { dirname, join } from "node:path";

/** Where a run's results go: NAME.results.json in `folder`, or beside the experiment. Kept free of TF.js so the extension host can import it. */
export function defaultResultsFile(experimentName: string, experimentFile: string, folder?: string): string {
  return join(folder ?? dirname(experimentFile), `${experimentName}.results.json`);
}
