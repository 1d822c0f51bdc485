// k-means on typed arrays, in place of ml-kmeans 7.0.1, which cluster.ts called before: the same fit,
// label for label and bit for bit (its k-means++ seeding with ml-random's Random(seed), its Lloyd
// steps, its float64 sums in the same order; test/kmeans.test.ts checks it against ml-kmeans on real
// signatures and on edge cases), in less time (`npm run bench:kmeans` times both on the built-in
// model's signatures). The time goes from the number[][] copy of the points and from the distances
// that cannot change the outcome: Elkan's bounds skip them in the Lloyd steps, the triangle
// inequality in the seeding. A distance is skipped only when the bounds, widened by more than
// float64 rounding can move a computed distance, prove that it is larger than the one it competes
// with; near a tie they never do, and the distance is computed as ml-kmeans computes it.
import { Random } from "ml-random";

/** ml-kmeans's default: the Lloyd steps stop once no centre moves by more than this squared distance. */
const TOLERANCE = 1e-6;
/** ml-random's check that the seeding's probabilities sum to 1. */
const PROBABILITY_TOLERANCE = 1e-8;

export interface KmeansResult {
  /** Per point: its cluster, numbered as ml-kmeans numbers them (the seeding's order). */
  labels: Int32Array;
  /** k x dim, as ml-kmeans computes them (float64). */
  centroids: Float64Array;
  /** Lloyd steps run (ml-kmeans's `iterations`). */
  iterations: number;
}

/** Squared distance between two points, summed over the dimensions in order as ml-kmeans sums it. */
function pointDistance(points: Float32Array, a: number, b: number, dim: number): number {
  let d = 0;
  for (let t = 0, i = a * dim, j = b * dim; t < dim; t++, i++, j++) {
    const diff = points[i] - points[j];
    d += diff * diff;
  }
  return d;
}

function centreDistance(points: Float32Array, p: number, centres: Float64Array, c: number, dim: number): number {
  let d = 0;
  for (let t = 0, i = p * dim, j = c * dim; t < dim; t++, i++, j++) {
    const diff = points[i] - centres[j];
    d += diff * diff;
  }
  return d;
}

function centresDistance(a: Float64Array, b: Float64Array, c: number, e: number, dim: number): number {
  let d = 0;
  for (let t = 0, i = c * dim, j = e * dim; t < dim; t++, i++, j++) {
    const diff = a[i] - b[j];
    d += diff * diff;
  }
  return d;
}

/**
 * A bound on the relative error of a computed squared distance in `dim` dimensions, and of its
 * square root, against the exact one: about twice the worst case of dim additions and two roundings
 * per term. Every bound below is widened by it, so a skip holds for the distances as computed.
 */
const roundingBound = (dim: number) => (dim + 4) * Number.EPSILON;

/** The candidates ml-kmeans's k-means++ seeding draws for each seed after the first: 2 + ln k, rounded down. */
const seedTrials = (k: number) => 2 + Math.floor(Math.log(k));

/**
 * The point indices of ml-kmeans's k-means++ seeding (scikit-learn's greedy variant: of 2 + ln k
 * candidates drawn by squared distance, the one leaving the least total) for `k` seeds with `trials`
 * candidates each: the same draws from Random(seed), the same sums. A candidate's distance to a point is not computed when the triangle
 * inequality shows it is no smaller than the point's distance to its nearest seed so far (it then
 * changes neither the total nor that distance).
 */
