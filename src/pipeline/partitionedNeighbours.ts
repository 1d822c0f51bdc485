// Approximate nearest neighbours for layers too large for the exact pass (distances.ts grows with
// the square of the points): the points are split into partitions of about 512 points by a few
// seeded k-means steps, and each partition's points are compared, in matrix products (row chunks
// of about 16 MB), with the points of the 12 partitions whose centres are nearest its own. The cost grows
// linearly with the points; `npm run bench:approximations` measures how many of the exact
// neighbours it finds.
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { BLOCK_VALUES, type Neighbours } from "./distances";
import { shuffled, type Random } from "../data/random";
import type { Tf } from "./tf";
import { yieldToEventLoop } from "./yield";

export interface PartitionOptions {
  /** Points per partition, on average. */
  partitionSize: number;
  /** Partitions each partition's points are compared with, its own included. */
  probes: number;
}

/** 95-97% of the exact 15 neighbours on all 70,000 MNIST signatures, 96-98% on 54,210 (`npm run bench:approximations`, README "Speed"). */
const DEFAULTS: PartitionOptions = { partitionSize: 512, probes: 12 };
const LLOYD_STEPS = 8;
/**
 * The partitions' centres are fitted on at most this many points (a seeded sample above), then
 * every point goes to its nearest: on a million points, 8 steps over all of them against ~2,000
 * centres would take minutes for partitions that only need to be compact.
 */
const LLOYD_POINTS = 100_000;

