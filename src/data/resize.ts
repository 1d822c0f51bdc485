// Image resizing by area averaging: each output pixel is the mean of the input area it covers, so
// shrinking a photo keeps thin strokes (nearest-neighbour would drop them) and enlarging repeats.

/** Weights of a 1-D area resample from `from` samples to `to`: per output, [input index, weight] pairs summing to 1. */
function areaWeights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    const start = i * scale;
    const end = (i + 1) * scale;
    const pairs: [number, number][] = [];
    for (let j = Math.floor(start); j < Math.min(from, Math.ceil(end)); j++) {
      const overlap = Math.min(end, j + 1) - Math.max(start, j);
      if (overlap > 0) pairs.push([j, overlap / scale]);
    }
    return pairs;
  });
}

/** A rows x cols grey image resized to outRows x outCols; separable, rows first. */
export function resizedArea(pixels: Float32Array, rows: number, cols: number, outRows: number, outCols: number): Float32Array {
  if (rows === outRows && cols === outCols) return pixels;
  const across = areaWeights(cols, outCols);
  const down = areaWeights(rows, outRows);
  const wide = new Float32Array(rows * outCols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < outCols; c++) {
      let sum = 0;
      for (const [j, w] of across[c]) sum += pixels[r * cols + j] * w;
      wide[r * outCols + c] = sum;
    }
  }
  const out = new Float32Array(outRows * outCols);
  for (let r = 0; r < outRows; r++) {
    for (const [j, w] of down[r]) {
      for (let c = 0; c < outCols; c++) out[r * outCols + c] += wide[j * outCols + c] * w;
    }
  }
  return out;
}
