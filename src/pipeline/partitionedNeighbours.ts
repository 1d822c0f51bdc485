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
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
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
      const othersT = tf.tidy(() => tf.transpose(tf.gather(x, tf.tensor1d(candidates, "int32"))));
      const otherSquares = tf.tidy(() => tf.sum(tf.square(othersT), 0, true));
      // Rows in chunks of a chunk x candidates matrix of about 16 MB: a partition of many identical
      // signatures (a dead ReLU layer) can hold a large share of all the points.
      const chunk = Math.max(1, Math.floor(BLOCK_VALUES / candidates.length));
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const chunkRows = Math.min(chunk, rows - r0);
        const [values, nearest] = tf.tidy(() => {
          const own = tf.gather(x, tf.tensor1d(members[c].slice(r0, r0 + chunkRows), "int32"));
          const squared = tf.sub(tf.add(tf.sum(tf.square(own), 1, true), otherSquares), tf.mul(2, tf.matMul(own, othersT)));
          // The partition's own points come first among the candidates, so row r's self is column
          // r0 + r; subtracting 1 there ranks it first whatever the rounding of the formula.
          const self = tf.oneHot(tf.range(r0, r0 + chunkRows, 1, "int32"), candidates.length);
          const top = tf.topk(tf.neg(tf.sub(tf.relu(squared), self)), Math.min(k, candidates.length));
          return [top.values, top.indices];
        });
        const v = values.dataSync();
        const idx = nearest.dataSync();
        tf.dispose([values, nearest]);
        const width = idx.length / chunkRows;
        for (let r = 0; r < chunkRows; r++) {
          const point = members[c][r0 + r];
          const row = Array.from(idx.subarray(r * width, (r + 1) * width), (j) => candidates[j]);
          indices[point] = row;
          distances[point] = Array.from(v.subarray(r * width, (r + 1) * width), (value, j) =>
            row[j] === point ? 0 : Math.sqrt(Math.max(0, -value)),
          );
        }
      }
      tf.dispose([othersT, otherSquares]);
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
