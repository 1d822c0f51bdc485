// From the user's settings to the worker's RunOptions: where the results go, which backend, which
// seed. Pure, so the rules are tested without VS Code.
import { dirname, isAbsolute, resolve } from "node:path";
import { defaultResultsFile } from "../results/path";
import type { Backend } from "../shared/backends";
import type { RunOptions } from "../shared/workerProtocol";

/** The `mtq.*` settings, as read from VS Code's configuration. */
export interface MtqSettings {
  /** Folder for results files; "" = beside the experiment; relative = to the workspace folder. */
  resultsFolder: string;
  backend: Backend;
  /** Overrides every experiment's seed when set; null keeps the experiment's own (default 24). */
  defaultSeed: number | null;
}

/** The results file a run writes: NAME.results.json in the results folder or beside the experiment. */
export function resultsFileFor(
  settings: MtqSettings,
  experimentName: string,
  experimentFile: string,
  workspaceFolder: string | undefined,
): string {
  const folder = settings.resultsFolder.trim();
  if (folder === "") return defaultResultsFile(experimentName, experimentFile);
  return defaultResultsFile(
    experimentName,
    experimentFile,
    isAbsolute(folder) ? folder : resolve(workspaceFolder ?? dirname(experimentFile), folder),
  );
}

export function runOptionsFor(
  settings: MtqSettings,
  experimentName: string,
  experimentFile: string,
  workspaceFolder: string | undefined,
): RunOptions & { outFile: string } {
  return {
    outFile: resultsFileFor(settings, experimentName, experimentFile, workspaceFolder),
    backend: settings.backend,
    ...(settings.defaultSeed === null ? {} : { seed: settings.defaultSeed }),
  };
}
