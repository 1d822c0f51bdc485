// Approximate nearest neighbours for layers too large for the exact pass (distances.ts grows with
// the square of the points): the points are split into partitions of about 384 points by a few
// seeded k-means steps, and each partition's points are compared, in matrix products (row chunks
// of about 16 MB), with the points of the 14 partitions whose centres are nearest its own. The cost grows
// linearly with the points; `npm run bench:approximations` measures how many of the exact
// neighbours it finds.
import { BLOCK_VALUES, gathered, heapView, keepNearer, type Neighbours } from "./distances";
import { shuffled, type Random } from "../data/random";
import type { Tf } from "./tf";
import { yieldToEventLoop } from "./yield";

export interface PartitionOptions {
  /** Points per partition, on average. */
  partitionSize: number;
  /** Partitions each partition's points are compared with, its own included. */
  probes: number;
}

/**
 * 95.2% and 97.4% of the exact 15 neighbours on all 70,000 MNIST signatures (layers 1 and 2; 1,000
 * seeded images, as `npm run bench:umap -- neighbours` counts them), in 0.4 and 0.8 s less CPU than
 * partitions of 512 with 12 probes fitted on every point (95.1% and 97.3%): 5,376 candidates a row
 * rather than 6,144 (README "Speed").
 */
const DEFAULTS: PartitionOptions = { partitionSize: 384, probes: 14 };
const LLOYD_STEPS = 8;
/**
 * The partitions' centres are fitted on a seeded sample of FIT_PER_PARTITION points per partition,
 * at most LLOYD_POINTS, then every point goes to its nearest: partitions only need to be compact
 * (on all 70,000 digits' signatures, partitions of 512 fitted on 17,536 points found as many
 * neighbours as fitted on all, 95.3% and 97.2%, in 0.3 and 0.5 s less CPU), and on a million
 * points 8 steps over all of them against ~2,600 centres would take minutes.
 */
const FIT_PER_PARTITION = 128;
const LLOYD_POINTS = 100_000;

/**
 * The index of each point's nearest centre, in row chunks of a chunk x centres matrix of about 4 MB:
 * the product and the sums beside it are each that size, all on the wasm heap at once. Each chunk's
 * tensor is made from the points' own array: tf.slice of one tensor of them all read the whole
 * tensor back from the wasm heap each time (about 0.8 s of CPU on 70,000 signatures of 64 values).
 */
function nearestCentres(tf: Tf, points: Float32Array, dim: number, centres: Float32Array): Int32Array {
  const n = points.length / dim;
  const count = centres.length / dim;
  const out = new Int32Array(n);
  const c = tf.tensor2d(centres, [count, dim]);
  const [cT, cSquares] = tf.tidy(() => [tf.transpose(c), tf.transpose(tf.sum(tf.square(c), 1, true))]);
  const chunk = Math.max(1, Math.floor(BLOCK_VALUES / 4 / count));
  try {
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const rows = Math.min(chunk, n - r0);
      const assigned = tf.tidy(() => {
        const own = tf.tensor2d(points.subarray(r0 * dim, (r0 + rows) * dim), [rows, dim]);
        return tf.argMin(tf.sub(tf.add(tf.sum(tf.square(own), 1, true), cSquares), tf.mul(2, tf.matMul(own, cT))), 1);
      });
      out.set(assigned.dataSync(), r0);
      assigned.dispose();
    }
  } finally {
    tf.dispose([c, cT, cSquares]);
  }
  return out;
}

/**
 * Each point's partition: LLOYD_STEPS k-means steps started at distinct random points, on the
 * first FIT_PER_PARTITION per partition (at most LLOYD_POINTS) of a seeded order of the points, or
 * all of them if fewer, then each point's nearest centre.
 */
