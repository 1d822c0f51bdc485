// k-means on one layer's signatures for each k in kMin..kMax (kmeans.ts, seeded), k chosen by the
// best mean silhouette. Injected images are placed afterwards at their nearest centroid, so they
// never move the clusters fitted on the kept images.
import { EXACT_LIMIT, round4 } from "../shared/figures";
import type { LayerClustering } from "../shared/results";
import { kmeansFit } from "./kmeans";
import { distancePass, type Neighbours, type SilhouetteScores } from "./distances";
import { partitionedNeighbours } from "./partitionedNeighbours";
import { randomFor, shuffled } from "../data/random";
import type { Tf } from "./tf";
import { yieldToEventLoop } from "./yield";

/** A layer's clustering figures, with what the rest of its analysis needs from the chosen fit. */
export interface Clustered extends LayerClustering {
  /** Per kept point: its cluster, numbered in order of first appearance. */
  labels: Int32Array;
  /** Per kept point: its silhouette at the chosen k. */
  perPoint: Float32Array;
  /** k x dim, in the same numbering as `labels`. */
  centroids: Float32Array;
}

/** Clusters renumbered by first appearance, so cluster 0 holds the first image: stable names across views. */
function renumbered(clusters: Int32Array, centroids: Float64Array, dim: number): { labels: Int32Array; centroids: Float32Array } {
  const k = centroids.length / dim;
  const map = new Int32Array(k).fill(-1);
  let used = 0;
  const labels = clusters.map((c) => {
    if (map[c] < 0) map[c] = used++;
    return map[c];
  });
  // An empty cluster (rare with kmeans++) keeps a number after the used ones.
  for (let c = 0; c < k; c++) if (map[c] < 0) map[c] = used++;
  const out = new Float32Array(centroids.length);
  for (let c = 0; c < k; c++) out.set(centroids.subarray(c * dim, (c + 1) * dim), map[c] * dim);
  return { labels, centroids: out };
}

function inertia(points: Float32Array, dim: number, labels: Int32Array, centroids: Float32Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const o = labels[i] * dim;
    for (let t = 0; t < dim; t++) {
      const diff = points[i * dim + t] - centroids[o + t];
      total += diff * diff;
    }
  }
  return total;
}

export interface ClusterOptions {
  kMin: number;
  kMax: number;
  /** A fixed k: only that one is fitted. */
  k?: number;
  seed: number;
  /** k-means++ starts per k (scikit-learn's n_init); the fit with the least inertia is kept. 1 when not given (the experiment's default is 3). */
  restarts?: number;
  /** Nearest neighbours to find for every point on the way (for UMAP), itself included. */
  neighbours: number;
}

export interface KmeansFit {
  k: number;
  labels: Int32Array;
  centroids: Float32Array;
  inertia: number;
}

/**
 * The seed of each k-means start: the first is the experiment's own, so one start fits as before
 * restarts existed; the others come from their own stream, so they never shift another seeded choice.
 */
export function startSeeds(seed: number, restarts: number): number[] {
  const random = randomFor(seed, "k-means starts");
  return Array.from({ length: restarts }, (_, r) => (r === 0 ? seed : Math.floor(random() * 2 ** 31)));
}

/**
 * The seeded k-means fit of the points for each k tried (kMin..kMax below the point count, or the
 * fixed k): of `restarts` starts per k, the one with the least inertia (the first of equals).
 */
export async function kmeansFits(
  points: Float32Array,
  dim: number,
  options: Omit<ClusterOptions, "neighbours">,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<KmeansFit[]> {
  const n = points.length / dim;
  const kValues: number[] = [];
  for (let k = options.k ?? options.kMin; k <= (options.k ?? options.kMax) && k < n; k++) kValues.push(k);
  const seeds = startSeeds(options.seed, options.restarts ?? 1);
  const fits: KmeansFit[] = [];
  for (const [i, k] of kValues.entries()) {
    let best: KmeansFit | undefined;
    for (const [r, seed] of seeds.entries()) {
      signal?.throwIfAborted();
      const result = kmeansFit(points, dim, k, seed, 300);
      const { labels, centroids } = renumbered(result.labels, result.centroids, dim);
      const fit = { k, labels, centroids, inertia: inertia(points, dim, labels, centroids) };
      if (!best || fit.inertia < best.inertia) best = fit;
      onProgress?.((i + (r + 1) / seeds.length) / kValues.length);
      await yieldToEventLoop();
    }
    fits.push(best!);
  }
  return fits;
}

/** Index of the clustering with the best mean silhouette (the first of equals): the k chosen. */
export function bestScore(scores: readonly SilhouetteScores[]): number {
  return scores.reduce((best, s, i) => (s.mean > scores[best].mean ? i : best), 0);
}

/** The kept points the silhouettes measure distances to: all of them (undefined) up to EXACT_LIMIT points in all, else a seeded sample of EXACT_LIMIT. */
export function silhouetteColumns(points: number, clustered: number, seed: number): Int32Array | undefined {
  if (points <= EXACT_LIMIT || clustered <= EXACT_LIMIT) return undefined;
  return Int32Array.from(
    shuffled(
      Array.from({ length: clustered }, (_, i) => i),
      randomFor(seed, "silhouette sample"),
    ).slice(0, EXACT_LIMIT),
  ).sort();
}

/**
 * Clusters the first `clustered` points (the kept images) for each k and picks k by silhouette;
 * up to EXACT_LIMIT points, the pairwise-distance pass that scores every k also yields all
 * points' exact nearest neighbours; above, the neighbours come from a partitioned search.
 */
export async function clusterLayer(
  tf: Tf,
  points: Float32Array,
  dim: number,
  clustered: number,
  options: ClusterOptions,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<{ clustering: Clustered; neighbours: Neighbours; approximateNeighbours: boolean }> {
  const fits = await kmeansFits(points.subarray(0, clustered * dim), dim, options, (f) => onProgress?.(0.5 * f), signal);
  const kValues = fits.map((f) => f.k);
  const n = points.length / dim;
  const exact = n <= EXACT_LIMIT;
  const columns = silhouetteColumns(n, clustered, options.seed);
  const pass = await distancePass(
    tf,
    { points, dim, clustered, clusterings: fits, neighbours: exact ? options.neighbours : 0, columns },
    (f) => onProgress?.(0.5 + (exact ? 0.5 : 0.3) * f),
    signal,
  );
  const neighbours = exact
    ? pass.neighbours
    : await partitionedNeighbours(
        tf,
        points,
        dim,
        options.neighbours,
        randomFor(options.seed, "partitions"),
        (f) => onProgress?.(0.8 + 0.2 * f),
        signal,
      );
  const scores = pass.silhouettes;
  const best = bestScore(scores);
  // The figures rounded as the results file holds them, once k is chosen on the exact scores.
  const clustering: Clustered = {
    k: fits[best].k,
    kValues,
    silhouetteCurve: scores.map((s) => round4(s.mean)),
    inertiaCurve: fits.map((f) => round4(f.inertia)),
    silhouette: round4(scores[best].mean),
    labels: fits[best].labels,
    perPoint: scores[best].perPoint,
    centroids: fits[best].centroids,
    ...(columns && { silhouetteSample: columns.length }),
  };
  return { clustering, neighbours, approximateNeighbours: !exact };
}

/** Index of the nearest centroid for each point. */
export function nearestCentroids(points: Float32Array, dim: number, centroids: Float32Array): Int32Array {
  const n = points.length / dim;
  const k = centroids.length / dim;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const diff = points[i * dim + t] - centroids[c * dim + t];
        s += diff * diff;
      }
      if (s < bestDistance) {
        bestDistance = s;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
