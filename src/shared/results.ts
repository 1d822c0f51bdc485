// The results file (`NAME.results.json`): what the pipeline writes and every view reads. One
// versioned document; the host, the webview, the CLI and the tests all import these types. The
// final model and each training snapshot are one ModelState each: the views show one at a time.
import type { Column, ColumnsDirectory } from "./columns";
import type { Experiment } from "./experiment";

/**
 * 3: the per-image lists and the pixels are columns of `NAME.results.bin` beside the JSON header
 * (src/shared/columns.ts); 2 (still read): one JSON document, the final model's `predictions` and
 * `confidence` beside its `layers`.
 */
export const RESULTS_SCHEMA_VERSION = 3;
/** The all-JSON version before the `.bin`, which the reader still opens. */
export const JSON_RESULTS_SCHEMA_VERSION = 2;

export type Stage = "load" | "train" | "signatures" | "cluster" | "project" | "stability" | "paths" | "snapshots";

/** In run order; "stability" (the experiment's stability runs) and "snapshots" (analysing its training snapshots) only when it has them. */
export const STAGES: readonly Stage[] = ["load", "train", "signatures", "cluster", "project", "stability", "paths", "snapshots"];

export interface Images {
  count: number;
  /** The thumbnails' size; 0 and 0 when there are none (imported signatures without thumbnails): the views say "no thumbnail". */
  rows: number;
  cols: number;
  /** 3: colour images, each pixel's red, green and blue bytes in turn; absent: grey (one byte per pixel). */
  channels?: 3;
  /** Per image: its label (digit). */
  labels: Column;
  /** Per image: true (1 as read from the `.bin`) for an injected (unseen-digit) image, false (0) for a kept one. Kept images come first. */
  injected: Column<boolean | number>;
  /** Per image: "train" or "test", the split of the source file it came from. */
  split: ("train" | "test")[];
  /** Per image: its index in that split's file (e.g. MNIST train image #173). */
  sourceIndex: Column;
  /**
   * Image folders only: per image, its file's path relative to its split's folder, "/"-separated
   * (e.g. "four/img_003.png"); absent for the other sources, whose `sourceIndex` says it all.
   */
  files?: string[];
  /**
   * The pipeline's output only: every image's pixels, rows*cols*channels bytes each (0-255), one
   * image after another, for the writer's `.bin`. A file read does not hold them: the pixels are
   * read from the `.bin` by range (src/results/read.ts's LoadedResults.pixelsOf).
   */
  pixels?: Uint8Array;
  /** An all-JSON file of version 2 only: its `pixels`, base64-encoded (read.ts decodes them). */
  pixelsBase64?: string;
}

export interface Cluster {
  id: number;
  /** Kept images in this cluster. */
  size: number;
  /** Digit -> number of images of that digit in the cluster (kept and injected alike). */
  digitCounts: Record<string, number>;
  /** Injected images placed in this cluster. */
  injectedCount: number;
  /**
   * With the experiment's `stability` runs: the mean over the runs of the Jaccard similarity of this
   * cluster to its best match in the run (Hennig's clusterboot); under UNSTABLE_JACCARD (figures.ts) it is "unstable".
   */
  stability?: number;
}

/** How a layer's kept images cluster (src/pipeline/cluster.ts computes it): k chosen by the best mean silhouette. */
export interface LayerClustering {
  k: number;
  /** The k values tried, with the mean silhouette and the inertia (elbow) for each. */
  kValues: number[];
  silhouetteCurve: number[];
  inertiaCurve: number[];
  /** Mean silhouette at the chosen k. */
  silhouette: number;
  /**
   * Present for layers of more than EXACT_LIMIT (figures.ts) kept images: the layer was clustered
   * on this many kept images drawn with the seed (CLUSTER_SAMPLE: k-means fitted on them, the
   * silhouette curve and mean theirs among themselves), and each image's silhouette estimated from
   * its distances to them (to a part of them above SILHOUETTE_DISTANCES). Absent: exact.
   */
  silhouetteSample?: number;
  /** The experiment's `stability` runs, when on: how far this layer's clustering holds over bootstrap resamples (src/pipeline/stability.ts). */
  stability?: LayerStability;
}

/** A 95% interval [low, high] around a share or a figure; `INTERVAL_METHODS` (figures.ts) says how each kind is computed. */
export type Interval = [number, number];

/** A layer's clustering redone on `runs` bootstrap resamples of the kept images, k chosen again each time. */
export interface LayerStability {
  runs: number;
  /** Adjusted Rand index of each run's clustering to the main one, on the images the run drew: mean, standard deviation, and 2.5th-97.5th percentiles. */
  ari: { mean: number; sd: number; interval: Interval };
  /** k -> how many runs chose it. */
  kChosen: Record<string, number>;
}

/**
 * One hidden layer analysed: the one definition of a layer's figures, from the pipeline (src/pipeline/layer.ts
 * computes it, in a worker thread per layer, with the clustering of cluster.ts) to the results file and the views.
 */
