// MTQ: Export Table… and the results view's Table… button: the tidy table (src/results/table.ts)
// of some images of a results file (a selection, a cluster, the outliers, a named selection, or every
// image), or their stored neighbours' table (neighboursTable), as CSV or Parquet
// (src/results/tableFiles.ts), saved where the user says and confirmed.
// The table is built here from the results file as it is on disk, with its named selections as the
// `selections` column: the view sends which images, never the table.
import { basename } from "node:path";
import * as vscode from "vscode";
import { storesNeighbours } from "../results/neighbours";
import type { TableFormat } from "../results/tableFiles";
import { stateWhenEpochEnded } from "../shared/epochs";
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

type TableKind = "table" | "neighbours";

interface TableChoice extends vscode.QuickPickItem {
  format: TableFormat;
  rows: Selection | null;
  /** Not `kind`: QuickPickItem's own (a separator). */
  table: TableKind;
}

const NEIGHBOURS_DETAIL = "each image's nearest in each layer, a row per neighbour with its distance: joins the table on id";

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
 * CSV; their neighbours' table too when the results store the neighbours) and where to save it,
 * then writes it. `epoch` tables a training snapshot (the view's epoch slider); the final model when absent.
 */
export async function exportTable(
  resultsFile: string,
  saved: SavedSelectionsStore,
  choices: (Selection | null)[],
  epoch?: number,
): Promise<void> {
  const { tidyTable, neighboursTable, defaultTableFile, writeTable } = onDemand();
  const { results } = await resultsFiles.read(resultsFile);
  const count = results.images.count;
  const what = (rows: Selection | null) =>
    rows ? `${rows.label}: ${imageCountText(rows.images.length)}` : `every image: ${imageCountText(count)}`;
  const state = (epoch === undefined ? undefined : stateWhenEpochEnded(results, epoch)) ?? results;
  const kinds: TableKind[] = state.layers.every(storesNeighbours) ? ["table", "neighbours"] : ["table"];
  const picked = await vscode.window.showQuickPick(
    kinds.flatMap((kind) =>
      choices.flatMap((rows) =>
        FORMATS.map(({ format, label, detail }): TableChoice =>
          kind === "table"
            ? { label: `$(table) ${label}`, description: what(rows), detail, format, rows, table: kind }
            : {
                label: `$(type-hierarchy) Neighbours, ${label}`,
                description: what(rows),
                detail: NEIGHBOURS_DETAIL,
                format,
                rows,
                table: kind,
              },
        ),
      ),
    ),
    {
      title: `Export a table of ${basename(resultsFile)}`,
      placeHolder: "A row per image: its clusters, path, map positions, scores and named selections; or per neighbour",
    },
  );
  if (!picked) return;
  const { format, rows, table: kind } = picked;
  const everything = defaultTableFile(resultsFile, format, kind);
  // X.table.parquet -> X.cluster-2-of-layer-1.parquet; X.neighbours.parquet -> X.cluster-2-of-layer-1.neighbours.parquet.
  const suggested = rows
    ? everything.replace(/\.(table|neighbours)\./, (_, k: string) => `.${slug(rows.label)}${k === "table" ? "" : ".neighbours"}.`)
    : everything;
  const whose = rows ? imageCountText(rows.images.length) : "every image";
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(suggested),
    filters: FILTERS[format],
    title: `Export ${kind === "table" ? whose : `the neighbours of ${whose}`} as ${format === "csv" ? "CSV" : "Parquet"}`,
  });
  if (!target) return;
  const named = kind === "table" ? await saved.read(resultsFile, count) : undefined;
  if (named?.problem) {
    void vscode.window.showWarningMessage(`MTQ: the table's "selections" column is empty: ${named.problem}`);
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `MTQ: writing ${basename(target.fsPath)}` },
    async () => {
      const options = { images: rows?.images, epoch };
      const table =
        kind === "table" ? tidyTable(results, { ...options, selections: named?.selections }) : neighboursTable(results, options);
      await writeTable(table, format, target.fsPath);
    },
  );
  log().info(`exported the ${kind} of ${whose} of ${resultsFile} as ${format} to ${target.fsPath}`);
  void confirmSaved(target);
}