function kmeansPlusPlusSeeds(points: Float32Array, n: number, dim: number, k: number, seed: number, trials: number): Int32Array {
  const random = new Random(seed);
  const r = roundingBound(dim);
  const wide = 1 + 4 * r;
  const narrow = 1 - 4 * r;
  const seeds = new Int32Array(k);
  seeds[0] = random.randInt(n);
  /** Per point: the squared distance to its nearest seed, and that seed (its place in `seeds`). */
  let closest = new Float64Array(n);
  let nearest = new Int32Array(n);
  for (let i = 0; i < n; i++) closest[i] = pointDistance(points, i, seeds[0], dim);
  const cumulative = new Float64Array(n);
  const candidates = new Int32Array(trials);
  /** Per candidate, per point: the squared distance, or Infinity where the triangle inequality showed it is no less than `closest`. */
  const distances = new Float64Array(trials * n);
  /** Per candidate, per seed so far: their squared distance. */
  const toSeeds = new Float64Array(trials * k);
  let bestClosest = new Float64Array(n);
  let bestNearest = new Int32Array(n);
  for (let s = 1; s < k; s++) {
    // ml-random's choice with replacement and probabilities: one draw each, the first index whose
    // cumulative probability reaches it. (All distances 0, as when every point is the same, makes
    // every probability NaN: each draw then stops at index 0, as there.)
    let total = closest[0];
    for (let i = 1; i < n; i++) total += closest[i];
    const scale = 1 / total;
    cumulative[0] = closest[0] * scale;
    for (let i = 1; i < n; i++) cumulative[i] = cumulative[i - 1] + closest[i] * scale;
    if (Math.abs(1 - cumulative[n - 1]) > PROBABILITY_TOLERANCE)
      throw new Error(`probabilities should sum to 1, but instead sums to ${cumulative[n - 1]}`);
    for (let j = 0; j < trials; j++) {
      const draw = random.random();
      let index = 0;
      while (draw > cumulative[index]) index++;
      candidates[j] = index;
      for (let c = 0; c < s; c++) toSeeds[j * k + c] = pointDistance(points, index, seeds[c], dim);
    }
    for (let i = 0; i < n; i++) {
      // A candidate at least twice as far from the point's nearest seed as the point is, is no nearer.
      const far = 4 * closest[i] * wide;
      const own = nearest[i];
      for (let j = 0; j < trials; j++)
        distances[j * n + i] = toSeeds[j * k + own] * narrow >= far ? Infinity : pointDistance(points, candidates[j], i, dim);
    }
    let best = -1;
    let bestTotal = Infinity;
    for (let j = 0; j < trials; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.min(closest[i], distances[j * n + i]);
      if (sum < bestTotal) {
        best = j;
        bestTotal = sum;
      }
    }
    for (let i = 0; i < n; i++) {
      const d = distances[best * n + i];
      bestClosest[i] = Math.min(closest[i], d);
      bestNearest[i] = d < closest[i] ? s : nearest[i];
    }
    [closest, bestClosest] = [bestClosest, closest];
    [nearest, bestNearest] = [bestNearest, nearest];
    seeds[s] = candidates[best];
  }
  return seeds;
}

/** The Lloyd steps' state: the centres, each point's label and the bounds on its distances. */
interface Lloyd {
  points: Float32Array;
  n: number;
  dim: number;
  k: number;
  /** ± this fraction covers a computed distance's rounding (roundingBound). */
  r: number;
  centres: Float64Array;
  labels: Int32Array;
  /** Per point: at least its distance to its centre (not squared). */
  upper: Float64Array;
  /** n x k: at most the point's distance to each centre (the own centre's entry unused). */
  lower: Float64Array;
  /** k x k: at most half the distance between two centres. */
  halfBetween: Float64Array;
  /** Per centre: at most half its distance to the nearest other. */
  half: Float64Array;
  /** Per cluster: whether a point joined or left it in the last assignment. */
  changed: Uint8Array;
}

/** Every point's nearest centre as ml-kmeans finds it (each centre in order, the first of the nearest), with all its bounds. */
function assignAll(s: Lloyd): void {
  const { points, n, dim, k, r, centres, labels, upper, lower } = s;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDistance = Number.MAX_VALUE;
    for (let c = 0; c < k; c++) {
      const d = centreDistance(points, i, centres, c, dim);
      lower[i * k + c] = Math.sqrt(d) * (1 - r);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    labels[i] = best;
    upper[i] = Math.sqrt(bestDistance) * (1 + r);
  }
  s.changed.fill(1);
}

/**
 * Every point's nearest centre (the first of equals) by Elkan's bounds: a centre is skipped when its
 * bounds prove it farther than the point's own, and the own distance is computed only when one is not.
 * A centre whose computed distance equals the own one's takes the point when it comes first, so
 * the label is the one ml-kmeans's full scan gives.
 */