export interface LayerResult extends LayerClustering {
  name: string;
  /** Units in the layer: the signature's length. */
  size: number;
  /** True when the UMAP map was built from approximate nearest neighbours (more than EXACT_LIMIT images, injected ones included); absent: exact. */
  approximateNeighbours?: true;
  /** Per image: its cluster (injected images: the nearest centroid; they do not move the clusters). */
  assignments: Column;
  /** Per image: its silhouette (negative = closer to another cluster); null (NaN as read from the `.bin`) for injected images: see silhouetteOf. */
  silhouettes: Column<number | null>;
  clusters: Cluster[];
  /** Per image: its UMAP position, [x0, y0, x1, y1, ...]. */
  umap: Column;
  /**
   * Per image: its place on the layer's PCA map, [x0, y0, x1, y1, ...]: its signature less the kept
   * images' mean, projected on their first two principal components (src/pipeline/pca.ts). Absent
   * in files written before it.
   */
  pca?: Column;
  /** The share of the kept images' variance along the PCA map's x and y axes (0..1); with `pca`. */
  pcaExplained?: [number, number];
  /**
   * How many nearest neighbours the maps' figures below compare: each image's nearest in the layer's
   * own space (those UMAP was built from, the image itself left out: the projection's `neighbors`
   * less one), approximate when `approximateNeighbours` is. Absent in files written before them.
   */
  neighbourCount?: number;
  /** Per image: how many of its `neighbourCount` nearest in the layer are among its `neighbourCount` nearest on the UMAP map. */
  umapKept?: Column;
  /** The same on the PCA map. */
  pcaKept?: Column;
  /** The mean over every image (kept and injected) of umapKept / neighbourCount (0..1): how well the UMAP map keeps the layer's neighbourhoods. */
  umapNeighboursKept?: number;
  /** The same for the PCA map. */
  pcaNeighboursKept?: number;
  /**
   * Per image: its `neighbourCount` nearest in the layer's own space (the image itself left out),
   * nearest first, neighbourCount per image: exact up to EXACT_LIMIT (figures.ts) images, from the
   * partitioned search above (`approximateNeighbours`).
   */
  neighbours?: Column;
  /** Per image, beside `neighbours`: the Euclidean distance in the layer to each (float32 in the `.bin`). */
  neighbourDistances?: Column;
}

/** A Sankey node: a digit (column 0), a cluster of hidden layer i (column i + 1) or a prediction (last column). */
export interface FlowNode {
  id: string;
  column: number;
  kind: "digit" | "cluster" | "prediction";
  /** The digit, cluster id or predicted class. */
  value: number;
  label: string;
  count: number;
}

export interface FlowLink {
  source: string;
  target: string;
  count: number;
  /**
   * The images behind this link, ascending; as read, a view onto the `.bin`'s `flows.links.images`
   * column (the links' lists one after another, `count` each).
   */
  images: Column;
}

export interface Flows {
  nodes: FlowNode[];
  links: FlowLink[];
}

/**
 * A layer's finding: its clustering's figures and, when the run computed them, how well its maps keep
 * its neighbourhoods (umapNeighboursKept, pcaNeighboursKept of `neighbourCount`, `approximateNeighbours` above EXACT_LIMIT images).
 */
export interface LayerFinding extends Pick<
  LayerResult,
  "name" | "size" | "k" | "silhouette" | "neighbourCount" | "umapNeighboursKept" | "pcaNeighboursKept" | "approximateNeighbours"
> {
  /** Digit -> share of its kept images in its dominant cluster. */
  purity: Record<string, number>;
  /** Digit -> the 95% Wilson interval of its purity. */
  purityInterval: Record<string, Interval>;
  /** Digit -> its dominant cluster in this layer. */
  dominantCluster: Record<string, number>;
  /** Whether the kept images' clusters depend on their labels beyond chance: a G-test of the label x cluster table. */
  independence: IndependenceTest;
}

/** A G-test of independence of a contingency table, its p-value from label permutations (small cells make the chi-squared approximation unsafe). */
export interface IndependenceTest {
  /** The G statistic, 2 * sum(observed * ln(observed / expected)). */
  g: number;
  degreesOfFreedom: number;
  /** (1 + permutations with G >= the observed) / (1 + permutations): never 0, at least 1 / (1 + permutations). */
  pValue: number;
  permutations: number;
}

/**
 * Whether the injected images follow one kept class's path more than another's: an exact McNemar
 * test (two-sided binomial on the images that follow exactly one of the two).
 */
export interface PathPreference {
  /** The kept class whose path most injected images follow, and the runner-up. */
  more: number;
  than: number;
  pValue: number;
}

export interface InjectedFinding {
  count: number;
  /** Kept digit -> share of the injected images whose cluster is that digit's dominant one in every hidden layer. */
  followsPathOf: Record<string, number>;
  /** Kept digit -> the 95% Wilson interval of that share. */
  followsPathOfInterval: Record<string, Interval>;
  /** Present with two or more kept classes. */
  preference?: PathPreference;
  /** Entropy in bits of the injected images' distribution over distinct paths. */
  pathEntropy: number;
  /** Predicted class -> share. */
  predicted: Record<string, number>;
  /** Predicted class -> the 95% Wilson interval of that share. */
  predictedInterval: Record<string, Interval>;
}

