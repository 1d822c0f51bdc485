// The notebook beside a results file (`X.results.json` -> `X.ipynb`, nbformat 4.5). It reads the
// run's tidy table (table.ts) with pandas, from `X.table.parquet` or, where pandas has no Parquet
// engine, from `X.table.csv` beside it, and redraws the results view's figures from the table with
// matplotlib: a layer's map, every layer's clusters and purity, every image's path with the injected
// images' follow-the-path shares, and the outliers. Its file names are relative, so the folder can
// be moved as a whole; the same results give the same notebook, byte for byte.
import { basename } from "node:path";
import { labelAndName } from "../shared/classNames";
import { DIGIT_COLORS } from "../shared/digitColors";
import { labelGroups } from "../shared/labelGroups";
import { OUTLIER_SCORE, SEPARATION_PURITY } from "../shared/figures";
import type { Results } from "../shared/results";
import type { NamedSelection } from "../shared/selections";
import { writeFileAtomic } from "./atomicWrite";
import { siblingFile } from "./path";
import { LIST_SEPARATOR, TABLE_COLUMNS, tidyTable } from "./table";
import { CSV_FORMULA_START, defaultTableFile, writeTable } from "./tableFiles";

/** An nbformat 4 cell as the file holds it: its source a list of lines, each but the last ending in "\n". */
export type NotebookCell =
  | { cell_type: "markdown"; id: string; metadata: Record<string, never>; source: string[] }
  | { cell_type: "code"; id: string; metadata: Record<string, never>; source: string[]; execution_count: null; outputs: [] };

export interface Notebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: {
    kernelspec: { name: string; display_name: string; language: string };
    language_info: { name: string; file_extension: string; mimetype: string };
  };
  cells: NotebookCell[];
}

/** The files of one run, as the notebook names them: base names, all in the results' folder. */
export interface RunFiles {
  results: string;
  parquet: string;
  csv: string;
}

/** `X.ipynb` beside `X.results.json` (and its tables, `X.table.parquet` and `X.table.csv`). */
export function notebookFileFor(resultsFile: string): string {
  return siblingFile(resultsFile, "ipynb");
}

/** A Python string literal of `text` (JSON's escapes are Python's too). */
function py(text: string): string {
  return JSON.stringify(text);
}

/**
 * Text from a file (a description, a layer's name) shown as text in Markdown: the characters that
 * make links, emphasis, code, HTML or table cells escaped, and a list or heading marker at its start,
 * so it cannot become markup.
 */
function md(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\`*_[\]<>|~]/g, "\\$&")
    .replaceAll("&", "&amp;")
    .replace(/^([#+=-])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/** `text` as a Markdown code span: fenced by more backticks than it holds in a row, so any text stays literal. */
function codeSpan(name: string): string {
  const text = name.replace(/\s+/g, " ");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

/** A list of names in words: "1", "1 and 7", "1, 4 and 7". */
function words(names: string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function lines(text: string): string[] {
  return text.split("\n").map((line, i, all) => (i < all.length - 1 ? `${line}\n` : line));
}

function markdown(id: string, text: string): NotebookCell {
  return { cell_type: "markdown", id, metadata: {}, source: lines(text) };
}

function code(id: string, text: string): NotebookCell {
  return { cell_type: "code", id, metadata: {}, source: lines(text), execution_count: null, outputs: [] };
}

/** The run in a few lines: what it is, its figures as the results state them, and its layers. */
function introduction(results: Results, files: RunFiles): string {
  const { images, experiment, findings } = results;
  const groups = labelGroups(images);
  const labelsOf = (injected: boolean) => groups[injected ? "injected" : "kept"].map((l) => labelAndName(results, l));
  const trained = results.imported
    ? "signatures and predictions read from files (no model trained)"
    : `${experiment.training.epochs} epoch${experiment.training.epochs === 1 ? "" : "s"}`;
  let injected = 0;
  for (const flag of images.injected) if (flag) injected++;
  const kept = images.count - injected;
  const test =
    findings.accuracy.test === null
      ? ""
      : `, ${percent(findings.accuracy.test)} on ${results.testCount.toLocaleString("en")} held-out images`;
  const share = (value: number | undefined) => (value === undefined ? "" : percent(value));
  const layerRows = results.layers.map(
    (l, n) =>
      `| ${n + 1} | ${md(l.name)} | ${l.size} | ${l.k} | ${l.silhouette.toFixed(4)} | ${share(l.umapNeighboursKept)} | ` +
      `${share(l.pcaNeighboursKept)} | ${l.pcaExplained ? l.pcaExplained.map(percent).join(" + ") : ""} |`,
  );
  return [
    `# ${md(experiment.name)}`,
    ...(experiment.description ? ["", md(experiment.description)] : []),
    "",
    `The run of ${codeSpan(basename(results.experimentFile))} in ${codeSpan(files.results)}: seed ${results.seed}, backend ${md(results.backend)}, ` +
      `${trained}. ${images.count.toLocaleString("en")} images: ${kept.toLocaleString("en")} kept ` +
      `(${md(words(labelsOf(false)))})` +
      (injected ? ` and ${injected.toLocaleString("en")} injected (${md(words(labelsOf(true)))})` : "") +
      `. Accuracy ${percent(findings.accuracy.train)} on the kept images${test}.`,
    "",
    "| layer | name | units | k | mean silhouette | neighbours kept, UMAP | neighbours kept, PCA | PCA map's variance (x + y) |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...layerRows,
    "",
    "Neighbours kept: the mean share of each image's nearest neighbours in the layer that stay among its nearest on the map " +
      "(the `lN_umap_kept` and `lN_pca_kept` columns over the layer's neighbour count); the lower, the more a map's closeness misleads.",
    "",
    `The cells below read the run's table, ${codeSpan(files.parquet)} (or ${codeSpan(files.csv)}), a row per image, and draw from it ` +
      "what the results view shows: a layer's map, every layer's clusters, every image's path and the outliers" +
      (results.snapshots?.length ? " of the final model (the training snapshots are not in this table)" : "") +
      ". Its columns are listed at the end.",
  ].join("\n");
}

