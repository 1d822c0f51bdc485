// How far a layer's clustering holds when the images change (the experiment's `stability.runs`):
// each run draws a bootstrap resample of the kept images, as many as there are, with replacement,
// and refits the layer's k-means on it exactly as the main clustering was fitted (the same k range
// or fixed k, the same restarts, k chosen again by mean silhouette). A bootstrap rather than other
// seeds alone: another seed only moves k-means' starts, which several restarts already settle,
// while a resample asks what the report's claims are about, whether another draw of the same kind
// of images would cluster the same way. Compared with the main clustering on the distinct images
// the run drew: the adjusted Rand index per run, and per main cluster the Jaccard similarity of its
// best match in the run (Hennig's clusterboot), averaged over the runs.
//
// The resample depends only on the seed, the run and the number of kept images, so every layer,
// each in its own worker thread, draws the same one without being told.
import { round4 } from "../shared/figures";
import type { Interval, LayerStability } from "../shared/results";
import { adjustedRandIndex, contingencyMatrix } from "../results/compare";
import { randomFor } from "../data/random";
import { bestScore, clusterSample, kmeansFits, nearestCentroids, sampleSilhouettes, type ClusterOptions } from "./cluster";
import { distancePass } from "./distances";
import type { Tf } from "./tf";
import { yieldToEventLoop } from "./yield";

/** Run `run`'s bootstrap resample: `keptCount` draws, with replacement, of the kept images' indices. */
export function bootstrapResample(seed: number, run: number, keptCount: number): Int32Array {
  const random = randomFor(seed, `stability run ${run}`);
  return Int32Array.from({ length: keptCount }, () => Math.floor(random() * keptCount));
}

/** The p-quantiles of `values` by linear interpolation between order statistics (numpy's default). */
export function quantiles(values: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return ps.map((p) => {
    const at = p * (sorted.length - 1);
    const low = Math.floor(at);
    const high = Math.min(sorted.length - 1, low + 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
  });
}

/** The 2.5th-97.5th percentiles, the stability runs' interval (INTERVAL_METHODS.stability, figures.ts). */
export const percentileInterval = (values: readonly number[]): Interval => quantiles(values, [0.025, 0.975]).map(round4) as Interval;

export interface StabilityInput {
  /** (kept + injected) x dim signatures, kept first. */
  points: Float32Array;
  dim: number;
  keptCount: number;
  /** The main clustering: per kept image its cluster, and k. */
  labels: Int32Array;
  k: number;
  options: Omit<ClusterOptions, "neighbours">;
  runs: number;
}

export interface StabilityOfLayer {
  stability: LayerStability;
  /** Per main cluster: the mean Jaccard of its best match over the runs that drew any of its images. */
  clusters: number[];
  /** Per run: every image's cluster (kept and injected), by nearest centroid of that run's fit. */
  assignments: Int32Array[];
}

/** One run's agreement with the main clustering on the distinct images it drew. */
function compared(
  main: Int32Array,
  k: number,
  run: Int32Array,
  runK: number,
  drawn: Int32Array,
): { ari: number; jaccard: (number | null)[] } {
  const a = Int32Array.from(drawn, (i) => main[i]);
  const b = Int32Array.from(drawn, (i) => run[i]);
  const counts = contingencyMatrix(a, b, k, runK);
  const columns = counts[0].map((_, j) => counts.reduce((s, row) => s + row[j], 0));
  const jaccard = counts.map((row) => {
    const size = row.reduce((s, x) => s + x, 0);
    // A cluster none of whose images were drawn says nothing about this run: left out of its mean.
    if (size === 0) return null;
    return Math.max(...row.map((both, j) => both / (size + columns[j] - both)));
  });
  return { ari: adjustedRandIndex(counts) ?? 1, jaccard };
}

export async function layerStability(
  tf: Tf,
  input: StabilityInput,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<StabilityOfLayer> {
  const { points, dim, keptCount, runs } = input;
  const aris: number[] = [];
  const kChosen: Record<string, number> = {};
  const jaccards: number[][] = Array.from({ length: input.k }, () => []);
  const assignments: Int32Array[] = [];
  for (let run = 0; run < runs; run++) {
    signal?.throwIfAborted();
    const step = (f: number) => onProgress?.((run + f) / runs);
    const resample = bootstrapResample(input.options.seed, run, keptCount);
    const drawnPoints = new Float32Array(keptCount * dim);
    resample.forEach((i, r) => drawnPoints.set(points.subarray(i * dim, (i + 1) * dim), r * dim));
    // The run's own seed, so its k-means starts are not the main clustering's on a near copy of the data.
    const seed = Math.floor(randomFor(input.options.seed, `stability run ${run} k-means`)() * 2 ** 31);
    // As the main clustering: exact up to EXACT_LIMIT images, else fitted and scored on a seeded sample.
    const sample = clusterSample(keptCount, seed);
    const fits = await kmeansFits(drawnPoints, dim, { ...input.options, seed, sample }, (f) => step(0.6 * f), signal);
    const silhouettes = sample
      ? await sampleSilhouettes(tf, drawnPoints, dim, fits, sample, (f) => step(0.6 + 0.35 * f), signal)
      : (
          await distancePass(
            tf,
            { points: drawnPoints, dim, clustered: keptCount, clusterings: fits, neighbours: 0 },
            (f) => step(0.6 + 0.35 * f),
            signal,
          )
        ).silhouettes;
    const fit = fits[bestScore(silhouettes)];
    kChosen[fit.k] = (kChosen[fit.k] ?? 0) + 1;
    const assigned = nearestCentroids(points, dim, fit.centroids);
    assignments.push(assigned);
    const drawn = Int32Array.from(new Set(resample)).sort();
    const { ari, jaccard } = compared(input.labels, input.k, assigned, fit.k, drawn);
    aris.push(ari);
    jaccard.forEach((j, c) => j !== null && jaccards[c].push(j));
    step(1);
    await yieldToEventLoop();
  }
  const mean = aris.reduce((s, x) => s + x, 0) / runs;
  const sd = runs > 1 ? Math.sqrt(aris.reduce((s, x) => s + (x - mean) ** 2, 0) / (runs - 1)) : 0;
  return {
    stability: { runs, ari: { mean: round4(mean), sd: round4(sd), interval: percentileInterval(aris) }, kChosen },
    // A cluster never drawn in any run (possible only for a handful of images and few runs) did not hold in any: 0.
    clusters: jaccards.map((js) => round4(js.length > 0 ? js.reduce((s, x) => s + x, 0) / js.length : 0)),
    assignments,
  };
}
