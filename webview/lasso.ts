// Which of a map's points a lasso encloses, as the selection's bitset. One pass over the typed
// positions, the lasso's box first (at 70,000 points as fast as visiting a quadtree, at a million
// many times faster), then the even-odd crossing test of d3's polygonContains (the same
// arithmetic, so the same points), inlined over the lasso's edges in typed arrays and written a
// word of the bitset at a time: d3's, called per point with a [x, y] pair, took several times
// longer on this job (npm run bench:map-index, "lasso: d3 / inlined"). The edges are sorted into
// horizontal bands of the box first, and a point meets only those of its band: a lasso drawn by
// hand has a corner per pointer move (hundreds), of which a point's row crosses a few.
import { Bitset } from "./bitset";

/** The points of `pos` ([x0, y0, x1, y1, ...] in the polygon's coordinates) inside `polygon`, of `size` images. */
export function pointsInPolygon(pos: Float32Array, polygon: [number, number][], size: number): Bitset {
  const xs = Float64Array.from(polygon, (p) => p[0]);
  const ys = Float64Array.from(polygon, (p) => p[1]);
  // The box as the map computed it before (in float32), so that the same edge points are in.
  const box = Float32Array.of(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  const [bx0, by0, bx1, by1] = box;
  const { bands, scale, start, edges } = edgeBands(xs, ys, by0, by1);
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
