// Thresholds the pipeline applies and the views state in words, and how figures are rounded in
// the results file: written once here, so a view's text can never disagree with the computation.

/** Purity at or above which a digit counts as held together by one cluster (a layer "separates" the digits). */
export const SEPARATION_PURITY = 0.9;

/**
 * Up to this many images (kept and injected), one exact pass over all pairwise distances; above,
 * where that pass would grow with the square of the images, silhouettes measure distances to a
 * seeded sample of this many kept images and UMAP's neighbours come from a partitioned search.
 * `npm run bench:approximations` measures both against the exact computation.
 */
export const EXACT_LIMIT = 10_000;

/** A figure as the results file holds it: 4 decimals, enough for every view and byte-stable across runs. */
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
