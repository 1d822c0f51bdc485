// How sure the findings are: a 95% interval for every share, a test of whether a layer's clusters
// depend on the labels at all, and whether injected images prefer one kept class's path to
// another's. Plain arithmetic on counts, so the tests check them against scipy's values.
import type { IndependenceTest, Interval } from "../shared/results";
import { fastRandomFor } from "../data/random";

/** The normal quantile of a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * The 95% Wilson score interval of `successes` out of `n`: unlike the normal (Wald) interval it
 * stays inside [0, 1] and does not collapse to a point at 0% or 100%, which purities often are.
 * [0, 1] without observations.
 */
export function wilson(successes: number, n: number): Interval {
  if (n <= 0) return [0, 1];
  const p = successes / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes one bound is exactly 0 or 1; rounding error must not push it past.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Label permutations behind a G-test's p-value: 999 gives p-values down to 1/1000, at two passes
 * over the images per permutation (70 million shuffle steps per layer of 70,000 images).
 */
export const PERMUTATIONS = 999;

/** G = 2 sum O ln(O / E) of a rows x cols table of counts (row-major), E from its margins. */
export function gStatistic(table: ArrayLike<number>, rows: number, cols: number): number {
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const o = table[r * cols + c];
      rowSums[r] += o;
      colSums[c] += o;
      total += o;
    }
  // sum O ln(O E^-1) = sum O ln O - sum_r R ln R - sum_c C ln C + N ln N: the margins are the same
  // under every permutation, so only the first term is recomputed there.
  return 2 * (xLogXSum(table) - xLogXSum(rowSums) - xLogXSum(colSums) + xLogX(total));
}

function xLogX(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

function xLogXSum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += xLogX(values[i]);
  return s;
}

/**
 * Whether `groups` (a label per item, 0..rows-1) and `clusters` (0..cols-1) are independent: the
 * G-test, its p-value from `permutations` seeded shuffles of the groups (both margins fixed), since
 * small clusters leave cells too small for the chi-squared approximation.
 */
export function independenceTest(
  groups: ArrayLike<number>,
  clusters: ArrayLike<number>,
  rows: number,
  cols: number,
  seed: number,
  permutations = PERMUTATIONS,
): IndependenceTest {
  const n = groups.length;
  const table = new Float64Array(rows * cols);
  for (let i = 0; i < n; i++) table[groups[i] * cols + clusters[i]]++;
  const g = gStatistic(table, rows, cols);
  const usedRows = countNonZero(table, rows, cols, true);
  const usedCols = countNonZero(table, rows, cols, false);
  // The margins' part of G does not change under a permutation: compare sum O ln O alone.
  const observed = xLogXSum(table);
  // mulberry32, inlined and seeded from the seeded stream: the shuffles draw 70 million numbers per
  // layer at 70,000 images, and a generator behind a function call took several times as long.
  let state = Math.floor(fastRandomFor(seed, "independence")() * 2 ** 32);
  const shuffledGroups = Int32Array.from(groups);
  const clusterOf = Int32Array.from(clusters);
  const counts = new Int32Array(rows * cols);
  let asExtreme = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = n - 1; i > 0; i--) {
      state = (state + 0x6d2b79f5) | 0;
      let x = Math.imul(state ^ (state >>> 15), 1 | state);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      const j = Math.floor((((x ^ (x >>> 14)) >>> 0) / 4294967296) * (i + 1));
      const t = shuffledGroups[i];
      shuffledGroups[i] = shuffledGroups[j];
      shuffledGroups[j] = t;
    }
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[shuffledGroups[i] * cols + clusterOf[i]]++;
    // A relative tolerance: a permutation that reproduces the observed table must count as "as extreme".
    if (xLogXSum(counts) >= observed - 1e-9 * Math.abs(observed)) asExtreme++;
  }
  return {
    g: Math.max(0, g),
    degreesOfFreedom: Math.max(0, (usedRows - 1) * (usedCols - 1)),
    pValue: (1 + asExtreme) / (1 + permutations),
    permutations,
  };
}

function countNonZero(table: Float64Array, rows: number, cols: number, byRow: boolean): number {
  let used = 0;
  for (let a = 0; a < (byRow ? rows : cols); a++) {
    let sum = 0;
    for (let b = 0; b < (byRow ? cols : rows); b++) sum += byRow ? table[a * cols + b] : table[b * cols + a];
    if (sum > 0) used++;
  }
  return used;
}

/**
 * The exact McNemar test: of the items that fall on exactly one side of a paired comparison, `b`
 * on the first and `c` on the second; the two-sided binomial p-value of so uneven a split when
 * either side is equally likely. 1 when no item discriminates.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in logs: n reaches thousands, 2^-n underflows.
  let logTerm = -n * Math.LN2; // log P(X = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, 2 * sum);
}

/** The 2.5th and 97.5th percentiles of `values` (linear between order statistics, as numpy's default). */
export function percentileInterval(values: readonly number[]): Interval {
  if (values.length === 0) return [0, 0];
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  return [at(0.025), at(0.975)];
}