/** The table's columns and what each holds: the notebook's last cell, so the first code cell is in view as it opens. */
function columnsText(): string {
  // The docs are our own Markdown, as the README shows them.
  return [
    "## The table's columns",
    "",
    'The README\'s "Exporting a table" says more; `lN_` columns repeat for each hidden layer, N from 1.',
    "",
    ...TABLE_COLUMNS.map((c) => `- \`${c.name}\`: ${c.doc}`),
  ].join("\n");
}

function loadCell(results: Results, files: RunFiles): string {
  const layers = results.layers.map((l) => py(l.name)).join(", ");
  const neighbours = results.layers.map((l) => l.neighbourCount ?? "None").join(", ");
  const explained = results.layers.map((l) => (l.pcaExplained ? `(${l.pcaExplained.join(", ")})` : "None")).join(", ");
  const text = TABLE_COLUMNS.filter((c) => c.type === "text")
    .map((c) => py(c.name))
    .join(", ");
  return `import importlib.util

import pandas as pd

PARQUET, CSV = ${py(files.parquet)}, ${py(files.csv)}
# pandas reads Parquet through pyarrow or fastparquet. Without either (Debian 12 packages neither),
# the same table is read from the CSV written beside it: its text columns as text (a class named
# "007" stays "007"), and only empty cells as missing values.
TEXT = [${text}]
if importlib.util.find_spec("pyarrow") or importlib.util.find_spec("fastparquet"):
    table, source = pd.read_parquet(PARQUET), PARQUET
else:
    table, source = pd.read_csv(CSV, dtype={name: str for name in TEXT}, keep_default_na=False, na_values=[""]), CSV
    # A text cell a spreadsheet would run as a formula was written after a quote mark: drop it.
    table[TEXT] = table[TEXT].apply(lambda column: column.str.replace(r"^'(?=${CSV_FORMULA_START.source.slice(1)})", "", regex=True))
LAYERS = [${layers}]  # the hidden layers' names: the l1_ columns are the first's
NEIGHBOURS = [${neighbours}]  # per layer, how many nearest neighbours lN_umap_kept and lN_pca_kept count (None: not recorded)
PCA_EXPLAINED = [${explained}]  # per layer, the share of the variance along its PCA map's x and y
LABEL_NAMES = dict(zip(table["label"], table["label_name"]))
kept = table[~table["injected"]]
print(f"{len(table)} images ({len(kept)} kept, {len(table) - len(kept)} injected) read from {source}")`;
}

