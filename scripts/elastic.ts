// Simard, Steinkraus and Platt's elastic distortion ("Best practices for convolutional neural
// networks applied to visual document analysis", ICDAR 2003), the one infiMNIST grows MNIST with:
// each pixel's displacement drawn uniformly in [-1, 1] along each axis, both fields smoothed by a
// Gaussian of standard deviation `sigma` (zero outside the image, the kernel cut at 4 sigma and
// summing to 1, as scipy's gaussian_filter(mode="constant") that the common Python version calls),
// scaled by `alpha`, and the image resampled at the displaced positions, bilinearly, zero outside.
import type { Random } from "../src/data/random";

/** Simard et al.'s values for MNIST: sigma 4, alpha 34. */
export const SIMARD = { sigma: 4, alpha: 34 } as const;

/** The Gaussian smoothing of a line of `size` values as a size x size matrix: out[i] = sum_j m[i * size + j] * in[j]. */
export function gaussianMatrix(size: number, sigma: number): Float64Array {
  const radius = Math.round(4 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const sum = weights.reduce((a, b) => a + b, 0);
  const m = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = Math.max(0, i - radius); j <= Math.min(size - 1, i + radius); j++) m[i * size + j] = weights[j - i + radius] / sum;
  }
  return m;
}

/** Distorts rows x cols images (values row by row), each with its own displacement field drawn from `random`. */
export function elasticDistortion(rows: number, cols: number, { sigma, alpha }: { sigma: number; alpha: number }) {
  const down = gaussianMatrix(rows, sigma);
  const across = gaussianMatrix(cols, sigma);
  const n = rows * cols;
  const field = new Float64Array(n);
  const half = new Float64Array(n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);

  /** One field: uniform in [-1, 1], smoothed along each row, then down each column, times alpha. */
  const smoothField = (random: Random, out: Float64Array) => {
    for (let i = 0; i < n; i++) field[i] = random() * 2 - 1;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += across[c * cols + j] * field[r * cols + j];
        half[r * cols + c] = s;
      }
    }
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let i = 0; i < rows; i++) s += down[r * rows + i] * half[i * cols + c];
        out[r * cols + c] = alpha * s;
      }
    }
  };

  /** Writes the distortion of `image` (n values) into `out` (n values). */
  return (image: Float32Array, out: Float32Array, random: Random): void => {
    smoothField(random, dx);
    smoothField(random, dy);
    const at = (r: number, c: number) => (r >= 0 && r < rows && c >= 0 && c < cols ? image[r * cols + c] : 0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const y = r + dy[r * cols + c];
        const x = c + dx[r * cols + c];
        const r0 = Math.floor(y);
        const c0 = Math.floor(x);
        const fy = y - r0;
        const fx = x - c0;
        const top = at(r0, c0) * (1 - fx) + at(r0, c0 + 1) * fx;
        const bottom = at(r0 + 1, c0) * (1 - fx) + at(r0 + 1, c0 + 1) * fx;
        out[r * cols + c] = top * (1 - fy) + bottom * fy;
      }
    }
  };
}
