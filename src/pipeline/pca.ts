// A layer's PCA map: its signatures projected on the kept images' first two principal components,
// the instant, linear alternative to UMAP (distances along the axes mean what they say). The
// covariance is one pass over the signatures in doubles; its eigenvectors come from ml-matrix
// (already installed with ml-kmeans), a dim x dim problem whatever the number of images.
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

export interface PcaMap {
  /** [x0, y0, x1, y1, ...] for every image (kept, then injected), centred on the kept images' mean. */
  map: Float32Array;
  /** The share of the kept images' variance along each of the two axes (0..1). */
  explained: [number, number];
}

/** The kept images' mean (dim) and covariance (dim x dim, row-major), in doubles. */
function meanAndCovariance(points: Float32Array, dim: number, kept: number): { mean: Float64Array; covariance: Float64Array } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < kept; i++) for (let t = 0; t < dim; t++) mean[t] += points[i * dim + t];
  for (let t = 0; t < dim; t++) mean[t] /= kept;
  const covariance = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < kept; i++) {
    for (let t = 0; t < dim; t++) row[t] = points[i * dim + t] - mean[t];
    // The upper triangle only; mirrored below.
    for (let a = 0; a < dim; a++) {
      const va = row[a];
      if (va === 0) continue;
      const o = a * dim;
      for (let b = a; b < dim; b++) covariance[o + b] += va * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = covariance[a * dim + b] / Math.max(1, kept - 1);
      covariance[a * dim + b] = v;
      covariance[b * dim + a] = v;
    }
  }
  return { mean, covariance };
}

/**
 * The PCA map of n x dim `points`, whose first `kept` rows (the kept images) define the axes. An
 * axis's sign is chosen so that its largest component is positive: the same signatures give the
 * same map, whichever way the solver's vectors came out.
 */
export function pcaMap(points: Float32Array, dim: number, kept: number): PcaMap {
  const n = points.length / dim;
  const { mean, covariance } = meanAndCovariance(points, dim, kept);
  const matrix = new Matrix(Array.from({ length: dim }, (_, a) => Array.from(covariance.subarray(a * dim, (a + 1) * dim))));
  const evd = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const total = values.reduce((sum, v) => sum + Math.max(0, v), 0);
  const axes = order.slice(0, 2).map((c) => {
    const axis = Float64Array.from(evd.eigenvectorMatrix.getColumn(c));
    let largest = 0;
    for (let t = 1; t < dim; t++) if (Math.abs(axis[t]) > Math.abs(axis[largest])) largest = t;
    if (axis[largest] < 0) for (let t = 0; t < dim; t++) axis[t] = -axis[t];
    return axis;
  });
  // A one-dimensional layer has a single axis: the map's y is then 0.
  while (axes.length < 2) axes.push(new Float64Array(dim));
  const map = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x = 0;
    let y = 0;
    for (let t = 0; t < dim; t++) {
      const v = points[i * dim + t] - mean[t];
      x += v * axes[0][t];
      y += v * axes[1][t];
    }
    map[2 * i] = x;
    map[2 * i + 1] = y;
  }
  const share = (rank: number) => (total > 0 && rank < order.length ? Math.max(0, values[order[rank]]) / total : 0);
  return { map, explained: [share(0), share(1)] };
}
