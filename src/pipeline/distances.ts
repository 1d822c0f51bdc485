// One pass over a layer's pairwise distances, on TF.js (SIMD matrix products), giving what two
// stages need: every clustering's exact silhouettes and UMAP's exact nearest neighbours. Rows
// are processed in blocks, so memory stays at block x n, never n x n.
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
  /** Nearest neighbours wanted per point, itself included (at least 1). */
  neighbours: number;
  /** Rows per block; default: a block x n matrix of about 16 MB. */
  rowsPerBlock?: number;
}

/**
 * Rows per block: a block x n distance matrix of about 16 MB. A block holds ten such matrices at
 * once and the wasm heap never shrinks, so this bounds each worker's memory; smaller blocks cost
 * no time (256 to 1,600 rows of 10,000 take the same 2.6 s).
 */
const blockRows = (n: number) => Math.max(32, Math.min(2048, Math.floor(4_000_000 / Math.max(1, n))));

export async function distancePass(
  tf: Tf,
  { points, dim, clustered, clusterings, neighbours, rowsPerBlock }: DistancePassInput,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<{ silhouettes: SilhouetteScores[]; neighbours: Neighbours }> {
  const n = points.length / dim;
  const offsets: number[] = [];
  let width = 0;
  for (const c of clusterings) {
    offsets.push(width);
    width += c.k;
  }
  const membership = new Float32Array(n * width);
  clusterings.forEach((c, ci) => c.labels.forEach((label, i) => (membership[i * width + offsets[ci] + label] = 1)));
  const sums = new Float32Array(clustered * width);
  const kNN = Math.max(1, Math.min(neighbours, n));
  const knn: Neighbours = { indices: [], distances: [] };

  const x = tf.tensor2d(points, [n, dim]);
  // Transposed once: the wasm backend's matMul is ten times slower with transposeB.
  const xT = tf.transpose(x);
  const squares = tf.sum(tf.square(x), 1);
  const m = width > 0 ? tf.tensor2d(membership, [n, width]) : undefined;
  const step = rowsPerBlock ?? blockRows(n);
  try {
    for (let start = 0; start < n; start += step) {
      signal?.throwIfAborted();
      const rows = Math.min(step, n - start);
      const [blockSums, values, indices] = tf.tidy(() => {
        const block = x.slice([start, 0], [rows, dim]);
        const squared = tf.relu(tf.sub(tf.add(squares.slice([start], [rows]).reshape([rows, 1]), squares.reshape([1, n])), tf.mul(2, tf.matMul(block, xT))));
        // A point's distance to itself is exactly 0, whatever the rounding of the formula above.
        const self = tf.oneHot(tf.range(start, start + rows, 1, "int32"), n);
        const d = tf.mul(tf.sqrt(squared), tf.sub(1, self));
        const clusteredRows = Math.max(0, Math.min(rows, clustered - start));
        const s = m && clusteredRows > 0 ? tf.matMul(d.slice([0, 0], [clusteredRows, n]), m) : undefined;
        // Self first: its distance, 0, is pushed below every other by subtracting the mask.
        const nearest = tf.topk(tf.neg(tf.sub(d, self)), kNN);
        return [s, nearest.values, nearest.indices] as const;
      });
      if (blockSums) sums.set(await blockSums.data(), start * width);
      const v = await values.data();
      const idx = await indices.data();
      for (let r = 0; r < rows; r++) {
        const row = Array.from(idx.subarray(r * kNN, (r + 1) * kNN));
        knn.indices.push(row);
        knn.distances.push(Array.from(v.subarray(r * kNN, (r + 1) * kNN), (value, j) => (row[j] === start + r ? 0 : -value)));
      }
      blockSums?.dispose();
      values.dispose();
      indices.dispose();
      onProgress?.((start + rows) / n);
      await yieldToEventLoop();
    }
  } finally {
    x.dispose();
    xT.dispose();
    squares.dispose();
    m?.dispose();
  }
  return {
    silhouettes: clusterings.map((c, ci) => scoresFromSums(sums, width, offsets[ci], c)),
    neighbours: knn,
  };
}

function scoresFromSums(sums: Float32Array, width: number, offset: number, { k, labels }: Clustering): SilhouetteScores {
  const n = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  const perPoint = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    if (sizes[own] <= 1) continue;
    const row = i * width + offset;
    const a = sums[row + own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[row + c] / sizes[c]);
    const s = b === Infinity || Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
    perPoint[i] = s;
    total += s;
  }
  return { perPoint, mean: n > 0 ? total / n : 0 };
}