function assignBounded(s: Lloyd): void {
  const { points, n, dim, k, r, centres, labels, upper, lower, halfBetween, half, changed } = s;
  const wide = 1 + 4 * r;
  const narrow = 1 - 4 * r;
  changed.fill(0);
  for (let i = 0; i < n; i++) {
    const was = labels[i];
    let a = was;
    let u = upper[i];
    if (u * wide < half[a] * narrow) continue;
    let own = -1;
    for (let c = 0; c < k; c++) {
      if (c === a) continue;
      const z = Math.max(lower[i * k + c], halfBetween[a * k + c]) * narrow;
      if (u * wide < z) continue;
      if (own < 0) {
        own = centreDistance(points, i, centres, a, dim);
        u = Math.sqrt(own) * (1 + r);
        if (u * wide < z) continue;
      }
      const d = centreDistance(points, i, centres, c, dim);
      lower[i * k + c] = Math.sqrt(d) * (1 - r);
      if (d < own || (d === own && c < a)) {
        lower[i * k + a] = Math.sqrt(own) * (1 - r);
        a = c;
        own = d;
        u = Math.sqrt(d) * (1 + r);
      }
    }
    upper[i] = u;
    if (a !== was) {
      labels[i] = a;
      changed[a] = 1;
      changed[was] = 1;
    }
  }
}

/** Members summed at a time, four dimensions at a time: their rows stay in cache across the row's quarters. */
const MEMBERS_PER_CHUNK = 256;

/**
 * ml-kmeans's new centres: each cluster's mean, summed in point order then divided; an empty
 * cluster keeps its centre. A cluster no point joined or left keeps its centre too, which is the
 * mean it would get again, bit for bit. Each dimension's sum runs over the cluster's members in
 * point order, as there, but four dimensions at a time in registers: half the time of a row at a time
 * on 10,000 signatures; on 70,000, reading the rows from memory takes most of it either way.
 */
function means(s: Lloyd, out: Float64Array, members: Members): void {
  const { points, n, dim, k, centres, labels, changed } = s;
  const { order, starts, cursor } = members;
  // The members of each cluster in point order (a counting sort).
  starts.fill(0);
  for (let i = 0; i < n; i++) starts[labels[i] + 1]++;
  for (let c = 0; c < k; c++) starts[c + 1] += starts[c];
  cursor.set(starts.subarray(0, k));
  for (let i = 0; i < n; i++) order[cursor[labels[i]]++] = i;
  out.set(centres);
  for (let c = 0; c < k; c++) {
    const from = starts[c];
    const to = starts[c + 1];
    if (!changed[c] || from === to) continue;
    const row = c * dim;
    out.fill(0, row, row + dim);
    for (let chunk = from; chunk < to; chunk += MEMBERS_PER_CHUNK) {
      const end = Math.min(to, chunk + MEMBERS_PER_CHUNK);
      let t = 0;
      for (; t + 4 <= dim; t += 4) {
        let s0 = out[row + t];
        let s1 = out[row + t + 1];
        let s2 = out[row + t + 2];
        let s3 = out[row + t + 3];
        for (let m = chunk; m < end; m++) {
          const p = order[m] * dim + t;
          s0 += points[p];
          s1 += points[p + 1];
          s2 += points[p + 2];
          s3 += points[p + 3];
        }
        out[row + t] = s0;
        out[row + t + 1] = s1;
        out[row + t + 2] = s2;
        out[row + t + 3] = s3;
      }
      for (; t < dim; t++) {
        let s0 = out[row + t];
        for (let m = chunk; m < end; m++) s0 += points[order[m] * dim + t];
        out[row + t] = s0;
      }
    }
    const count = to - from;
    for (let t = row; t < row + dim; t++) out[t] /= count;
  }
}

/** Scratch for means(): the points ordered by cluster, and where each cluster's run starts. */
interface Members {
  order: Int32Array;
  /** k + 1 entries: cluster c's members are order[starts[c]..starts[c + 1]). */
  starts: Int32Array;
  cursor: Int32Array;
}

/** The half distances between the centres, rounded down (Elkan's and Hamerly's tests). */
function centreGaps(s: Lloyd): void {
  const { dim, k, r, centres, halfBetween, half } = s;
  half.fill(Infinity);
  for (let c = 0; c < k; c++)
    for (let e = c + 1; e < k; e++) {
      const h = 0.5 * Math.sqrt(centresDistance(centres, centres, c, e, dim)) * (1 - r);
      halfBetween[c * k + e] = halfBetween[e * k + c] = h;
      half[c] = Math.min(half[c], h);
      half[e] = Math.min(half[e], h);
    }
}

