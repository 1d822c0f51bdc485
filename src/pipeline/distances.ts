// One pass over a layer's pairwise distances, on TF.js (SIMD matrix products), giving what two
// stages need: every clustering's exact silhouettes and UMAP's exact nearest neighbours. Rows
// are processed in blocks, so memory stays at block x n, never n x n. For large layers,
// sampledSilhouettes measures distances to a sample of the points only, at a cost of n x sample.
//
// For a block of rows, D = sqrt(max(0, |x|^2 + |y|^2 - 2 x.y)) and the per-cluster distance sums
// of every clustering at once are D . M, with M the points' one-hot cluster memberships side by
// side (one column per cluster of each k).
import type { Tf } from "./tf";
import { yieldToEventLoop } from "./yield";

export interface Clustering {
  k: number;
  /** Per clustered point: its cluster, 0..k-1. */
  labels: Int32Array;
}

export interface SilhouetteScores {
  /** Per clustered point: s(i) = (b - a) / max(a, b); 0 for a point alone in its cluster. */
  perPoint: Float32Array;
  mean: number;
}

export interface Neighbours {
  /** Per point: its k nearest points, itself first (as UMAP expects). */
  indices: number[][];
  distances: number[][];
}

export interface DistancePassInput {
  /** n x dim, row-major. */
  points: Float32Array;
  dim: number;
  /** The first `clustered` points are the ones the clusterings label (the kept images). */
  clustered: number;
  clusterings: Clustering[];
  /** Nearest neighbours wanted per point, itself included; 0 for none. */
  neighbours: number;
  /** Rows per block; default: a block x columns matrix of about 16 MB. */
  rowsPerBlock?: number;
}

/**
 * Rows per block: a block x columns distance matrix of about 16 MB. A block holds ten such
 * matrices at once and the wasm heap never shrinks, so this bounds each worker's memory; smaller
 * blocks cost no time (256 to 1,600 rows of 10,000 take the same 2.6 s).
 */
/** The rows `indices` of the points (dim values each), in that order, as one array. */
export function gathered(points: Float32Array, dim: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((p, j) => out.set(points.subarray(p * dim, (p + 1) * dim), j * dim));
  return out;
}

const blockRows = (columns: number) => Math.max(32, Math.min(2048, Math.floor(BLOCK_VALUES / Math.max(1, columns))));

/** Distances computed at once, about 16 MB of float32: the unit both distance passes block by. */
export const BLOCK_VALUES = 4_000_000;

export async function distancePass(
  tf: Tf,
  { points, dim, clustered, clusterings, neighbours, rowsPerBlock }: DistancePassInput,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<{ silhouettes: SilhouetteScores[]; neighbours: Neighbours }> {
  const n = points.length / dim;
  const cols = Int32Array.from({ length: n }, (_, i) => i);
  const offsets: number[] = [];
  let width = 0;
  for (const c of clusterings) {
    offsets.push(width);
    width += c.k;
  }
  const membership = new Float32Array(n * width);
  clusterings.forEach((c, ci) => cols.forEach((p, j) => p < clustered && (membership[j * width + offsets[ci] + c.labels[p]] = 1)));
  const sums = new Float32Array(clustered * width);
  const kNN = neighbours > 0 ? Math.min(neighbours, n) : 0;
  const knn: Neighbours = { indices: [], distances: [] };
  // Without neighbours to find, only the clustered points' rows matter.
  const rowCount = kNN > 0 ? n : clustered;

  const x = tf.tensor2d(points, [n, dim]);
  // Transposed once: the wasm backend's matMul is ten times slower with transposeB.
  const cT = tf.transpose(x);
  const squares = tf.sum(tf.square(x), 1);
  const membershipTensor = width > 0 ? tf.tensor2d(membership, [n, width]) : undefined;
  const step = rowsPerBlock ?? blockRows(n);
  try {
    for (let start = 0; start < rowCount; start += step) {
      signal?.throwIfAborted();
      const rows = Math.min(step, rowCount - start);
      const [blockSums, values, indices] = tf.tidy(() => {
        const block = x.slice([start, 0], [rows, dim]);
        const squared = tf.relu(
          tf.sub(tf.add(squares.slice([start], [rows]).reshape([rows, 1]), squares.reshape([1, n])), tf.mul(2, tf.matMul(block, cT))),
        );
        // A point's distance to itself is exactly 0, whatever the rounding of the formula above.
        const self = tf.oneHot(tf.tensor1d(cols.subarray(start, start + rows), "int32"), n);
        const d = tf.mul(tf.sqrt(squared), tf.sub(1, self));
        const clusteredRows = Math.max(0, Math.min(rows, clustered - start));
        const s = membershipTensor && clusteredRows > 0 ? tf.matMul(d.slice([0, 0], [clusteredRows, n]), membershipTensor) : undefined;
        if (kNN === 0) return [s] as const;
        // Self first: its distance, 0, is pushed below every other by subtracting the mask.
        const nearest = tf.topk(tf.neg(tf.sub(d, self)), kNN);
        return [s, nearest.values, nearest.indices] as const;
      });
      if (blockSums) sums.set(await blockSums.data(), start * width);
      if (values && indices) {
        const v = await values.data();
        const idx = await indices.data();
        for (let r = 0; r < rows; r++) {
          const row = Array.from(idx.subarray(r * kNN, (r + 1) * kNN));
          knn.indices.push(row);
          knn.distances.push(Array.from(v.subarray(r * kNN, (r + 1) * kNN), (value, j) => (row[j] === start + r ? 0 : -value)));
        }
      }
      tf.dispose([blockSums, values, indices].filter((t) => t !== undefined));
      onProgress?.((start + rows) / rowCount);
      await yieldToEventLoop();
    }
  } finally {
    tf.dispose([x, cT, squares, membershipTensor].filter((t) => t !== undefined));
  }
  return {
    silhouettes: clusterings.map((clustering, ci) => scoresFromSums(sums, width, offsets[ci], clustering, cols, cols)),
    neighbours: knn,
  };
}

function scoresFromSums(
  sums: Float32Array | Float64Array,
  width: number,
  offset: number,
  { k, labels }: Clustering,
  column: Int32Array,
  cols: Int32Array,
): SilhouetteScores {
  const n = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  /** Per cluster: its points among the columns, over which the distance sums ran. */
  const counted = new Int32Array(k);
  for (const p of cols) if (p < n) counted[labels[p]]++;
  const perPoint = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    const others = counted[own] - (column[i] >= 0 ? 1 : 0);
    // Alone in its cluster (or, with a sample, alone among its cluster's sampled points): 0, as
    // scikit-learn scores a singleton. A cluster with no sampled point cannot be a nearest one.
    if (sizes[own] <= 1 || others <= 0) continue;
    const row = i * width + offset;
    const a = sums[row + own] / others;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counted[c] > 0) b = Math.min(b, sums[row + c] / counted[c]);
    const s = b === Infinity || Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
    perPoint[i] = s;
    total += s;
  }
  return { perPoint, mean: n > 0 ? total / n : 0 };
}

