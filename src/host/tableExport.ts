// MTQ: Export Table… and the results view's Table… button: the tidy table (src/results/table.ts)
// of some images of a results file (a selection, a cluster, the outliers, a named selection, or every
// image), as CSV or Parquet (src/results/tableFiles.ts), saved where the user says and confirmed.
// The table is built here from the results file as it is on disk, with its named selections as the
// `selections` column: the view sends which images, never the table.
import { basename } from "node:path";
import * as vscode from "vscode";
import type { TableFormat } from "../results/tableFiles";
import type { Selection } from "../shared/protocol";
import { onDemand } from "./loadOnDemand";
import { log } from "./log";
import { resultsFiles } from "./resultsFile";
import { confirmSaved } from "./savedFile";
import type { SavedSelectionsStore } from "./savedSelections";
import { imageCountText } from "../shared/imageCount";

const FORMATS: { format: TableFormat; label: string; detail: string }[] = [
  { format: "parquet", label: "Parquet", detail: "typed columns, compressed: pandas.read_parquet, polars, DuckDB, Arrow" },
  { format: "csv", label: "CSV", detail: "text, one line per image: spreadsheets, pandas.read_csv, R" },
];

const FILTERS: Record<TableFormat, Record<string, string[]>> = {
  parquet: { "Parquet table": ["parquet"] },
  csv: { "CSV table": ["csv"] },
};

/** A file-name part from a selection's label: "cluster 2 of layer 1" -> "cluster-2-of-layer-1". */
function slug(label: string): string {
  return (
    label
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "selection"
  );
}

/**
 * Asks which table (each of `choices` — a set of images, or null for every image — as Parquet or
 * CSV) and where to save it, then writes it. `epoch` tables a training snapshot (the view's epoch
 * slider); the final model when absent.
 */
export async function exportTable(
  resultsFile: string,
  saved: SavedSelectionsStore,
  choices: (Selection | null)[],
  epoch?: number,
): Promise<void> {
  const { tidyTable, defaultTableFile, writeTable } = onDemand();
  const { results } = await resultsFiles.read(resultsFile);
  const count = results.images.count;
  const what = (rows: Selection | null) =>
    rows ? `${rows.label}: ${imageCountText(rows.images.length)}` : `every image: ${imageCountText(count)}`;
  const picked = await vscode.window.showQuickPick(
    choices.flatMap((rows) =>
      FORMATS.map(({ format, label, detail }) => ({ label: `$(table) ${label}`, description: what(rows), detail, format, rows })),
    ),
    {
      title: `Export a table of ${basename(resultsFile)}`,
      placeHolder: "A row per image: its clusters, path, map positions, scores and named selections",
    },
  );
  if (!picked) return;
  const { format, rows } = picked;
  const everything = defaultTableFile(resultsFile, format);
  const suggested = rows ? everything.replace(/\.table\./, `.${slug(rows.label)}.`) : everything;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(suggested),
    filters: FILTERS[format],
    title: `Export ${rows ? imageCountText(rows.images.length) : "every image"} as ${format === "csv" ? "CSV" : "Parquet"}`,
  });
  if (!target) return;
  const named = await saved.read(resultsFile, count);
  if (named.problem) {
    void vscode.window.showWarningMessage(`MTQ: the table's "selections" column is empty: ${named.problem}`);
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `MTQ: writing ${basename(target.fsPath)}` },
    async () => {
      const table = tidyTable(results, { images: rows?.images, epoch, selections: named.selections });
      await writeTable(table, format, target.fsPath);
    },
  );
  log().info(`exported ${rows ? imageCountText(rows.images.length) : "every image"} of ${resultsFile} as ${format} to ${target.fsPath}`);
  void confirmSaved(target);
}
