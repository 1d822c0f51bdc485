// x^y for UMAP's layout, which takes a power of a squared distance for every edge and negative
// sample (about 60 million a map of 10,000 points). V8's Math.pow is a call into fdlibm's pow, about
// 55 ns, three quarters of the layout's time; this is log2 and exp2 by 256-entry tables and short
// series, within 1e-11 of Math.pow's value (test/umap.test.ts), and halves the layout
// (`npm run bench:umap -- loop`, README "Speed").

const STEPS = 256;
/** Doubles' bits, read through a shared buffer: the exponent and leading mantissa bits of x. */
const value = new Float64Array(1);
const words = new Int32Array(value.buffer);
/** 2^(1023 - e) for each biased exponent e of a normal double: x times it is x's mantissa in [1, 2). */
const unscale = Float64Array.from({ length: 2047 }, (_, e) => 2 ** (1023 - e));
/** The centre c of each of STEPS intervals splitting [1, 2), as 1 / c and log2(c). */
const inverseCentre = Float64Array.from({ length: STEPS }, (_, i) => 1 / (1 + (i + 0.5) / STEPS));
const log2Centre = Float64Array.from({ length: STEPS }, (_, i) => Math.log2(1 + (i + 0.5) / STEPS));
/** 2^(j / STEPS), and 2^n for the normal exponents n = -1022..1023. */
const exp2Step = Float64Array.from({ length: STEPS }, (_, j) => 2 ** (j / STEPS));
const exp2Whole = Float64Array.from({ length: 2046 }, (_, n) => 2 ** (n - 1022));
/** The tables in the order umapKernel.wat, which computes power() as this does, reads them from its memory. */
export const powerTables = [unscale, inverseCentre, log2Centre, exp2Step, exp2Whole] as const;

/**
 * x^y for x > 0; zero, subnormal, negative, infinite and NaN x, and results out of the normal range, go to Math.pow.
 * The layout itself runs these steps in umapKernel.wat; this is the JavaScript reference its bits are
 * checked against (test/umap.test.ts's umap-js loop, `npm run bench:umap -- loop`).
 */
export function power(x: number, y: number): number {
  value[0] = x;
  const high = words[1];
  const e = high >>> 20;
  if (e === 0 || e >= 2047) return Math.pow(x, y);
  const i = (high >>> 12) & (STEPS - 1);
  // x = 2^(e - 1023) * c * (1 + r), |r| < 1 / 512: log2(1 + r) by its series to r^3 (next term below 4e-12).
  const r = x * unscale[e] * inverseCentre[i] - 1;
  const log2x = e - 1023 + log2Centre[i] + r * (1 - r * (0.5 - r / 3)) * Math.LOG2E;
  const t = y * log2x;
  const n = Math.floor(t);
  if (n < -1022 || n > 1023) return Math.pow(x, y);
  // 2^t = 2^n * 2^(j / STEPS) * e^g, 0 <= g < ln 2 / STEPS: e^g by its series to g^3.
  const f = (t - n) * STEPS;
  const j = f | 0;
  const g = (f - j) * (Math.LN2 / STEPS);
  return exp2Whole[n + 1022] * exp2Step[j] * (1 + g * (1 + g * (0.5 + g / 6)));
}

/**
 * umapKernel.wat's tables for x^b at the layout's b, above EXACT_LIMIT points: x = 2^(e - 1023) *
 * c * (1 + r) as in power(), so x^b = wholePower[e] * centrePower[i] * (1 + r)^b, the last by its
 * series 1 + r (b + r (b (b - 1) / 2 + r b (b - 1) (b - 2) / 6)), from `series`: three products and
 * a short series where power() takes a logarithm and an exponential, within 1e-12 of Math.pow
 * (test/umap.test.ts).
 */
export function fixedPowerTables(b: number): [wholePower: Float64Array, centrePower: Float64Array, series: Float64Array] {
  return [
    Float64Array.from({ length: 2047 }, (_, e) => 2 ** ((e - 1023) * b)),
    Float64Array.from({ length: STEPS }, (_, i) => (1 + (i + 0.5) / STEPS) ** b),
    Float64Array.of(b, (b * (b - 1)) / 2, (b * (b - 1) * (b - 2)) / 6),
  ];
}