function partitions(
  tf: Tf,
  points: Float32Array,
  dim: number,
  count: number,
  random: Random,
): { assignment: Int32Array; centres: Float32Array } {
  const n = points.length / dim;
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    random,
  );
  const centres = new Float32Array(count * dim);
  order.slice(0, count).forEach((p, c) => centres.set(points.subarray(p * dim, (p + 1) * dim), c * dim));
  const fitCount = Math.min(LLOYD_POINTS, FIT_PER_PARTITION * count);
  const fitted = n <= fitCount ? undefined : Int32Array.from(order.slice(0, fitCount));
  const fitPoints = fitted ? gathered(points, dim, fitted) : points;
  for (let step = 0; step < LLOYD_STEPS; step++) {
    const assignment = nearestCentres(tf, fitPoints, dim, centres);
    // The means are summed here: the wasm backend has no segment sum.
    const sums = new Float64Array(count * dim);
    const sizes = new Int32Array(count);
    assignment.forEach((c, i) => {
      sizes[c]++;
      for (let t = 0; t < dim; t++) sums[c * dim + t] += fitPoints[i * dim + t];
    });
    // An emptied partition keeps its centre.
    for (let c = 0; c < count; c++) if (sizes[c] > 0) for (let t = 0; t < dim; t++) centres[c * dim + t] = sums[c * dim + t] / sizes[c];
  }
  return { assignment: nearestCentres(tf, points, dim, centres), centres };
}

/** Partitions ordered by their centre's distance from partition `c`'s, `c` first. */
function partitionsByDistance(centres: Float32Array, dim: number, c: number): number[] {
  const count = centres.length / dim;
  const distance = new Float64Array(count);
  for (let o = 0; o < count; o++) {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const diff = centres[c * dim + t] - centres[o * dim + t];
      s += diff * diff;
    }
    distance[o] = o === c ? -1 : s;
  }
  return Array.from({ length: count }, (_, o) => o).sort((a, b) => distance[a] - distance[b]);
}

// A partition's rows and its candidates' columns are copied here rather than gathered on TF.js:
// the wasm backend's gather of 6,000 rows took as long as the matrix product (about 14 ms a partition).
// Each point gets a last value 1 and each candidate column y a last value -|y|^2 / 2: the product is
// x.y - |y|^2 / 2, which ranks the candidates as -|x - y|^2 does (|x|^2 is the row's own), with no
// elementwise pass over the block, and the ranking is done in nearestOthers (tf.topk and those
// passes took as long as the product).

