// One pass over a layer's pairwise distances giving what two stages need: every clustering's
// exact silhouettes and UMAP's exact nearest neighbours. Rows are processed in blocks, so memory
// stays at block x n, never n x n. For large layers, sampledSilhouettes measures distances to a
// sample of the points only, at a cost of n x sample.
//
// For a block of rows, the dot products x.y are a TF.js matrix product (SIMD), D = sqrt(max(0,
// |x|^2 + |y|^2 - 2 x.y)) one loop in JavaScript that also keeps each row's nearest points, and the
// per-cluster distance sums of every clustering at once a second product, D . M, with M the points'
// one-hot cluster memberships side by side (one column per cluster of each k). The loop replaced
// TF.js ops (broadcast sums, relu, sqrt, a mask, topk's sort of every row) with the same float32
// roundings, so the same figures bit for bit in less time (`npm run bench:clustering -- --pass`).
import type * as TF from "@tensorflow/tfjs";
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

/** The rows `indices` of the points (dim values each), in that order, as one array. */
export function gathered(points: Float32Array, dim: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((p, j) => out.set(points.subarray(p * dim, (p + 1) * dim), j * dim));
  return out;
}

/**
 * A float32 tensor's values in place, on the wasm backend: a view of its memory (BackendWasm's
 * typedArrayFromHeap), to be read before anything else allocates on that heap, which may move it;
 * undefined elsewhere, where a copy is read. The copy of every block's products took about a
 * seventh of the exact pass's time on 10,000 signatures (one timing of its parts, not kept as a
 * bench), and more on the products of 70,000 against a sample.
 */
export function heapView(tf: Tf, tensor: TF.Tensor): Float32Array | undefined {
  const backend = tf.backend() as Partial<{ typedArrayFromHeap(t: TF.Tensor): Float32Array }>;
  return backend.typedArrayFromHeap?.(tensor);
}

/**
 * Rows per block: a block x columns distance matrix of about 16 MB. The wasm heap never shrinks,
 * so this bounds each worker's memory; smaller blocks cost no time (256 to 1,600 rows of 10,000
 * took the same 2.6 s with the tensor ops the pass used before).
 */
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
  const offsets: number[] = [];
  let width = 0;
  for (const c of clusterings) {
    offsets.push(width);
    width += c.k;
  }
  const membership = new Float32Array(n * width);
  clusterings.forEach((c, ci) => {
    for (let j = 0; j < clustered; j++) membership[j * width + offsets[ci] + c.labels[j]] = 1;
  });
  const sums = new Float32Array(clustered * width);
  const kNN = neighbours > 0 ? Math.min(neighbours, n) : 0;
  const nearest = new NearestLists(kNN > 0 ? n : 0, kNN - 1);
  // Without neighbours to find, only the clustered points' rows matter.
  const rowCount = kNN > 0 ? n : clustered;

  const x = tf.tensor2d(points, [n, dim]);
  // Transposed once: the wasm backend's matMul is ten times slower with transposeB.
  const cT = tf.transpose(x);
  const squares = tf.tidy(() => tf.sum(tf.square(x), 1));
  const squared = (await squares.data()) as Float32Array;
  const membershipTensor = width > 0 ? tf.tensor2d(membership, [n, width]) : undefined;
  const step = rowsPerBlock ?? blockRows(n);
  const block = new Float32Array(Math.min(step, rowCount) * n);
  try {
    for (let start = 0; start < rowCount; start += step) {
      signal?.throwIfAborted();
      const rows = Math.min(step, rowCount - start);
      const product = tf.tidy(() => tf.matMul(x.slice([start, 0], [rows, dim]), cT));
      try {
        const dots = heapView(tf, product) ?? ((await product.data()) as Float32Array);
        for (let r = 0; r < rows; r++) {
          const i = start + r;
          const own = squared[i];
          for (let j = 0, o = r * n; j < n; j++, o++) {
            // TF.js's float32 ops, one rounding each, as the tensor chain this loop replaced computed
            // them: max(0, (|x|^2 + |y|^2) - 2 x.y), its square root; a point's distance to itself is 0.
            const d2 = Math.fround(Math.fround(own + squared[j]) - 2 * dots[o]);
            block[o] = j === i ? 0 : Math.fround(Math.sqrt(d2 > 0 ? d2 : 0));
          }
          if (kNN > 0) nearest.add(i, block, r * n, n);
        }
      } finally {
        product.dispose();
      }
      const clusteredRows = Math.max(0, Math.min(rows, clustered - start));
      if (membershipTensor && clusteredRows > 0) {
        // The per-cluster sums as XNNPACK's product gives them: each in column order, in float32.
        const blockSums = tf.tidy(() => tf.matMul(tf.tensor2d(block.subarray(0, clusteredRows * n), [clusteredRows, n]), membershipTensor));
        sums.set((await blockSums.data()) as Float32Array, start * width);
        blockSums.dispose();
      }
      onProgress?.((start + rows) / rowCount);
      await yieldToEventLoop();
    }
  } finally {
    tf.dispose([x, cT, squares, membershipTensor].filter((t) => t !== undefined));
  }
  return {
    silhouettes: clusterings.map((clustering, ci) => scoresFromSums(sums, width, offsets[ci], clustering)),
    neighbours: kNN > 0 ? nearest.neighbours() : { indices: [], distances: [] },
  };
}

