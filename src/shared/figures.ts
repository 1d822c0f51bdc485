// Thresholds the pipeline applies and the views state in words, and how figures are rounded in
// the results file: written once here, so a view's text can never disagree with the computation.

/** Purity at or above which a digit counts as held together by one cluster (a layer "separates" the digits). */
export const SEPARATION_PURITY = 0.9;

/**
 * Up to this many images (kept and injected), one exact pass over all pairwise distances; above,
 * where that pass would grow with the square of the images, clustering works on a sample
 * (CLUSTER_SAMPLE) and UMAP's neighbours come from a partitioned search.
 * `npm run bench:approximations` measures both against the exact computation.
 */
export const EXACT_LIMIT = 10_000;

/**
 * Above EXACT_LIMIT images, a layer is clustered on a seeded sample of this many kept images: each
 * k's k-means (every start) is fitted on the sample, every kept image then goes to its fit's
 * nearest centroid, k is chosen by the sample's silhouettes among itself (as scikit-learn's
 * silhouette_score with sample_size), and each image's silhouette at the chosen k is measured
 * against the sample. `npm run bench:approximations` measures it against the full computation.
 */
export const CLUSTER_SAMPLE = 10_000;

/**
 * Above EXACT_LIMIT images, each image's silhouette is measured against the first
 * SILHOUETTE_DISTANCES / kept images of the sample's seeded draw (1,428 at 70,000 images), but
 * never fewer than SILHOUETTE_COLUMNS (so from 100,000 images 1,000 of them, and the pass grows
 * linearly), nor more than the whole sample. Against 1,428 rather than all 10,000 on all 70,000
 * digits, the pass takes about a seventh of the time for a mean error of about 0.01 against the
 * exact silhouette instead of 0.005 (`npm run bench:approximations -- --columns`).
 */
export const SILHOUETTE_DISTANCES = 100_000_000;

/** The fewest sampled images each image's silhouette is measured against (SILHOUETTE_DISTANCES). */
export const SILHOUETTE_COLUMNS = 1_000;

/** Mean Jaccard over the stability runs under which a cluster is "unstable" (Hennig's clusterboot reading: under 0.6, the cluster does not hold). */
export const UNSTABLE_JACCARD = 0.6;

/** How the results' intervals are computed, as the views and the docs state it. */
export const INTERVAL_METHODS = {
  share: "95% Wilson score interval",
  stability: "2.5th-97.5th percentiles over the stability runs",
} as const;

/**
 * When a kept image's signal counts as strange (src/pipeline/outliers.ts): its path (its cluster in
 * every hidden layer) taken by at most `rarePath` kept images of its class, itself included, or by
 * at most `rarePathShare` of the class when that is fewer (a class of 100: 2 images); its distance
 * to its cluster's centroid in the last hidden layer at least `farFromCluster` times that cluster's
 * median; the model's probability for its prediction under `unsure`. Chosen from measurements at
 * 200, 2,000, 10,000 and 70,000 MNIST images (README, "Outliers").
 */
export const OUTLIER_THRESHOLDS = { rarePath: 5, rarePathShare: 0.02, farFromCluster: 2, unsure: 0.5 } as const;

/**
 * Score (0-3: a point for the path, one for the distance, one for the model's output, each whole at
 * its threshold) at or above which an image is on the outlier list: two of the three, or as much.
 */
export const OUTLIER_SCORE = 2;

/** A figure as the results file holds it: 4 decimals, enough for every view and byte-stable across runs. */
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
