// The tidy table of a results file: a row per image, a column per figure the views show of it (its
// source, label, prediction, cluster and map position in every hidden layer, path, silhouettes,
// outlier score, named selections). `TABLE_COLUMNS` is the one list of its columns' names and
// meanings: the CSV and Parquet files (tableFiles.ts), the view's and the tree's exports, `mtq
// export` and the README's column table all come from it.
import { className } from "../shared/classNames";
import { silhouetteOf } from "../shared/columns";
import { recordedEpochs, stateWhenEpochEnded } from "../shared/epochs";
import { EXACT_LIMIT, OUTLIER_SCORE } from "../shared/figures";
import { imageSource } from "../shared/imageSource";
import type { LayerResult, ModelState, Results } from "../shared/results";
import type { NamedSelection } from "../shared/selections";
import { storesNeighbours } from "./neighbours";

/** int: INT32 in Parquet; float: DOUBLE; bool: BOOLEAN; text: UTF-8 strings. Any column may hold nulls (empty in CSV). */
export type ColumnType = "int" | "float" | "bool" | "text";

export type Cell = number | boolean | string | null;

export interface ColumnDoc {
  /** Per-layer columns are written `lN_...`: N counts the hidden layers from 1, in the results' order. */
  name: string;
  type: ColumnType;
  /** One line: what the column holds, and when it is empty. */
  doc: string;
}

/** Separates names in the `outlier_reasons` and `selections` cells. */
export const LIST_SEPARATOR = "; ";

/**
 * Every column, in the table's order; the `lN_` ones repeat for each hidden layer, layer by layer (l1_cluster, l1_silhouette, l1_x, l1_y, l2_cluster, ...).
 * The README's "Exporting a table" lists exactly these (test/table.test.ts checks it).
 */
export const TABLE_COLUMNS: readonly ColumnDoc[] = [
  { name: "id", type: "int", doc: "The image's index in the results: what the views, the selections and the outlier list call it." },
  { name: "split", type: "text", doc: '"train" or "test": the split of the source the image came from.' },
  { name: "source_index", type: "int", doc: "Its index in that split's file (0-based)." },
  {
    name: "source",
    type: "text",
    doc: 'Where it comes from, as the views say it: "MNIST train #173", "fashion.csv row 12", "four/img_003.png".',
  },
  { name: "label", type: "int", doc: "Its label (the digit, or the class's number)." },
  { name: "label_name", type: "text", doc: "The label's class name when the results name the classes; else the number as text." },
  { name: "injected", type: "bool", doc: "True for an injected image (of a class the model was not trained on)." },
  { name: "prediction", type: "int", doc: "The class the model predicted (one of the kept classes)." },
  { name: "prediction_name", type: "text", doc: "The predicted class's name, as `label_name`." },
  { name: "confidence", type: "float", doc: "The model's probability for its prediction; empty when unknown (imported predictions)." },
  {
    name: "path",
    type: "int",
    doc: "Its path id: one per distinct run of clusters through the layers, numbered by how many of the results' images take it (0: the most).",
  },
  {
    name: "lN_cluster",
    type: "int",
    doc: "Its cluster in layer N (numbered as in the views; injected images: the nearest centroid's).",
  },
  {
    name: "lN_silhouette",
    type: "float",
    doc: "Its silhouette in layer N (-1 to 1; below 0: nearer another cluster); empty for injected images.",
  },
  { name: "lN_x", type: "float", doc: "Its x on layer N's UMAP map." },
  { name: "lN_y", type: "float", doc: "Its y on layer N's UMAP map." },
  {
    name: "lN_pca_x",
    type: "float",
    doc: "Its x on layer N's PCA map (the first principal component); empty in results written before PCA maps.",
  },
  { name: "lN_pca_y", type: "float", doc: "Its y on layer N's PCA map (the second principal component); empty as `lN_pca_x`." },
  {
    name: "lN_umap_kept",
    type: "int",
    doc:
      "How many of its nearest neighbours in layer N (the layer's neighbourCount, 14 by default) " +
      "stay among its nearest on the UMAP map; empty as `lN_pca_x`.",
  },
  { name: "lN_pca_kept", type: "int", doc: "The same on the PCA map; empty as `lN_pca_x`." },
  {
    name: "outlier_score",
    type: "float",
    doc: `Its outlier score (0-3, higher is stranger) when it is on the outlier list (kept images scoring ${OUTLIER_SCORE} or more); empty otherwise.`,
  },
  { name: "outlier_reasons", type: "text", doc: 'Why it is on the outlier list ("rare-path; unsure"); empty when it is not.' },
  {
    name: "selections",
    type: "text",
    doc: 'The named selections holding it, in the selections file\'s order, joined by "; "; empty for none.',
  },
];