/**
 * Puts `d`, the distance of point `j`, in its place among the `size` nearest kept from `base`
 * (nearest first, the lower index first among equal distances), the last one dropped: the caller
 * has checked that it belongs there (nearer than the last, or as near with a lower index), so
 * the test that rejects most distances stays in the caller's loop. Lists start filled with
 * Infinity and index -1. The one "keep the k nearest" of the exact pass, the partitioned search
 * and the maps' neighbours (mapNeighbours.ts).
 */
export function keepNearer(
  distances: Float32Array | Float64Array,
  indices: Int32Array,
  base: number,
  size: number,
  d: number,
  j: number,
): void {
  let p = base + size - 1;
  for (; p > base && (distances[p - 1] > d || (distances[p - 1] === d && indices[p - 1] > j)); p--) {
    distances[p] = distances[p - 1];
    indices[p] = indices[p - 1];
  }
  distances[p] = d;
  indices[p] = j;
}

/**
 * Each point's nearest others, `others` per point, as TF.js's topk ranked them in the pass this
 * replaced (nearest first, the lower index first among equal distances), the point itself ahead
 * of them: a sorted list per point, a distance entering only below the list's last.
 */
class NearestLists {
  private readonly distances: Float32Array;
  private readonly indices: Int32Array;

  constructor(
    private readonly n: number,
    private readonly others: number,
  ) {
    this.distances = new Float32Array(n * Math.max(0, others)).fill(Infinity);
    this.indices = new Int32Array(n * Math.max(0, others)).fill(-1);
  }

  /** Point i's distances to every point, `count` of them from `from` in `row`, in index order. */
  add(i: number, row: Float32Array, from: number, count: number): void {
    const { distances, indices, others } = this;
    if (others <= 0) return;
    const base = i * others;
    const last = base + others - 1;
    let worst = distances[last];
    for (let j = 0; j < count; j++) {
      const d = row[from + j];
      // In index order, a distance equal to the last kept one's comes after it.
      if (d >= worst || j === i) continue;
      keepNearer(distances, indices, base, others, d, j);
      worst = distances[last];
    }
  }

  neighbours(): Neighbours {
    const { n, others, distances, indices } = this;
    const out: Neighbours = { indices: [], distances: [] };
    for (let i = 0; i < n; i++) {
      out.indices.push([i, ...indices.subarray(i * others, (i + 1) * others)]);
      out.distances.push([0, ...distances.subarray(i * others, (i + 1) * others)]);
    }
    return out;
  }
}

/**
 * Each point's silhouette in one clustering from its distance sums to each cluster (`sums`, a row of
 * `width` per point, this clustering's from `offset`): over every point, or, with `sample`, over its
 * columns only (`column`: each point's place among them, -1 if none).
 */