/** Points `members[from..from+count-1]`, one row each, with a last value 1: count x (dim + 1). */
function pointRows(points: Float32Array, dim: number, members: Int32Array, from: number, count: number): Float32Array {
  const out = new Float32Array(count * (dim + 1));
  for (let r = 0; r < count; r++) {
    const p = members[from + r];
    out.set(points.subarray(p * dim, (p + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = 1;
  }
  return out;
}

/**
 * Every point as a column, partition after partition (in `order`), with a last row of -|y|^2 / 2:
 * (dim + 1) x n. A partition's candidates are then a few runs of each row, copied whole.
 */
function pointColumns(points: Float32Array, dim: number, order: Int32Array, squares: Float64Array): Float32Array {
  const n = order.length;
  const out = new Float32Array((dim + 1) * n);
  for (let q = 0; q < n; q++) {
    const p = order[q];
    for (let t = 0, o = q; t < dim; t++, o += n) out[o] = points[p * dim + t];
    out[dim * n + q] = -0.5 * squares[p];
  }
  return out;
}

/**
 * Row r's `wanted` nearest among the `count` candidates of `scores` (rows x count, larger is
 * nearer), itself (column `self`) left out, nearest first, the lower point first among equals:
 * into `best` (points) and `nearness` (-score, which ranks as |x - y|^2 / 2 does).
 */
function nearestOthers(
  scores: Float32Array,
  r: number,
  count: number,
  self: number,
  candidates: Int32Array,
  wanted: number,
  best: Int32Array,
  nearness: Float64Array,
): void {
  nearness.fill(Infinity);
  best.fill(-1);
  if (wanted <= 0) return;
  let bar = Infinity;
  for (let q = 0, o = r * count; q < count; q++, o++) {
    const d = -scores[o];
    if (d > bar || q === self) continue;
    const j = candidates[q];
    if (d === bar && j > best[wanted - 1]) continue;
    keepNearer(nearness, best, 0, wanted, d, j);
    bar = nearness[wanted - 1];
  }
}

/** Each point's `k` approximate nearest points, itself first, with their distances. */
export async function partitionedNeighbours(
  tf: Tf,
  points: Float32Array,
  dim: number,
  k: number,
  random: Random,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
  { partitionSize, probes }: PartitionOptions = DEFAULTS,
): Promise<Neighbours> {
  const n = points.length / dim;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) squares[i] += points[i * dim + t] ** 2;
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  const best = new Int32Array(k - 1);
  const nearness = new Float64Array(k - 1);
  const count = Math.max(1, Math.round(n / partitionSize));
  const { assignment, centres } = partitions(tf, points, dim, count, random);
  // The points partition by partition, each partition's in index order (a counting sort).
  const starts = new Int32Array(count + 1);
  for (const c of assignment) starts[c + 1]++;
  for (let c = 0; c < count; c++) starts[c + 1] += starts[c];
  const order = new Int32Array(n);
  const fill = starts.slice(0, count);
  assignment.forEach((c, i) => (order[fill[c]++] = i));
  const all = pointColumns(points, dim, order, squares);
  for (let c = 0; c < count; c++) {
    signal?.throwIfAborted();
    const rows = starts[c + 1] - starts[c];
    if (rows === 0) continue;
    const members = order.subarray(starts[c], starts[c + 1]);
    const probed: number[] = [];
    let candidateCount = 0;
    for (const o of partitionsByDistance(centres, dim, c)) {
      if (probed.length >= probes && candidateCount >= k) break;
      probed.push(o);
      candidateCount += starts[o + 1] - starts[o];
    }
    const candidates = new Int32Array(candidateCount);
    const columnValues = new Float32Array((dim + 1) * candidateCount);
    let at = 0;
    for (const o of probed) {
      candidates.set(order.subarray(starts[o], starts[o + 1]), at);
      for (let t = 0; t <= dim; t++) columnValues.set(all.subarray(t * n + starts[o], t * n + starts[o + 1]), t * candidateCount + at);
      at += starts[o + 1] - starts[o];
    }
    const columns = tf.tensor2d(columnValues, [dim + 1, candidateCount]);
    const wanted = Math.min(k - 1, candidateCount - 1);
    // Rows in chunks of a chunk x candidates matrix of about 16 MB: a partition of many identical
    // signatures (a dead ReLU layer) can hold a large share of all the points.
    const chunk = Math.max(1, Math.floor(BLOCK_VALUES / candidateCount));
    try {
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const chunkRows = Math.min(chunk, rows - r0);
        const product = tf.tidy(() =>
          tf.matMul(tf.tensor2d(pointRows(points, dim, members, r0, chunkRows), [chunkRows, dim + 1]), columns),
        );
        try {
          const scores = heapView(tf, product) ?? (product.dataSync() as Float32Array);
          for (let r = 0; r < chunkRows; r++) {
            const point = members[r0 + r];
            // The partition's own points come first among the candidates, so row r's self is column r0 + r.
            nearestOthers(scores, r, candidateCount, r0 + r, candidates, wanted, best, nearness);
            const row = [point];
            const rowDistances = [0];
            for (let b = 0; b < wanted; b++) {
              row.push(best[b]);
              rowDistances.push(Math.sqrt(Math.max(0, squares[point] + 2 * nearness[b])));
            }
            indices[point] = row;
            distances[point] = rowDistances;
          }
        } finally {
          product.dispose();
        }
      }
    } finally {
      columns.dispose();
    }
    if (c % 8 === 7) {
      onProgress?.((c + 1) / count);
      await yieldToEventLoop();
    }
  }
  onProgress?.(1);
  return { indices, distances };
}