export interface TableColumn extends ColumnDoc {
  /** One value per row; null where the column's doc says empty. */
  values: Cell[];
}

export interface TidyTable {
  columns: TableColumn[];
  rowCount: number;
  /** The hidden layers' names: `l1_` is layers[0]. */
  layers: string[];
  /** Per hidden layer, in the same order: how well its maps keep its neighbourhoods (absent in results written before them). */
  maps: LayerMapFigures[];
  /** The epoch of the model state tabled: a snapshot's, or the final model's (the experiment's last epoch). */
  epoch: number;
}

/** A layer's figures of its maps, as the results hold them: what the Parquet file's `mtq.maps` metadata lists per layer. */
export type LayerMapFigures = Pick<
  LayerResult,
  "neighbourCount" | "pcaExplained" | "umapNeighboursKept" | "pcaNeighboursKept" | "approximateNeighbours"
>;

function mapFigures(layer: LayerResult): LayerMapFigures {
  const { neighbourCount, pcaExplained, umapNeighboursKept, pcaNeighboursKept, approximateNeighbours } = layer;
  return { neighbourCount, pcaExplained, umapNeighboursKept, pcaNeighboursKept, approximateNeighbours };
}

export interface TableOptions {
  /** The images to table (indices into the results' images), in this order; all of them when absent. */
  images?: readonly number[];
  /** A training snapshot's epoch (the experiment's `snapshots`), or the last epoch for the final model (the default). */
  epoch?: number;
  /** The named selections saved beside the results (selectionsFile.ts), for the `selections` column. */
  selections?: readonly NamedSelection[];
}

/** The model state at `epoch` (a snapshot's, or the final model's); an epoch the results did not record is refused. */
export function stateAtEpoch(results: Results, epoch: number): ModelState {
  const state = stateWhenEpochEnded(results, epoch);
  if (!state) {
    throw new Error(`no model was recorded at epoch ${epoch}; choose one of the recorded epochs: ${recordedEpochs(results).join(", ")}`);
  }
  return state;
}

/**
 * Every image's path id: the distinct tuples of clusters over the layers, numbered by how many of the
 * results' images take each (most first, ties by the first image taking it). Numbered over all the
 * images whatever the rows tabled, so a path id means the same path in every export of a state.
 */
export function pathIds(state: ModelState, imageCount: number): Int32Array {
  const keys: string[] = [];
  const counts = new Map<string, { count: number; first: number }>();
  for (let i = 0; i < imageCount; i++) {
    const key = state.layers.map((l) => l.assignments[i]).join(",");
    keys.push(key);
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { count: 1, first: i });
  }
  const ranked = [...counts.entries()].sort(([, a], [, b]) => b.count - a.count || a.first - b.first);
  const id = new Map(ranked.map(([key], rank) => [key, rank]));
  return Int32Array.from(keys, (key) => id.get(key)!);
}

/** TABLE_COLUMNS in runs of per-layer and other columns: a run of per-layer columns is written layer by layer (l1_cluster ... l1_y, then l2_cluster ...). */
function columnGroups(): ColumnDoc[][] {
  const groups: ColumnDoc[][] = [];
  for (const spec of TABLE_COLUMNS) {
    const last = groups[groups.length - 1];
    if (last && spec.name.startsWith("lN_") && last[0].name.startsWith("lN_")) last.push(spec);
    else groups.push([spec]);
  }
  return groups;
}

/** The model state and the images a table holds (see TableOptions); images out of range or an epoch not recorded are refused. */
function tabled(results: Results, options: TableOptions): { epoch: number; state: ModelState; rows: readonly number[] } {
  const { count } = results.images;
  const epoch = options.epoch ?? results.experiment.training.epochs;
  const state = stateAtEpoch(results, epoch);
  const rows = options.images ?? Array.from({ length: count }, (_, i) => i);
  const bad = rows.findIndex((i) => !Number.isInteger(i) || i < 0 || i >= count);
  if (bad >= 0) throw new Error(`image ${rows[bad]} is not one of the results' ${count} images (0 to ${count - 1})`);
  return { epoch, state, rows };
}