function scoresFromSums(
  sums: Float32Array | Float64Array,
  width: number,
  offset: number,
  { k, labels }: Clustering,
  sample?: { column: Int32Array; columns: Int32Array },
): SilhouetteScores {
  const n = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  /** Per cluster: its points among the columns, over which the distance sums ran. */
  let counted = sizes;
  if (sample) {
    counted = new Int32Array(k);
    for (const p of sample.columns) counted[labels[p]]++;
  }
  const perPoint = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    const others = counted[own] - (!sample || sample.column[i] >= 0 ? 1 : 0);
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
 * The columns grouped by their cluster in every clustering at once (cells: the columns that no
 * clustering tells apart), each cell's columns in index order: a row's distances to a cell are one
 * run, summed once and then added to the cell's cluster in each clustering.
 */
function cellsOf(
  columns: Int32Array,
  clusterings: Clustering[],
  offsets: number[],
): { order: Int32Array; starts: Int32Array; targets: Int32Array } {
  const differs = (a: number, b: number) => {
    for (const c of clusterings) if (c.labels[columns[a]] !== c.labels[columns[b]]) return c.labels[columns[a]] - c.labels[columns[b]];
    return 0;
  };
  const order = Int32Array.from(columns, (_, j) => j).sort((a, b) => differs(a, b) || a - b);
  const starts: number[] = [];
  const targets: number[] = [];
  order.forEach((j, q) => {
    if (q > 0 && differs(order[q - 1], j) === 0) return;
    starts.push(q);
    clusterings.forEach((c, ci) => targets.push(offsets[ci] + c.labels[columns[j]]));
  });
  starts.push(order.length);
  return { order, starts: Int32Array.from(starts), targets: Int32Array.from(targets) };
}

/**
 * Every row's silhouette in each clustering, measured against the `columns` points only (a point
 * among them leaves itself out, so for the columns themselves it is their silhouette among the
 * sample): n x sample distances instead of n x n. The dot products are TF.js matrix products, the
 * columns ordered by cell (cellsOf); the distances, in float64, and each cell's sum are one loop over
 * each row's products, then each cell's sum is added to its cluster in every clustering: for the
 * nine clusterings that choose k, one addition per distance where adding each distance to each
 * clustering's cluster took nine (`npm run bench:clustering -- --sampled` times both; the sums
 * differ by float64 rounding only, in the order the distances are added).
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
  const { order, starts, targets } = cellsOf(columns, clusterings, offsets);
  const cells = starts.length - 1;
  /** Per column: its place in `order`, where a row that is a column finds itself. */
  const placeOf = new Int32Array(m);
  order.forEach((j, q) => (placeOf[j] = q));
  const ordered = Int32Array.from(order, (j) => columns[j]);
  const squares = new Float64Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    let s = 0;
    for (let t = i * dim; t < (i + 1) * dim; t++) s += points[t] * points[t];
    squares[i] = s;
  }
  const columnSquares = Float64Array.from(ordered, (p) => squares[p]);
  const sums = new Float64Array(rowCount * width);
  const cT = tf.tidy(() => tf.transpose(tf.tensor2d(gathered(points, dim, ordered), [m, dim])));
  const step = blockRows(m);
  try {
    for (let start = 0; start < rowCount; start += step) {
      signal?.throwIfAborted();
      const rows = Math.min(step, rowCount - start);
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(points.subarray(start * dim, (start + rows) * dim), [rows, dim]), cT));
      try {
        const dots = heapView(tf, product) ?? ((await product.data()) as Float32Array);
        for (let r = 0; r < rows; r++) {
          const i = start + r;
          const self = column[i] >= 0 ? placeOf[column[i]] : -1;
          const own = squares[i];
          const row = i * width;
          const o = r * m;
          for (let cell = 0; cell < cells; cell++) {
            let total = 0;
            for (let q = starts[cell], end = starts[cell + 1]; q < end; q++) {
              if (q === self) continue;
              const squared = own + columnSquares[q] - 2 * dots[o + q];
              total += squared > 0 ? Math.sqrt(squared) : 0;
            }
            for (let ci = 0, t = cell * count; ci < count; ci++, t++) sums[row + targets[t]] += total;
          }
        }
      } finally {
        product.dispose();
      }
      onProgress?.((start + rows) / rowCount);
      await yieldToEventLoop();
    }
  } finally {
    cT.dispose();
  }
  return clusterings.map((clustering, ci) => scoresFromSums(sums, width, offsets[ci], clustering, { column, columns }));
}
