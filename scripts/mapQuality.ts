// What bench:umap measures of a map and of a neighbour search, on a seeded sample of points (the
// exact neighbours of all 70,000 or 1,000,000 points would take longer than what they measure).
import type { Neighbours } from "../src/pipeline/distances";
import { randomFor, shuffled } from "../src/data/random";

/** `count` distinct points of `n`, seeded. */
export function samplePoints(n: number, count: number): Int32Array {
  return Int32Array.from(
    shuffled(
      Array.from({ length: n }, (_, i) => i),
      randomFor(24, "map quality sample"),
    ).slice(0, Math.min(n, count)),
  );
}

/** The `k` nearest other points of each of `sample` (by brute force over all points), nearest first. */
export function exactNeighboursOf(points: Float32Array, dim: number, sample: Int32Array, k: number): Int32Array[] {
  const n = points.length / dim;
  const d = new Float64Array(n);
  return Array.from(sample, (i) => {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const diff = points[i * dim + t] - points[j * dim + t];
        s += diff * diff;
      }
      d[j] = j === i ? Infinity : s;
    }
    return nearestOf(d, k);
  });
}

/** Indices of the `k` smallest of `d`, smallest first. */
function nearestOf(d: Float64Array, k: number): Int32Array {
  const best = new Int32Array(k).fill(-1);
  const bestD = new Float64Array(k).fill(Infinity);
  for (let j = 0; j < d.length; j++) {
    if (d[j] >= bestD[k - 1]) continue;
    let p = k - 1;
    while (p > 0 && bestD[p - 1] > d[j]) {
      bestD[p] = bestD[p - 1];
      best[p] = best[p - 1];
      p--;
    }
    bestD[p] = d[j];
    best[p] = j;
  }
  return best;
}

/** Mean share of each sampled point's exact neighbours that are among its `exact[i].length` nearest on the 2-D map. */
export function neighboursKept(map: Float32Array, sample: Int32Array, exact: Int32Array[]): number {
  const n = map.length / 2;
  const d = new Float64Array(n);
  let total = 0;
  sample.forEach((i, s) => {
    for (let j = 0; j < n; j++) d[j] = j === i ? Infinity : (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
    const onMap = new Set(nearestOf(d, exact[s].length));
    total += exact[s].filter((j) => onMap.has(j)).length / exact[s].length;
  });
  return total / sample.length;
}

/**
 * Mean share of each sampled point's exact neighbours that a search found: a search's row may hold
 * the point itself, so its other members are compared with as many of the nearest exact ones
 * (the exact lists leave the point out).
 */
export function neighboursFound(found: Neighbours, sample: Int32Array, exact: Int32Array[]): number {
  let total = 0;
  sample.forEach((i, s) => {
    const row = new Set(found.indices[i]);
    row.delete(i);
    const wanted = exact[s].subarray(0, row.size);
    total += wanted.filter((j) => row.has(j)).length / wanted.length;
  });
  return total / sample.length;
}