function mapCell(results: Results): string {
  // A comment ends at a line break: a layer's name (an ONNX model's own) is kept on one line.
  const choices = results.layers.map((l, n) => `${n + 1} ${l.name.replace(/\s+/g, " ")}`).join(", ");
  const labels = [...new Set(results.images.labels)].filter((l) => l in DIGIT_COLORS).sort((a, b) => a - b);
  const colors = labels.map((l) => `${l}: ${py(DIGIT_COLORS[l])}`).join(", ");
  return `import matplotlib.pyplot as plt

LAYER = ${results.layers.length}  # the hidden layer to draw: ${choices}
MAP = "UMAP"  # or "PCA": the layer's linear map, as the results view's Map toggle draws it
x, y = (f"l{LAYER}_x", f"l{LAYER}_y") if MAP == "UMAP" else (f"l{LAYER}_pca_x", f"l{LAYER}_pca_y")
COLORS = {${colors}}  # the results view's colours of labels 0-9; others take matplotlib's tab20
fig, ax = plt.subplots(figsize=(8, 6))
for label, rows in table.groupby("label"):
    color, name = COLORS.get(label, plt.cm.tab20(label % 20)), LABEL_NAMES[label]
    inside, injected = rows[~rows["injected"]], rows[rows["injected"]]
    if len(inside):
        ax.scatter(inside[x], inside[y], s=8, color=color, label=f"{name} ({len(inside)})")
    if len(injected):  # injected images are drawn as rings, as in the view
        ax.scatter(injected[x], injected[y], s=24, facecolors="none", edgecolors=color, linewidths=1, label=f"{name}, injected ({len(injected)})")
kept_count = f"l{LAYER}_{MAP.lower()}_kept"
caption = f"{table[kept_count].mean() / NEIGHBOURS[LAYER - 1]:.0%} of neighbours kept" if NEIGHBOURS[LAYER - 1] else ""
if MAP == "PCA" and PCA_EXPLAINED[LAYER - 1]:
    caption = f"{PCA_EXPLAINED[LAYER - 1][0]:.0%} + {PCA_EXPLAINED[LAYER - 1][1]:.0%} of the variance · {caption}"
ax.set_title(f"Layer {LAYER}, {LAYERS[LAYER - 1]}: {MAP} map of {len(table)} images\\n{caption}")
ax.set_aspect("equal", adjustable="datalim")
ax.set_xticks([])
ax.set_yticks([])
ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
plt.show()`;
}

const CLUSTERS_CELL = `# Per hidden layer: k, the kept images' mean silhouette, and each kept label's purity, the share of
# its kept images in the cluster holding most of them (its dominant cluster). A layer separates the
# kept labels when every purity is at least ${SEPARATION_PURITY} and no two share a dominant cluster.
summary, dominant = [], {}
for n, name in enumerate(LAYERS, 1):
    counts = pd.crosstab(kept["label"], kept[f"l{n}_cluster"])
    dominant[n] = counts.idxmax(axis=1)
    purity = counts.max(axis=1) / counts.sum(axis=1)
    summary.append({
        "layer": n,
        "name": name,
        "k": kept[f"l{n}_cluster"].nunique(),
        "mean silhouette": kept[f"l{n}_silhouette"].mean(),
        **{f"purity {LABEL_NAMES[label]}": share for label, share in purity.items()},
        "separates": bool(purity.min() >= ${SEPARATION_PURITY} and dominant[n].is_unique),
        # How well each map keeps the layer's neighbourhoods: over every image, kept and injected.
        **({
            f"neighbours kept, {projection}": table[f"l{n}_{projection.lower()}_kept"].mean() / NEIGHBOURS[n - 1]
            for projection in ("UMAP", "PCA")
        } if NEIGHBOURS[n - 1] else {}),
    })
summary = pd.DataFrame(summary).set_index("layer")
separating = summary.index[summary["separates"]]
print(f"accuracy on the kept images: {(kept['prediction'] == kept['label']).mean():.2%}")
print(f"the kept labels separate from layer {separating[0]}" if len(separating) else "no layer separates the kept labels")
display(summary.round(4))
# Every layer's clusters with their kept and injected images per label, as the sidebar lists them.
kind = table["injected"].map({False: "kept", True: "injected"})
pd.concat({n: pd.crosstab(table[f"l{n}_cluster"], [kind, table["label"]]) for n in dominant}, names=["layer", "cluster"])`;

