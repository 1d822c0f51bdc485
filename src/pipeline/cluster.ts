// k-means on one layer's signatures for each k in kMin..kMax (kmeans.ts, seeded), k chosen by the
// best mean silhouette; above EXACT_LIMIT images, on a seeded sample (CLUSTER_SAMPLE) and the
// kept images assigned to the nearest centroid. Injected images are placed afterwards at their
// nearest centroid, so they never move the clusters fitted on the kept images.
import { CLUSTER_SAMPLE, EXACT_LIMIT, SILHOUETTE_COLUMNS, SILHOUETTE_DISTANCES, round4 } from "../shared/figures";
import type { LayerClustering } from "../shared/results";
import { assertFinite, kmeansFit, kmeansPlusPlus } from "./kmeans";
import { distancePass, gathered, sampledSilhouettes, type Neighbours, type SilhouetteScores } from "./distances";
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
function renumbered(
  clusters: Int32Array,
  centroids: Float64Array | Float32Array,
  dim: number,
): { labels: Int32Array; centroids: Float32Array } {
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
  /** The points (clusterSample) each k's starts are fitted on, the others then assigned to its nearest centroid; default all. */
  sample?: Int32Array;
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
 * fixed k): of `restarts` starts per k, the one with the least inertia (the first of equals). With
 * a sample, the starts are fitted on the sampled points and compared by their inertia there; the
 * best one's centroids then label every point (one assignment pass), and its inertia is over all.
 */