/** A signal that is past its threshold (OUTLIER_THRESHOLDS, figures.ts) for an image on the outlier list. */
export type OutlierReason = "rare-path" | "far-from-cluster" | "unsure" | "misclassified";

/** A kept image worth a look, with the figures behind its score (src/pipeline/outliers.ts). */
export interface Outlier {
  /** Index into the results' images. */
  image: number;
  digit: number;
  /**
   * 0-3, higher is stranger: a point each for its path's rarity, its distance to its cluster and the
   * model's doubt or error, whole at its threshold; the list holds the images at or above OUTLIER_SCORE (figures.ts).
   */
  score: number;
  reasons: OutlierReason[];
  /** How many of its class's kept images take its path (its cluster in every hidden layer), itself included, and their share of the class. */
  pathCount: number;
  pathShare: number;
  /** Its distance to its cluster's centroid in the last hidden layer, over the median such distance of that cluster's kept images. */
  distanceRatio: number;
  /** The model's probability for the class it predicted; absent when unknown (imported predictions). */
  confidence?: number;
  /** 1-based layers where the image is off its digit's dominant cluster. */
  offPathLayers?: number[];
}

export interface Findings {
  accuracy: { train: number; test: number | null };
  /** The 95% Wilson intervals of the accuracies. */
  accuracyInterval: { train: Interval; test: Interval | null };
  layers: LayerFinding[];
  /** First 1-based layer where every kept digit has purity >= SEPARATION_PURITY (figures.ts) and no two share a dominant cluster; null if none. */
  separationLayer: number | null;
  injected: Record<string, InjectedFinding>;
  /** Ranked by score, highest first. */
  outliers: Outlier[];
  /**
   * The final model's findings only, with snapshots, per hidden layer: the first recorded epoch from
   * which the layer separates the kept digits (as `separationLayer` asks) in every later snapshot and
   * the final model; null if the final model's layer does not.
   */
  separationEpoch?: (number | null)[];
  /** The final model's findings only, with the experiment's `stability` runs: how the findings move over them. */
  stability?: FindingsStability;
}

/** The findings recomputed on each stability run's clusterings (every layer refitted on the same bootstrap resample). */
export interface FindingsStability {
  runs: number;
  /** Separation layer ("none" when no layer separates) -> how many runs found it. */
  separationLayer: Record<string, number>;
  /** Injected class -> kept class -> the 2.5th-97.5th percentiles of its follow-the-path share over the runs. */
  followsPathOf: Record<string, Record<string, Interval>>;
}

/**
 * One state of the model analysed (src/pipeline/modelState.ts): the final model's, which the
 * results hold at their top level, or a training snapshot's.
 */
export interface ModelState {
  /** Per image: the predicted class (one of `classes`). */
  predictions: Column;
  /** Per image: the softmax probability of the predicted class; absent when unknown (imported predictions: `Results.imported`). */
  confidence?: Column;
  layers: LayerResult[];
  flows: Flows;
  findings: Findings;
}

/**
 * The model as it was when one training epoch ended, analysed like the final one (the experiment's
 * `snapshots`). Each UMAP map is Procrustes-aligned (rotation, reflection, scale, shift) to the
 * next snapshot's, the last to the final model's, so points do not jump between epochs.
 */
export interface Snapshot extends ModelState {
  epoch: number;
}

/** The run, its images, and the final model's state (its fields at the top level). */
export interface Results extends ModelState {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  /** In the header: where its per-image columns are in `NAME.results.bin`. Absent in the pipeline's output before it is written. */
  columns?: ColumnsDirectory;
  /** The experiment as run, defaults filled in. */
  experiment: Experiment;
  /** The experiment file's path when the run started. */
  experimentFile: string;
  seed: number;
  /**
   * The TF.js backend that trained the model: "tensorflow" (tfjs-node), "wasm" or "cpu"; for an
   * ONNX model, "onnxruntime (cpu), clustered on " and the TF.js backend.
   */
  backend: string;
  /** Milliseconds per stage. */
  timings: Partial<Record<Stage, number>>;
  /** The kept digits, sorted: the output units' order. */
  classes: number[];
  /**
   * Label -> class name (e.g. "0": "T-shirt/top") when the experiment's `data.classNames` or an
   * image folder's subfolders name the classes; absent for plain digits. Show the name wherever a
   * label is shown.
   */
  classNames?: Record<string, string>;
  /** Held-out images used for test accuracy. */
  testCount: number;
  /**
   * Present when the signatures and predictions were read from files (`data.source.signatures`),
   * as the experiment names them: no model ran and nothing was trained; `backend` did the clustering.
   */
  imported?: { files: string[] };
  images: Images;
  /** The experiment's `snapshots` before the last epoch, ascending; the final model is the main result above. */
  snapshots?: Snapshot[];
}