const PATHS_CELL = `# Every image's path, its cluster in each hidden layer then the model's prediction, counted per
# label, kept and injected images apart: the Sankey's links add these counts up.
steps = [f"l{n}_cluster" for n in dominant] + ["prediction"]
paths = table.groupby(["injected", "label", *steps]).size().rename("images").reset_index()
display(paths.sort_values(["injected", "label", "images"], ascending=[True, True, False], ignore_index=True))
# Per injected label, the share of its images that follow each kept label's path (that label's
# dominant cluster in every layer).
injected = table[table["injected"]]
follows = {
    LABEL_NAMES[label]: pd.concat([injected[f"l{n}_cluster"] == dominant[n][label] for n in dominant], axis=1).all(axis=1)
    for label in dominant[1].index
}
if len(injected):
    display(pd.DataFrame(follows).groupby(injected["label"].map(LABEL_NAMES)).mean().round(4))
else:
    print("no injected images")`;

const OUTLIERS_CELL = `# The outlier list: the kept images scoring ${OUTLIER_SCORE} or more (of 3), highest first, with their reasons.
outliers = table[table["outlier_score"].notna()].sort_values(["outlier_score", "id"], ascending=[False, True])
print(f"{len(outliers)} outliers of {len(kept)} kept images")
outliers[["id", "source", "label_name", "prediction_name", "confidence", "outlier_score", "outlier_reasons"]]`;

const SELECTIONS_CELL = `# The named selections saved in the results view, and how many images each holds.
table["selections"].dropna().str.split(${py(LIST_SEPARATOR)}).explode().value_counts()`;

/** The notebook of one run: `files` are the base names the code reads, beside the notebook. */
export function runNotebook(results: Results, files: RunFiles): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "python3", display_name: "Python 3", language: "python" },
      language_info: { name: "python", file_extension: ".py", mimetype: "text/x-python" },
    },
    cells: [
      markdown("run", introduction(results, files)),
      code("load", loadCell(results, files)),
      markdown(
        "map-title",
        "## A layer's map\n\nEach image at its place on the layer's UMAP map, coloured by its label; set `LAYER` to draw another layer, " +
          '`MAP = "PCA"` for its PCA map.',
      ),
      code("map", mapCell(results)),
      markdown("clusters-title", "## Clusters"),
      code("clusters", CLUSTERS_CELL),
      markdown("paths-title", "## Paths"),
      code("paths", PATHS_CELL),
      markdown("outliers-title", "## Outliers"),
      code("outliers", OUTLIERS_CELL),
      markdown("selections-title", "## Named selections"),
      code("selections", SELECTIONS_CELL),
      markdown("columns", columnsText()),
    ],
  };
}

/** The notebook file's text: JSON indented by one space, as Jupyter writes it. */
export function notebookText(notebook: Notebook): string {
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

/** The files written beside a results file for its notebook. */
export interface NotebookFiles {
  parquet: string;
  csv: string;
  /** Absent when the notebook was kept as it was. */
  notebook?: string;
}

/** Runs one write, its failure said with the file and the fix instead of a temp file's name. */
async function written(file: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new Error(
      `${file} could not be written (${why}); make its folder writable, or copy the results file to a folder you can write and open it there`,
    );
  }
}

/**
 * Writes the run's table beside `resultsFile` as Parquet and CSV (with `selections` in its
 * `selections` column) and, unless `notebook` is false, the notebook that reads it, each file whole
 * or not at all.
 */
export async function writeNotebookFiles(
  resultsFile: string,
  results: Results,
  selections: readonly NamedSelection[],
  options: { notebook: boolean },
): Promise<NotebookFiles> {
  const table = tidyTable(results, { selections });
  const parquet = defaultTableFile(resultsFile, "parquet");
  const csv = defaultTableFile(resultsFile, "csv");
  await written(parquet, () => writeTable(table, "parquet", parquet));
  await written(csv, () => writeTable(table, "csv", csv));
  if (!options.notebook) return { parquet, csv };
  const notebook = notebookFileFor(resultsFile);
  const files = { results: basename(resultsFile), parquet: basename(parquet), csv: basename(csv) };
  await written(notebook, () => writeFileAtomic(notebook, notebookText(runNotebook(results, files))));
  return { parquet, csv, notebook };
}