export interface SampledSilhouettesInput {
  /** n x dim, row-major. */
  points: Float32Array;
  dim: number;
  /** The first `rows` points are scored; the clusterings label them. */
  rows: number;
  /** The points (ascending indices below `rows`) the distances are measured to: a cluster's mean distance is its sampled members' mean. */
  columns: Int32Array;
  clusterings: Clustering[];
}

/**
 * Every row's silhouette in each clustering, measured against the `columns` points only (a point
 * among them leaves itself out, so for the columns themselves it is their silhouette among the
 * sample): n x sample distances instead of n x n. The dot products are TF.js matrix products; the
 * distances and each cluster's sums are one loop over them in JavaScript, in float64, instead of
 * the chain of tensor ops distancePass runs over each block (broadcast sums, relu, sqrt, a mask, a
 * second product): a one-off comparison measured 2.5 s against 2.9 to 3.3 s of CPU for 20,000 signatures
 * (64 values) against 10,000 and one clustering (not kept as a bench); and
 * no block matrices are held but the products.
 */
export async function sampledSilhouettes(
  tf: Tf,
  { points, dim, rows: rowCount, columns, clusterings }: SampledSilhouettesInput,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<SilhouetteScores[]> {
  const m = columns.length;
  const column = new Int32Array(rowCount).fill(-1);
  columns.forEach((p, j) => (column[p] = j));
  const offsets: number[] = [];
  let width = 0;
  for (const c of clusterings) {
    offsets.push(width);
    width += c.k;
  }
  const count = clusterings.length;
  /** Per column, per clustering: the column of `sums` its distance adds to. */
  const target = new Int32Array(m * count);
  columns.forEach((p, j) => clusterings.forEach((c, ci) => (target[j * count + ci] = offsets[ci] + c.labels[p])));
  const squares = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    let s = 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) s += points[t] * points[t];
    squares[i] = s;
  }
  const columnSquares = Float64Array.from(columns, (p) => squares[p]);
  const sums = new Float64Array(rowCount * width);
  const cT = tf.tidy(() => tf.transpose(tf.tensor2d(gathered(points, dim, columns), [m, dim])));
  const step = blockRows(m);
  try {
    for (let start = 0; start < rowCount; start += step) {
      signal?.throwIfAborted();
      const rows = Math.min(step, rowCount - start);
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(points.subarray(start * dim, (start + rows) * dim), [rows, dim]), cT));
      const dots = (await product.data()) as Float32Array;
      product.dispose();
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        const self = column[i];
        const own = squares[i];
        const row = sums.subarray(i * width, (i + 1) * width);
        for (let j = 0, o = r * m; j < m; j++, o++) {
          if (j === self) continue;
          const squared = own + columnSquares[j] - 2 * dots[o];
          const d = squared > 0 ? Math.sqrt(squared) : 0;
          for (let ci = 0, t = j * count; ci < count; ci++, t++) row[target[t]] += d;
        }
      }
      onProgress?.((start + rows) / rowCount);
      await yieldToEventLoop();
    }
  } finally {
    cT.dispose();
  }
  return clusterings.map((clustering, ci) => scoresFromSums(sums, width, offsets[ci], clustering, column, columns));
}