/** The table of `results`' images at one model state (see TableOptions). Images out of range or an epoch not recorded are refused. */
export function tidyTable(results: Results, options: TableOptions = {}): TidyTable {
  const { images } = results;
  const { epoch, state, rows } = tabled(results, options);

  const outliers = new Map(state.findings.outliers.map((o) => [o.image, o]));
  const memberOf = new Map<number, string[]>();
  for (const selection of options.selections ?? []) {
    for (const i of selection.images) memberOf.set(i, [...(memberOf.get(i) ?? []), selection.name]);
  }
  const paths = pathIds(state, images.count);
  const perImage: Record<string, (i: number) => Cell> = {
    id: (i) => i,
    split: (i) => images.split[i],
    source_index: (i) => images.sourceIndex[i],
    source: (i) => imageSource(results, i),
    label: (i) => images.labels[i],
    label_name: (i) => className(results, images.labels[i]),
    injected: (i) => Boolean(images.injected[i]),
    prediction: (i) => state.predictions[i],
    prediction_name: (i) => className(results, state.predictions[i]),
    confidence: (i) => state.confidence?.[i] ?? null,
    path: (i) => paths[i],
    outlier_score: (i) => outliers.get(i)?.score ?? null,
    outlier_reasons: (i) => outliers.get(i)?.reasons.join(LIST_SEPARATOR) ?? null,
    selections: (i) => memberOf.get(i)?.join(LIST_SEPARATOR) ?? null,
  };
  const perLayer: Record<string, (layer: ModelState["layers"][number], i: number) => Cell> = {
    cluster: (l, i) => l.assignments[i],
    silhouette: (l, i) => silhouetteOf(l, i),
    x: (l, i) => l.umap[2 * i],
    y: (l, i) => l.umap[2 * i + 1],
    pca_x: (l, i) => l.pca?.[2 * i] ?? null,
    pca_y: (l, i) => l.pca?.[2 * i + 1] ?? null,
    umap_kept: (l, i) => l.umapKept?.[i] ?? null,
    pca_kept: (l, i) => l.pcaKept?.[i] ?? null,
  };
  const columns: TableColumn[] = [];
  for (const group of columnGroups()) {
    if (!group[0].name.startsWith("lN_")) {
      columns.push(...group.map((spec) => ({ ...spec, values: rows.map(perImage[spec.name]) })));
      continue;
    }
    for (const [n, layer] of state.layers.entries()) {
      for (const spec of group) {
        const figure = spec.name.slice("lN_".length);
        columns.push({
          ...spec,
          name: `l${n + 1}_${figure}`,
          doc: spec.doc.replaceAll("layer N", `layer ${n + 1}`),
          values: rows.map((i) => perLayer[figure](layer, i)),
        });
      }
    }
  }
  return { columns, rowCount: rows.length, layers: state.layers.map((l) => l.name), maps: state.layers.map(mapFigures), epoch };
}

/**
 * The columns of the neighbours table: a row per image, hidden layer and neighbour (a long, tidy
 * form: every column typed alike in CSV and Parquet, joined to the image table on `id`).
 * The README's "Exporting a table" lists exactly these.
 */
export const NEIGHBOUR_COLUMNS: readonly ColumnDoc[] = [
  { name: "layer", type: "int", doc: "The hidden layer, N of the image table's `lN_` columns (from 1)." },
  { name: "id", type: "int", doc: "The image, as the image table's `id`." },
  { name: "rank", type: "int", doc: "1 for its nearest neighbour in the layer, 2 for the next, up to the layer's neighbourCount." },
  { name: "neighbour", type: "int", doc: "That neighbour's `id` (the image itself is never its own neighbour)." },
  {
    name: "distance",
    type: "float",
    doc:
      "The Euclidean distance between their signatures in the layer (stored as float32); " +
      `the neighbours are approximate above ${EXACT_LIMIT.toLocaleString("en")} images.`,
  },
];

/**
 * Every tabled image's stored nearest neighbours in each hidden layer's own space (LayerResult.neighbours),
 * as rows of NEIGHBOUR_COLUMNS, layer by layer, image by image, nearest first. Results without them are refused.
 */
export function neighboursTable(results: Results, options: TableOptions = {}): TidyTable {
  const { epoch, state, rows } = tabled(results, options);
  const missing = state.layers.findIndex((l) => !storesNeighbours(l));
  if (missing >= 0) {
    throw new Error(`layer ${missing + 1} holds no stored neighbours (results written before them); run its experiment again`);
  }
  const columns: TableColumn[] = NEIGHBOUR_COLUMNS.map((spec) => ({ ...spec, values: [] }));
  const [layer, id, rank, neighbour, distance] = columns.map((c) => c.values);
  for (const [n, l] of state.layers.entries()) {
    const count = l.neighbourCount!;
    for (const i of rows) {
      for (let k = 0; k < count; k++) {
        layer.push(n + 1);
        id.push(i);
        rank.push(k + 1);
        neighbour.push(l.neighbours![i * count + k]);
        distance.push(l.neighbourDistances![i * count + k]);
      }
    }
  }
  return { columns, rowCount: layer.length, layers: state.layers.map((l) => l.name), maps: state.layers.map(mapFigures), epoch };
}
