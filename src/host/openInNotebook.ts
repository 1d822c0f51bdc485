// MTQ: Open in Notebook: writes the run's table and a notebook beside its results file
// (src/results/notebook.ts) and opens the notebook in VS Code's own notebook editor.
import { access } from "node:fs/promises";
import { basename } from "node:path";
import * as vscode from "vscode";
import { onDemand } from "./loadOnDemand";
import { log } from "./log";
import { resultsFiles } from "./resultsFile";
import type { SavedSelectionsStore } from "./savedSelections";

const REPLACE = "Replace";
const OPEN_EXISTING = "Open Existing";

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Whether to write the notebook: yes when there is none; the user's choice when there is one, which
 * they may have edited (undefined: they dismissed the question, so nothing is done).
 */
async function writeNotebook(notebook: string): Promise<boolean | undefined> {
  if (!(await exists(notebook))) return true;
  const choice = await vscode.window.showWarningMessage(
    `${basename(notebook)} already exists and may hold your own changes.`,
    { modal: true, detail: "Replace it with a new notebook of this run, or open it as it is (its table is written again either way)." },
    REPLACE,
    OPEN_EXISTING,
  );
  return choice === undefined ? undefined : choice === REPLACE;
}

/**
 * Writes `X.table.parquet`, `X.table.csv` and `X.ipynb` beside `resultsFile` (`X.results.json`)
 * and opens the notebook; an existing notebook is replaced only if the user says so. An error (a
 * results file it cannot read, a folder it cannot write) is thrown with the file and the fix, for
 * the command to show; nothing half-written is left.
 */
export async function openInNotebook(resultsFile: string, saved: SavedSelectionsStore): Promise<void> {
  const { notebookFileFor, writeNotebookFiles } = onDemand();
  const notebook = notebookFileFor(resultsFile);
  const write = await writeNotebook(notebook);
  if (write === undefined) return;
  const written = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `MTQ: ${basename(notebook)}`, cancellable: true },
    async (progress, token) => {
      progress.report({ message: `reading ${basename(resultsFile)}` });
      const { results } = await resultsFiles.read(resultsFile);
      // As the table export does: a selections file it cannot read leaves the column empty, with a warning.
      const named = await saved.read(resultsFile, results.images.count);
      if (named.problem) void vscode.window.showWarningMessage(`MTQ: the table's "selections" column is empty: ${named.problem}`);
      if (token.isCancellationRequested) return undefined;
      progress.report({ message: write ? "writing the table and the notebook" : "writing the table" });
      return writeNotebookFiles(resultsFile, results, named.selections, { notebook: write });
    },
  );
  if (!written) return;
  log().info(`${resultsFile}: table written to ${written.parquet} and ${written.csv}${write ? `, notebook to ${notebook}` : ""}`);
  const document = await vscode.workspace.openNotebookDocument(vscode.Uri.file(notebook));
  await vscode.window.showNotebookDocument(document);
}
