// Real MNIST digits pooled to 7x7: a stand-in for a hidden layer's signatures where a bench or a
// test needs clustering input without training a model first.
import { loadImages, splitFiles } from "../src/data/source";

/** `n` real training digits pooled to 7x7 (49 values each). */
export function pooledDigits(n: number): Float32Array {
  const train = loadImages(splitFiles("mnist", "train", ".")!);
  const points = new Float32Array(n * 49);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < 28 * 28; p++)
      points[i * 49 + Math.floor(p / 28 / 4) * 7 + Math.floor((p % 28) / 4)] += train.pixels[i * 784 + p] / 255 / 16;
  return points;
}
