// Which of a map's points a lasso encloses, as the selection's bitset. One pass over the typed
// positions, the lasso's box first (at 70,000 points as fast as visiting a quadtree, at a million
// many times faster), then the even-odd crossing test of d3's polygonContains (the same
// arithmetic, so the same points), inlined over the lasso's edges in typed arrays and written a
// word of the bitset at a time: d3's, called per point with a [x, y] pair, took several times
// longer on this job (npm run bench:map-index, "lasso: d3 / inlined"). The edges are sorted into
// horizontal bands of the box first, and a point meets only those of its band: a lasso drawn by
// hand has a corner per pointer move (hundreds), of which a point's row crosses a few. And the
// box is cut into CELLS x CELLS cells first: a cell no edge comes near is wholly inside or wholly
// outside (its centre tested once), so only the points of cells along the lasso's line are tested
// edge by edge (at a million points the edge tests took 17 of a lasso's 84 ms in a CPU profile).
import { Bitset } from "./bitset";

/** The cells across the lasso's box, each way. */
const CELLS = 128;
/** A cell's state: every point in it outside, every point inside, or each tested on its own. */
const OUT = 0;
const IN = 1;
const TEST = 2;

/** The points of `pos` ([x0, y0, x1, y1, ...] in the polygon's coordinates) inside `polygon`, of `size` images. */
export function pointsInPolygon(pos: Float32Array, polygon: [number, number][], size: number): Bitset {
  const xs = Float64Array.from(polygon, (p) => p[0]);
  const ys = Float64Array.from(polygon, (p) => p[1]);
  // The box as the map computed it before (in float32), so that the same edge points are in.
  const box = Float32Array.of(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  const [bx0, by0, bx1, by1] = box;
  const { bands, scale, start, edges } = edgeBands(xs, ys, by0, by1);
  const cells = cellStates(xs, ys, box);
  const cx = bx1 > bx0 ? CELLS / (bx1 - bx0) : 0;
  const cy = by1 > by0 ? CELLS / (by1 - by0) : 0;
  const inside = new Bitset(size);
  const { words } = inside;
  let count = 0;
  for (let w = 0; w < words.length; w++) {
    let bits = 0;
    const end = Math.min(size, (w + 1) << 5);
    for (let i = w << 5; i < end; i++) {
      const x = pos[2 * i];
      const y = pos[2 * i + 1];
      if (!(x >= bx0 && x <= bx1 && y >= by0 && y <= by1)) continue;
      // In the box, so not negative: | 0 floors.
      const row = ((y - by0) * cy) | 0;
      const col = ((x - bx0) * cx) | 0;
      const state = cells[(row < CELLS ? row : CELLS - 1) * CELLS + (col < CELLS ? col : CELLS - 1)];
      if (state !== TEST) {
        if (state === IN) {
          bits |= 1 << (i & 31);
          count++;
        }
        continue;
      }
      const band = Math.min(bands - 1, Math.floor((y - by0) * scale));
      let odd = false;
      for (let e = 4 * start[band], last = 4 * start[band + 1]; e < last; e += 4) {
        // d3's test of the edge from (x0, y0), the corner before, to (x1, y1).
        const x0 = edges[e];
        const y0 = edges[e + 1];
        const x1 = edges[e + 2];
        const y1 = edges[e + 3];
        if (y1 > y !== y0 > y && x < ((x0 - x1) * (y - y1)) / (y0 - y1) + x1) odd = !odd;
      }
      if (odd) {
        bits |= 1 << (i & 31);
        count++;
      }
    }
    words[w] = bits;
  }
  inside.count = count;
  return inside;
}

/**
 * The polygon's edges by band of [y0, y1] (`bands` of them, a point at y in band
 * min(bands - 1, floor((y - y0) * scale))): band b's are edges[4 start[b] .. 4 start[b + 1]], each
 * as x0, y0, x1, y1 (the corner before, then its own). An edge is in every band its y-range meets,
 * computed with the points' own expression, so a point's band holds every edge its row crosses; a
 * flat edge crosses none and is left out.
 */
function edgeBands(
  xs: Float64Array,
  ys: Float64Array,
  y0: number,
  y1: number,
): { bands: number; scale: number; start: Int32Array; edges: Float64Array } {
  const n = xs.length;
  const bands = y1 > y0 ? Math.min(4096, Math.max(16, 2 * n)) : 1;
  const scale = y1 > y0 ? bands / (y1 - y0) : 0;
  const bandOf = (y: number) => Math.max(0, Math.min(bands - 1, Math.floor((y - y0) * scale)));
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  const start = new Int32Array(bands + 1);
  for (let k = 0, prev = n - 1; k < n; prev = k++) {
    if (ys[k] === ys[prev]) continue;
    first[k] = bandOf(Math.min(ys[k], ys[prev]));
    last[k] = bandOf(Math.max(ys[k], ys[prev]));
    for (let b = first[k]; b <= last[k]; b++) start[b + 1]++;
  }
  for (let b = 0; b < bands; b++) start[b + 1] += start[b];
  const edges = new Float64Array(4 * start[bands]);
  const fill = start.slice(0, bands);
  for (let k = 0, prev = n - 1; k < n; prev = k++) {
    if (ys[k] === ys[prev]) continue;
    for (let b = first[k]; b <= last[k]; b++) edges.set([xs[prev], ys[prev], xs[k], ys[k]], 4 * fill[b]++);
  }
  return { bands, scale, start, edges };
}

/**
 * Each cell of the box's CELLS x CELLS: TEST where an edge passes through it or a cell next to it,
 * else IN or OUT as d3's test says of its centre: no edge between, every point in it is the same.
 */
function cellStates(xs: Float64Array, ys: Float64Array, [bx0, by0, bx1, by1]: Float32Array): Uint8Array {
  const n = xs.length;
  const [w, h] = [(bx1 - bx0) / CELLS, (by1 - by0) / CELLS];
  const colOf = (x: number) => Math.max(0, Math.min(CELLS - 1, Math.floor(w > 0 ? (x - bx0) / w : 0)));
  const rowOf = (y: number) => Math.max(0, Math.min(CELLS - 1, Math.floor(h > 0 ? (y - by0) / h : 0)));
  const crossed = new Uint8Array(CELLS * CELLS);
  for (let k = 0, prev = n - 1; k < n; prev = k++) {
    const [xa, ya, xb, yb] = [xs[prev], ys[prev], xs[k], ys[k]];
    for (let r = rowOf(Math.min(ya, yb)); r <= rowOf(Math.max(ya, yb)); r++) {
      // The edge's x over the row's y (the whole edge when it is flat, or the box is).
      let [from, to] = [Math.min(xa, xb), Math.max(xa, xb)];
      if (ya !== yb && h > 0) {
        const lo = Math.max(Math.min(ya, yb), by0 + r * h);
        const hi = Math.min(Math.max(ya, yb), by0 + (r + 1) * h);
        const xAt = (y: number) => xa + ((xb - xa) * (y - ya)) / (yb - ya);
        [from, to] = [Math.min(xAt(lo), xAt(hi)), Math.max(xAt(lo), xAt(hi))];
      }
      // Marked with the cells around: a point's cell, even a rounding off, is then a cell away from an edge of a cell not marked.
      const [c0, c1] = [Math.max(0, colOf(from) - 1), Math.min(CELLS - 1, colOf(to) + 1)];
      for (let row = Math.max(0, r - 1); row <= Math.min(CELLS - 1, r + 1); row++) crossed.fill(1, row * CELLS + c0, row * CELLS + c1 + 1);
    }
  }
  const states = new Uint8Array(CELLS * CELLS);
  const across: number[] = [];
  for (let r = 0; r < CELLS; r++) {
    // Where the row's centre line meets the edges (d3's test's x), ascending; a cell's centre is inside when an odd number lie right of it.
    const y = by0 + (r + 0.5) * h;
    across.length = 0;
    for (let k = 0, prev = n - 1; k < n; prev = k++)
      if (ys[k] > y !== ys[prev] > y) across.push(((xs[prev] - xs[k]) * (y - ys[k])) / (ys[prev] - ys[k]) + xs[k]);
    across.sort((a, b) => a - b);
    for (let c = 0, right = 0; c < CELLS; c++) {
      const x = bx0 + (c + 0.5) * w;
      while (right < across.length && !(x < across[right])) right++;
      states[r * CELLS + c] = crossed[r * CELLS + c] ? TEST : (across.length - right) % 2 ? IN : OUT;
    }
  }
  return states;
}
