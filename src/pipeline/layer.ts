// One hidden layer's analysis: clusters (k by silhouette), the injected images' places, each
// cluster's digit mix, the UMAP map and the PCA map. Layers are independent, so they can run side by side in
// worker threads (layers.ts). A new per-layer figure is computed here (or in cluster.ts) and
// declared once, in LayerResult (src/shared/results.ts).
import type { Experiment } from "../shared/experiment";
import { round4 } from "../shared/figures";
import type { Cluster, LayerResult } from "../shared/results";
import { clusterLayer, nearestCentroids } from "./cluster";
import type { Neighbours } from "./distances";
import { mapNearest, neighboursKept } from "./mapNeighbours";
import { pcaMap, type PcaMap } from "./pca";
import { projectLayer } from "./project";
import { layerStability } from "./stability";
import type { Tf } from "./tf";

export interface LayerJob {
  /** The layer's name, as the results give it. */
  name: string;
  /** (kept + injected) x dim signatures, kept first. */
  signatures: Float32Array;
  dim: number;
  /** Per image, kept first as in `signatures`: its label. */
  labels: number[];
  keptCount: number;
  clustering: Experiment["clustering"];
  projection: Experiment["projection"];
  seed: number;
  /** Bootstrap runs of the clustering (stability.ts): the experiment's `stability.runs` for the final model, 0 for a snapshot. */
  stabilityRuns: number;
}

/**
 * A layer analysed, as a worker thread posts it: LayerResult with its per-image arrays typed, so
 * they are transferred rather than copied, and `silhouettes` for the kept images only.
 */
export type LayerAnalysis = Omit<
  LayerResult,
  | "assignments"
  | "silhouettes"
  | "umap"
  | "pca"
  | "pcaExplained"
  | "umapKept"
  | "pcaKept"
  | "umapNeighboursKept"
  | "pcaNeighboursKept"
  | "neighbours"
  | "neighbourDistances"
> & {
  assignments: Int32Array;
  silhouettes: Float32Array;
  umap: Float32Array;
  pca: Float32Array;
  pcaExplained: [number, number];
  umapKept: Uint8Array;
  pcaKept: Uint8Array;
  umapNeighboursKept: number;
  pcaNeighboursKept: number;
  neighbours: Int32Array;
  neighbourDistances: Float32Array;
  /** Per image, kept and injected: its Euclidean distance to its cluster's centroid, for the outliers' score; not in the results file. */
  centroidDistances: Float32Array;
};

export interface AnalysedLayer {
  layer: LayerAnalysis;
  /** Milliseconds spent clustering, and on the stability runs (the rest went to UMAP). */
  clusterMs: number;
  stabilityMs: number;
  /** With stability runs: per run, every image's cluster in that run's fit. */
  stabilityAssignments?: Int32Array[];
}

/** A layer's clusters as soon as they are known, before its maps: every image's (kept and injected), and how many. */
export interface LayerClusters {
  assignments: Int32Array;
  k: number;
}

/** A layer's PCA map and each image's nearest on it: what the run's thread computes for a layer still running once a core is free (layers.ts). */
export interface LayerPca {
  pca: PcaMap;
  onMap: Int32Array;
}

/** How many nearest images a layer's search finds, the image itself among them. */
function searchedNeighbours(job: LayerJob): number {
  return Math.max(2, Math.min(job.projection.neighbors, job.signatures.length / job.dim - 1));
}

export function layerPca(job: LayerJob): LayerPca {
  const pca = pcaMap(job.signatures, job.dim, job.keptCount);
  return { pca, onMap: mapNearest(pca.map, searchedNeighbours(job) - 1) };
}

/** Progress of one layer: `phase` "cluster", "project" then "stability" (with runs), each with its own 0..1 fraction. */
export type LayerProgress = (phase: "cluster" | "project" | "stability", fraction: number) => void;

function clustersOf(k: number, assignments: Int32Array, labels: number[], keptCount: number): Cluster[] {
  const clusters = Array.from({ length: k }, (_, id) => ({ id, size: 0, digitCounts: {} as Record<string, number>, injectedCount: 0 }));
  assignments.forEach((c, i) => {
    const cluster = clusters[c];
    cluster.digitCounts[labels[i]] = (cluster.digitCounts[labels[i]] ?? 0) + 1;
    if (i < keptCount) cluster.size++;
    else cluster.injectedCount++;
  });
  return clusters;
}

function distancesToCentroids(signatures: Float32Array, dim: number, assignments: Int32Array, centroids: Float32Array): Float32Array {
  const out = new Float32Array(assignments.length);
  for (let i = 0; i < assignments.length; i++) {
    const o = assignments[i] * dim;
    let sum = 0;
    for (let t = 0; t < dim; t++) {
      const diff = signatures[i * dim + t] - centroids[o + t];
      sum += diff * diff;
    }
    out[i] = Math.sqrt(sum);
  }
  return out;
}

/**
 * Each image's k nearest in the layer, itself left out wherever the search put it (as
 * layerNeighboursOf takes them), with their distances: k indices and k distances per image.
 */