/** The bounds after each centre moved by at most `moved` (triangle inequality), rounded outwards. */
function followCentres(s: Lloyd, moved: Float64Array): void {
  const { n, k, r, labels, upper, lower } = s;
  const wide = 1 + 4 * r;
  const slack = 4 * Number.EPSILON;
  for (let i = 0; i < n; i++) {
    upper[i] = (upper[i] + moved[labels[i]]) * wide;
    for (let c = 0, o = i * k; c < k; c++, o++) {
      const m = moved[c];
      if (m > 0) lower[o] = lower[o] - m - slack * (Math.abs(lower[o]) + m);
    }
  }
}

/**
 * The k-means++ seeds (point indices) of each k in `kValues` from `seed`, as kmeansFit's own
 * seeding draws them. The seeding's steps depend on k only through its number of candidates, so
 * the seeds of a k are the first k of those of any larger k with as many (k = 3..7 draw 3, 8..10
 * draw 4): each number of candidates is seeded once, for its largest k, a third of the seeding's
 * work for k = 2..10.
 */
export function kmeansPlusPlus(points: Float32Array, dim: number, kValues: readonly number[], seed: number): Map<number, Int32Array> {
  const n = points.length / dim;
  const largest = new Map<number, number>();
  for (const k of kValues) largest.set(seedTrials(k), Math.max(k, largest.get(seedTrials(k)) ?? 0));
  const seeded = new Map<number, Int32Array>();
  for (const [trials, k] of largest) seeded.set(trials, kmeansPlusPlusSeeds(points, n, dim, k, seed, trials));
  return new Map(kValues.map((k) => [k, seeded.get(seedTrials(k))!.subarray(0, k)]));
}

/** Throws, naming the first, unless every value is finite: what kmeansFit needs, checked once per layer rather than in each of its fits. */
export function assertFinite(points: Float32Array, dim: number): void {
  for (let i = 0; i < points.length; i++)
    if (!Number.isFinite(points[i]))
      throw new Error(`k-means needs finite values: point ${Math.floor(i / dim)} has ${points[i]} in dimension ${i % dim}`);
}

/**
 * ml-kmeans's `kmeans(rows, k, { initialization: "kmeans++", seed, maxIterations })` on the n x dim
 * points (finite: assertFinite): k-means++ seeds (or `seeds`, kmeansPlusPlus's for this k and seed),
 * then Lloyd steps until no centre moves by more than 1e-6 (squared) or `maxIterations` (at least 1) steps. As there, the labels are the last
 * step's assignment and the centroids the means it gave.
 */
export function kmeansFit(
  points: Float32Array,
  dim: number,
  k: number,
  seed: number,
  maxIterations: number,
  seeds?: Int32Array,
): KmeansResult {
  const n = points.length / dim;
  if (k <= 0 || k > n || !Number.isInteger(k)) throw new Error("K should be a positive integer smaller than the number of points");
  const s: Lloyd = {
    points,
    n,
    dim,
    k,
    r: roundingBound(dim),
    centres: new Float64Array(k * dim),
    labels: new Int32Array(n),
    upper: new Float64Array(n),
    lower: new Float64Array(n * k),
    halfBetween: new Float64Array(k * k),
    half: new Float64Array(k),
    changed: new Uint8Array(k),
  };
  (seeds ?? kmeansPlusPlusSeeds(points, n, dim, k, seed, seedTrials(k))).forEach((p, c) =>
    s.centres.set(points.subarray(p * dim, (p + 1) * dim), c * dim),
  );
  let next: Float64Array = new Float64Array(k * dim);
  const members: Members = { order: new Int32Array(n), starts: new Int32Array(k + 1), cursor: new Int32Array(k) };
  const moved = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (!converged && iterations < maxIterations) {
    iterations++;
    if (iterations === 1) assignAll(s);
    else {
      centreGaps(s);
      assignBounded(s);
    }
    means(s, next, members);
    converged = true;
    for (let c = 0; c < k; c++) {
      const d = centresDistance(next, s.centres, c, c, dim);
      if (d > TOLERANCE) converged = false;
      moved[c] = Math.sqrt(d) * (1 + s.r);
    }
    [s.centres, next] = [next, s.centres];
    if (!converged) followCentres(s, moved);
  }
  return { labels: s.labels, centroids: s.centres, iterations };
}
