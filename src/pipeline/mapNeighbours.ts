// How well a 2-D map keeps a layer's neighbourhoods: per image, how many of its k nearest in the
// layer's own space are among its k nearest on the map. The map's k nearest of every image come
// from a uniform grid over the map (a counting sort of the points by cell, as webview/pointGrid.ts
// does for the pointer), searched ring by ring outwards from each image's cell.
import { keepNearer, type Neighbours } from "./distances";

/** Per image, its k nearest other images on `map` ([x0, y0, x1, y1, ...]): k per image, nearest first, ties to the lower image number. */
export function mapNearest(map: Float32Array, k: number): Int32Array {
  const n = map.length / 2;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, map[2 * i]);
    x1 = Math.max(x1, map[2 * i]);
    y0 = Math.min(y0, map[2 * i + 1]);
    y1 = Math.max(y1, map[2 * i + 1]);
  }
  // Square cells, about two images each on average; an elongated map (a PCA map's) gets more columns than rows.
  const cell = Math.max(Math.sqrt(((x1 - x0) * (y1 - y0)) / Math.max(1, n / 2)), (Math.max(x1 - x0, y1 - y0) || 1) / Math.max(1, n), 1e-12);
  const cols = Math.max(1, Math.min(n, Math.ceil((x1 - x0) / cell)));
  const rows = Math.max(1, Math.min(n, Math.ceil((y1 - y0) / cell)));
  const colOf = (x: number) => Math.min(cols - 1, Math.floor((x - x0) / cell));
  const rowOf = (y: number) => Math.min(rows - 1, Math.floor((y - y0) / cell));
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    cellOf[i] = rowOf(map[2 * i + 1]) * cols + colOf(map[2 * i]);
    start[cellOf[i] + 1]++;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cellOf[i]]++] = i;

  const out = new Int32Array(n * k);
  const best = new Int32Array(k);
  const bestD = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const x = map[2 * i];
    const y = map[2 * i + 1];
    const cx = colOf(x);
    const cy = rowOf(y);
    best.fill(-1);
    bestD.fill(Infinity);
    const consider = (c: number) => {
      for (let p = start[c]; p < start[c + 1]; p++) {
        const j = order[p];
        if (j === i) continue;
        const d = (map[2 * j] - x) ** 2 + (map[2 * j + 1] - y) ** 2;
        if (d > bestD[k - 1] || (d === bestD[k - 1] && j > best[k - 1])) continue;
        keepNearer(bestD, best, 0, k, d, j);
      }
    };
    const reach = Math.max(cols, rows);
    for (let r = 0; r <= reach; r++) {
      // Every image not yet seen lies at least r cells' widths away: stop once the k-th nearest is closer.
      if (r > 0 && bestD[k - 1] < (r * cell - cell) ** 2) break;
      for (let ry = cy - r; ry <= cy + r; ry++) {
        if (ry < 0 || ry >= rows) continue;
        const edge = ry === cy - r || ry === cy + r;
        for (let rx = cx - r; rx <= cx + r; rx += edge ? 1 : 2 * r) {
          if (rx >= 0 && rx < cols) consider(ry * cols + rx);
        }
      }
    }
    out.set(best, i * k);
  }
  return out;
}

/** The layer's k nearest of image i (the row's others, itself left out wherever the search put it): k = the row's length less one. */
export function layerNeighboursOf(near: Neighbours, i: number, k: number): number[] {
  return near.indices[i].filter((j) => j !== i).slice(0, k);
}

/**
 * How many of each image's k nearest in the layer are among its k nearest on `map`, and the mean
 * share over the images; `onMap`: the map's mapNearest when it was found already.
 */
export function neighboursKept(
  near: Neighbours,
  map: Float32Array,
  k: number,
  onMap = mapNearest(map, k),
): { kept: Uint8Array; share: number } {
  const n = near.indices.length;
  const mark = new Int32Array(n).fill(-1);
  const kept = new Uint8Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) mark[onMap[i * k + q]] = i;
    const layer = layerNeighboursOf(near, i, k);
    for (const j of layer) if (mark[j] === i) kept[i]++;
    total += kept[i] / Math.max(1, layer.length);
  }
  return { kept, share: n > 0 ? total / n : 0 };
}
