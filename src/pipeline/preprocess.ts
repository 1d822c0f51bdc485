// The report's normalize_dataset, over typed arrays.

/** Pixels scaled to [0, 1] by dividing by `max` (the report divides by the data's maximum, 255 for MNIST), flattened. */
export function scaledPixels(pixels: Uint8Array, max: number): Float32Array {
  const out = new Float32Array(pixels.length);
  const scale = max > 0 ? 1 / max : 0;
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] * scale;
  return out;
}

/** The largest pixel value, the report's divisor. */
export function maxPixel(pixels: Uint8Array): number {
  let max = 0;
  // Stops at the first 255, a byte's largest: MNIST's comes in its first image, where reading all 55 million took 0.25 s.
  for (let i = 0; i < pixels.length && max < 255; i++) if (pixels[i] > max) max = pixels[i];
  return max;
}

/** One-hot rows over the sorted kept labels: keeping [1, 3, 7], a 3 is [0, 1, 0]. */
export function oneHot(labels: ArrayLike<number>, classes: readonly number[]): Float32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const out = new Float32Array(labels.length * classes.length);
  for (let i = 0; i < labels.length; i++) {
    const c = index.get(labels[i]);
    if (c === undefined) throw new RangeError(`label ${labels[i]} is not one of the kept classes ${classes.join(", ")}`);
    out[i * classes.length + c] = 1;
  }
  return out;
}

/** The kept labels, sorted: the order of the output units. */
export function sortedClasses(digits: readonly number[]): number[] {
  return [...new Set(digits)].sort((a, b) => a - b);
}
