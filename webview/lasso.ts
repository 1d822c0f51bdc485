// Which of a map's points a lasso encloses, as the selection's bitset. One pass over the typed
// positions, the lasso's box first (at 70,000 points as fast as visiting a quadtree, at a million
// many times faster), then the even-odd crossing test of d3's polygonContains (the
// same arithmetic, so the same points), inlined over the lasso's corners in typed arrays and
// written a word of the bitset at a time: d3's, called per point with a [x, y] pair, took several
// times longer on this job (npm run bench:map-index, "lasso: d3 / inlined").
import { Bitset } from "./bitset";

/** The points of `pos` ([x0, y0, x1, y1, ...] in the polygon's coordinates) inside `polygon`, of `size` images. */
export function pointsInPolygon(pos: Float32Array, polygon: [number, number][], size: number): Bitset {
  const n = polygon.length;
  const xs = Float64Array.from(polygon, (p) => p[0]);
  const ys = Float64Array.from(polygon, (p) => p[1]);
  // The box as the map computed it before (in float32), so that the same edge points are in.
  const box = Float32Array.of(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  const [bx0, by0, bx1, by1] = box;
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
      let x0 = xs[n - 1];
      let y0 = ys[n - 1];
      let odd = false;
      for (let k = 0; k < n; k++) {
        const x1 = xs[k];
        const y1 = ys[k];
        if (y1 > y !== y0 > y && x < ((x0 - x1) * (y - y1)) / (y0 - y1) + x1) odd = !odd;
        x0 = x1;
        y0 = y1;
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