export async function kmeansFits(
  points: Float32Array,
  dim: number,
  options: Omit<ClusterOptions, "neighbours">,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<KmeansFit[]> {
  const fitted = options.sample ? gathered(points, dim, options.sample) : points;
  const n = fitted.length / dim;
  const kValues: number[] = [];
  for (let k = options.k ?? options.kMin; k <= (options.k ?? options.kMax) && k < n; k++) kValues.push(k);
  const seeds = startSeeds(options.seed, options.restarts ?? 1);
  const seedings = seeds.map((seed) => kmeansPlusPlus(fitted, dim, kValues, seed));
  const fits: KmeansFit[] = [];
  for (const [i, k] of kValues.entries()) {
    let best: KmeansFit | undefined;
    for (const [r, seed] of seeds.entries()) {
      signal?.throwIfAborted();
      const result = kmeansFit(fitted, dim, k, seed, 300, seedings[r].get(k));
      const { labels, centroids } = renumbered(result.labels, result.centroids, dim);
      const fit = { k, labels, centroids, inertia: inertia(fitted, dim, labels, centroids) };
      if (!best || fit.inertia < best.inertia) best = fit;
      onProgress?.((i + (r + 1) / seeds.length) / kValues.length);
      await yieldToEventLoop();
    }
    if (options.sample) {
      // Numbered again by first appearance among all the points, as an unsampled fit is.
      const { labels, centroids } = renumbered(nearestCentroids(points, dim, best!.centroids), best!.centroids, dim);
      best = { k, labels, centroids, inertia: inertia(points, dim, labels, centroids) };
    }
    fits.push(best!);
  }
  return fits;
}

/** Index of the clustering with the best mean silhouette (the first of equals): the k chosen. */
export function bestScore(scores: readonly SilhouetteScores[]): number {
  return scores.reduce((best, s, i) => (s.mean > scores[best].mean ? i : best), 0);
}

/** The first `size` of a seeded draw of the kept points, ascending: a smaller size gives a part of a larger one's. */
function seededDraw(clustered: number, seed: number, size: number): Int32Array {
  return Int32Array.from(
    shuffled(
      Array.from({ length: clustered }, (_, i) => i),
      randomFor(seed, "silhouette sample"),
    ).slice(0, size),
  ).sort();
}

/** The kept points a layer is clustered on: all of them (undefined) up to EXACT_LIMIT kept points, else a seeded sample of CLUSTER_SAMPLE. */
export function clusterSample(clustered: number, seed: number): Int32Array | undefined {
  return clustered <= EXACT_LIMIT ? undefined : seededDraw(clustered, seed, CLUSTER_SAMPLE);
}

/**
 * The sampled points each kept point's silhouette is measured against: the sample, or the first of
 * its seeded draw that keep within `distances` (SILHOUETTE_DISTANCES), at least SILHOUETTE_COLUMNS.
 */
export function silhouetteColumns(sample: Int32Array, clustered: number, seed: number, distances = SILHOUETTE_DISTANCES): Int32Array {
  const size = Math.max(SILHOUETTE_COLUMNS, Math.floor(distances / clustered));
  return size >= sample.length ? sample : seededDraw(clustered, seed, size);
}

/** Each fit's silhouettes of the sampled points among themselves: what chooses k above EXACT_LIMIT. */
export async function sampleSilhouettes(
  tf: Tf,
  points: Float32Array,
  dim: number,
  fits: readonly KmeansFit[],
  sample: Int32Array,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<SilhouetteScores[]> {
  const all = Int32Array.from(sample, (_, j) => j);
  return sampledSilhouettes(
    tf,
    {
      points: gathered(points, dim, sample),
      dim,
      rows: sample.length,
      columns: all,
      clusterings: fits.map((f) => ({ k: f.k, labels: Int32Array.from(sample, (p) => f.labels[p]) })),
    },
    onProgress,
    signal,
  );
}

/**
 * Clusters the first `clustered` points (the kept images) for each k and picks k by silhouette;
 * up to EXACT_LIMIT points, the pairwise-distance pass that scores every k also yields all
 * points' exact nearest neighbours; above, the layer is clustered on a sample (clusterSample), its
 * silhouettes among itself choose k, each kept point's silhouette at that k is measured against
 * the sample, and the neighbours come from a partitioned search.
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
  const n = points.length / dim;
  assertFinite(points, dim);
  const kept = points.subarray(0, clustered * dim);
  const sample = clusterSample(clustered, options.seed);
  if (sample) return sampledLayer(tf, points, dim, clustered, sample, options, onProgress, signal);
  const fits = await kmeansFits(kept, dim, options, (f) => onProgress?.(0.5 * f), signal);
  const exact = n <= EXACT_LIMIT;
  const pass = await distancePass(
    tf,
    { points, dim, clustered, clusterings: fits, neighbours: exact ? options.neighbours : 0 },
    (f) => onProgress?.(0.5 + (exact ? 0.5 : 0.3) * f),
    signal,
  );
  const neighbours = exact ? pass.neighbours : await searchedNeighbours(tf, points, dim, options, onProgress, signal);
  return { clustering: chosen(fits, pass.silhouettes, pass.silhouettes), neighbours, approximateNeighbours: !exact };
}

async function searchedNeighbours(
  tf: Tf,
  points: Float32Array,
  dim: number,
  options: ClusterOptions,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Neighbours> {
  return partitionedNeighbours(
    tf,
    points,
    dim,
    options.neighbours,
    randomFor(options.seed, "partitions"),
    (f) => onProgress?.(0.8 + 0.2 * f),
    signal,
  );
}

/**
 * The layer's clustering at the k with the best mean silhouette in `scores` (one per fit), with
 * each point's silhouette from `perPoint` (the chosen fit's at the same index, or its only entry).
 * The figures are rounded as the results file holds them, once k is chosen on the unrounded scores.
 */
function chosen(fits: KmeansFit[], scores: SilhouetteScores[], perPoint: SilhouetteScores[], sample?: number): Clustered {
  const best = bestScore(scores);
  return {
    k: fits[best].k,
    kValues: fits.map((f) => f.k),
    silhouetteCurve: scores.map((s) => round4(s.mean)),
    inertiaCurve: fits.map((f) => round4(f.inertia)),
    silhouette: round4(scores[best].mean),
    labels: fits[best].labels,
    perPoint: (perPoint.length === 1 ? perPoint[0] : perPoint[best]).perPoint,
    centroids: fits[best].centroids,
    ...(sample !== undefined && { silhouetteSample: sample }),
  };
}

/** clusterLayer above EXACT_LIMIT: fits, k and silhouettes from the sample, then each kept point's silhouette against it. */
async function sampledLayer(
  tf: Tf,
  points: Float32Array,
  dim: number,
  clustered: number,
  sample: Int32Array,
  options: ClusterOptions,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<{ clustering: Clustered; neighbours: Neighbours; approximateNeighbours: boolean }> {
  const kept = points.subarray(0, clustered * dim);
  const fits = await kmeansFits(kept, dim, { ...options, sample }, (f) => onProgress?.(0.4 * f), signal);
  const scores = await sampleSilhouettes(tf, kept, dim, fits, sample, (f) => onProgress?.(0.4 + 0.1 * f), signal);
  const fit = fits[bestScore(scores)];
  const perPoint = await sampledSilhouettes(
    tf,
    { points: kept, dim, rows: clustered, columns: silhouetteColumns(sample, clustered, options.seed), clusterings: [fit] },
    (f) => onProgress?.(0.5 + 0.3 * f),
    signal,
  );
  const neighbours = await searchedNeighbours(tf, points, dim, options, onProgress, signal);
  return { clustering: chosen(fits, scores, perPoint, sample.length), neighbours, approximateNeighbours: true };
}

/**
 * Index of the nearest centroid for each point (the first of equals). A centroid's sum stops once
 * it reaches the nearest one's so far: its full sum, of squares, could only be as large or larger,
 * so the same centroids win as with every sum computed (checked every 8 values, where the test
 * costs less than it saves).
 */
export function nearestCentroids(points: Float32Array, dim: number, centroids: Float32Array): Int32Array {
  const n = points.length / dim;
  const k = centroids.length / dim;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      const o = c * dim;
      let s = 0;
      let t = 0;
      for (; t < dim; t++) {
        const diff = points[row + t] - centroids[o + t];
        s += diff * diff;
        if ((t & 7) === 7 && s >= bestDistance) break;
      }
      if (t === dim && s < bestDistance) {
        bestDistance = s;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