/** The index of each point's nearest centre, in row chunks of a chunk x centres matrix of about 16 MB. */
function nearestCentres(tf: Tf, x: Tensor2D, squares: Tensor, centres: Float32Array, dim: number): Int32Array {
  const n = x.shape[0];
  const count = centres.length / dim;
  const out = new Int32Array(n);
  const c = tf.tensor2d(centres, [count, dim]);
  const [cT, cSquares] = tf.tidy(() => [tf.transpose(c), tf.transpose(tf.sum(tf.square(c), 1, true))]);
  const chunk = Math.max(1, Math.floor(BLOCK_VALUES / count));
  try {
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const rows = Math.min(chunk, n - r0);
      const assigned = tf.tidy(() => {
        const own = rows === n ? x : tf.slice(x, [r0, 0], [rows, dim]);
        const ownSquares = rows === n ? squares : tf.slice(squares, [r0, 0], [rows, 1]);
        return tf.argMin(tf.sub(tf.add(ownSquares, cSquares), tf.mul(2, tf.matMul(own, cT))), 1);
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
 * Each point's partition: LLOYD_STEPS k-means steps started at distinct random points, on all the
 * points up to LLOYD_POINTS, else on a seeded sample of that many, then each point's nearest centre.
 */
function partitions(
  tf: Tf,
  x: Tensor2D,
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
  const fitted = n <= LLOYD_POINTS ? undefined : Int32Array.from(order.slice(0, LLOYD_POINTS));
  const fitPoints = fitted ? tf.tidy(() => tf.gather(x, tf.tensor1d(fitted, "int32"))) : x;
  const squares = tf.sum(tf.square(x), 1, true);
  const fitSquares = fitted ? tf.sum(tf.square(fitPoints), 1, true) : squares;
  const point = (i: number) => (fitted ? fitted[i] : i);
  try {
    for (let step = 0; step < LLOYD_STEPS; step++) {
      const assignment = nearestCentres(tf, fitPoints, fitSquares, centres, dim);
      // The means are summed here: the wasm backend has no segment sum.
      const sums = new Float64Array(count * dim);
      const sizes = new Int32Array(count);
      assignment.forEach((c, i) => {
        sizes[c]++;
        const p = point(i);
        for (let t = 0; t < dim; t++) sums[c * dim + t] += points[p * dim + t];
      });
      // An emptied partition keeps its centre.
      for (let c = 0; c < count; c++) if (sizes[c] > 0) for (let t = 0; t < dim; t++) centres[c * dim + t] = sums[c * dim + t] / sizes[c];
    }
    return { assignment: nearestCentres(tf, x, squares, centres, dim), centres };
  } finally {
    if (fitted) tf.dispose([fitPoints, fitSquares]);
    squares.dispose();
  }
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
// elementwise pass over the block, and the ranking is done in bestOthers (tf.topk and those passes
// took as long as the product).

/** Points `members[from..from+count-1]`, one row each, with a last value 1: count x (dim + 1). */
function pointRows(points: Float32Array, dim: number, members: number[], from: number, count: number): Float32Array {
  const out = new Float32Array(count * (dim + 1));
  for (let r = 0; r < count; r++) {
    const p = members[from + r];
    out.set(points.subarray(p * dim, (p + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = 1;
  }
  return out;
}

/** The candidates as columns, with a last row of -|y|^2 / 2: (dim + 1) x candidates. */
function candidateColumns(points: Float32Array, dim: number, candidates: number[], squares: Float64Array): Float32Array {
  const count = candidates.length;
  const out = new Float32Array((dim + 1) * count);
  for (let j = 0; j < count; j++) {
    const p = candidates[j];
    for (let t = 0; t < dim; t++) out[t * count + j] = points[p * dim + t];
    out[dim * count + j] = -0.5 * squares[p];
  }
  return out;
}

/**
 * Row r's `k - 1` best other columns of `scores` (rows x columns, larger is nearer), best first;
 * among equal scores the first column. `self` is the column of the row's own point, left out.
 */
function bestOthers(scores: Float32Array, columns: number, r: number, self: number, best: Int32Array, bestScore: Float64Array): number {
  const wanted = Math.min(best.length, columns - 1);
  if (wanted <= 0) return 0;
  let count = 0;
  // The score a column must beat: the worst kept one's once `wanted` are kept.
  let bar = -Infinity;
  const row = r * columns;
  for (let c = 0; c < columns; c++) {
    const v = scores[row + c];
    if (v <= bar || c === self) continue;
    let p = count < wanted ? count++ : wanted - 1;
    while (p > 0 && bestScore[p - 1] < v) {
      bestScore[p] = bestScore[p - 1];
      best[p] = best[p - 1];
      p--;
    }
    bestScore[p] = v;
    best[p] = c;
    if (count === wanted) bar = bestScore[wanted - 1];
  }
  return count;
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
  const x = tf.tensor2d(points, [n, dim]);
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < dim; t++) squares[i] += points[i * dim + t] ** 2;
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  const best = new Int32Array(k - 1);
  const bestScore = new Float64Array(k - 1);
  try {
    const count = Math.max(1, Math.round(n / partitionSize));
    const { assignment, centres } = partitions(tf, x, points, dim, count, random);
    const members: number[][] = Array.from({ length: count }, () => []);
    assignment.forEach((c, i) => members[c].push(i));
    for (let c = 0; c < count; c++) {
      signal?.throwIfAborted();
      const rows = members[c].length;
      if (rows === 0) continue;
      const candidates: number[] = [];
      let probed = 0;
      for (const o of partitionsByDistance(centres, dim, c)) {
        if (probed >= probes && candidates.length >= k) break;
        // One by one: a spread passes each member as an argument, past V8's limit for a partition of many identical signatures.
        for (const member of members[o]) candidates.push(member);
        probed++;
      }
      const columns = tf.tensor2d(candidateColumns(points, dim, candidates, squares), [dim + 1, candidates.length]);
      // Rows in chunks of a chunk x candidates matrix of about 16 MB: a partition of many identical
      // signatures (a dead ReLU layer) can hold a large share of all the points.
      const chunk = Math.max(1, Math.floor(BLOCK_VALUES / candidates.length));
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const chunkRows = Math.min(chunk, rows - r0);
        const product = tf.tidy(() =>
          tf.matMul(tf.tensor2d(pointRows(points, dim, members[c], r0, chunkRows), [chunkRows, dim + 1]), columns),
        );
        const scores = product.dataSync() as Float32Array;
        product.dispose();
        for (let r = 0; r < chunkRows; r++) {
          const point = members[c][r0 + r];
          // The partition's own points come first among the candidates, so row r's self is column r0 + r.
          const found = bestOthers(scores, candidates.length, r, r0 + r, best, bestScore);
          const row = [point];
          const rowDistances = [0];
          for (let b = 0; b < found; b++) {
            row.push(candidates[best[b]]);
            rowDistances.push(Math.sqrt(Math.max(0, squares[point] - 2 * bestScore[b])));
          }
          indices[point] = row;
          distances[point] = rowDistances;
        }
      }
      columns.dispose();
      if (c % 8 === 7) {
        onProgress?.((c + 1) / count);
        await yieldToEventLoop();
      }
    }
  } finally {
    x.dispose();
  }
  onProgress?.(1);
  return { indices, distances };
}