function nearestOthers(near: Neighbours, k: number): { neighbours: Int32Array; neighbourDistances: Float32Array } {
  const n = near.indices.length;
  const neighbours = new Int32Array(n * k);
  const neighbourDistances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = near.indices[i];
    const rowDistances = near.distances[i];
    for (let q = 0, o = i * k; q < row.length && o < (i + 1) * k; q++) {
      if (row[q] === i) continue;
      neighbours[o] = row[q];
      neighbourDistances[o++] = rowDistances[q];
    }
  }
  return { neighbours, neighbourDistances };
}

export async function analyseLayer(
  tf: Tf,
  job: LayerJob,
  onProgress?: LayerProgress,
  signal?: AbortSignal,
  onClustered?: (clusters: LayerClusters) => void,
  /** The layer's PCA when another thread has computed it by the time it is needed. */
  pcaDone?: () => LayerPca | undefined,
): Promise<AnalysedLayer> {
  const { signatures, dim, keptCount } = job;
  const total = signatures.length / dim;
  const neighbours = searchedNeighbours(job);
  const start = performance.now();
  const {
    clustering: { labels, perPoint, centroids, ...clustering },
    neighbours: near,
    approximateNeighbours,
  } = await clusterLayer(
    tf,
    signatures,
    dim,
    keptCount,
    { ...job.clustering, seed: job.seed, neighbours },
    (f) => onProgress?.("cluster", f),
    signal,
  );
  const assignments = new Int32Array(total);
  assignments.set(labels);
  assignments.set(nearestCentroids(signatures.subarray(keptCount * dim), dim, centroids), keptCount);
  onClustered?.({ assignments, k: clustering.k });
  const centroidDistances = distancesToCentroids(signatures, dim, assignments, centroids);
  const clustered = performance.now();
  const umap = await projectLayer(near, { ...job.projection, seed: job.seed }, (f) => onProgress?.("project", f), signal);
  // The PCA after UMAP: meanwhile a core another layer left free may have done it (the same bits).
  const { pca, onMap } = pcaDone?.() ?? layerPca(job);
  // The maps' honesty: each image's nearest in the layer (UMAP's own input) against its nearest on each map.
  const neighbourCount = neighbours - 1;
  const umapKept = neighboursKept(near, umap, neighbourCount);
  const pcaKept = neighboursKept(near, pca.map, neighbourCount, onMap);
  const projected = performance.now();
  const stable =
    job.stabilityRuns > 0
      ? await layerStability(
          tf,
          {
            points: signatures,
            dim,
            keptCount,
            labels,
            k: clustering.k,
            options: { ...job.clustering, seed: job.seed },
            runs: job.stabilityRuns,
          },
          (f) => onProgress?.("stability", f),
          signal,
        )
      : undefined;
  const clusters = clustersOf(clustering.k, assignments, job.labels, keptCount);
  stable?.clusters.forEach((jaccard, c) => (clusters[c].stability = jaccard));
  return {
    layer: {
      name: job.name,
      size: dim,
      ...clustering,
      ...(approximateNeighbours && { approximateNeighbours: true as const }),
      ...(stable && { stability: stable.stability }),
      assignments,
      silhouettes: perPoint,
      centroidDistances,
      clusters,
      umap,
      pca: pca.map,
      pcaExplained: pca.explained,
      neighbourCount,
      umapKept: umapKept.kept,
      pcaKept: pcaKept.kept,
      umapNeighboursKept: umapKept.share,
      pcaNeighboursKept: pcaKept.share,
      ...nearestOthers(near, neighbourCount),
    },
    clusterMs: clustered - start,
    stabilityMs: performance.now() - projected,
    ...(stable && { stabilityAssignments: stable.assignments }),
  };
}

/**
 * `values` as a plain array, each through `round` when given. A loop, not Array.from with a
 * callback: 3 times as fast on a layer's 2 million values at 70,000 images (the last layer's
 * conversion is on the run's serial tail).
 */
function plainArray(values: ArrayLike<number>, round?: (x: number) => number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = round ? round(values[i]) : values[i];
  return out;
}

/** The layer as the results file holds it: plain arrays, to 4 decimals, and no silhouette (null) for an injected image. */
export function layerResult({
  assignments,
  silhouettes,
  umap,
  pca,
  pcaExplained,
  umapKept,
  pcaKept,
  umapNeighboursKept,
  pcaNeighboursKept,
  neighbours,
  neighbourDistances,
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- centroidDistances is left out of the file on purpose
  centroidDistances,
  ...figures
}: LayerAnalysis): LayerResult {
  const keptSilhouettes: (number | null)[] = plainArray(silhouettes, round4);
  return {
    ...figures,
    assignments: plainArray(assignments),
    silhouettes: keptSilhouettes.concat(new Array<null>(assignments.length - silhouettes.length).fill(null)),
    umap: plainArray(umap, round4),
    pca: plainArray(pca, round4),
    pcaExplained: [round4(pcaExplained[0]), round4(pcaExplained[1])],
    umapKept: plainArray(umapKept),
    pcaKept: plainArray(pcaKept),
    umapNeighboursKept: round4(umapNeighboursKept),
    pcaNeighboursKept: round4(pcaNeighboursKept),
    neighbours: plainArray(neighbours),
    neighbourDistances: plainArray(neighbourDistances),
  };
}
