// Procrustes alignment of one 2-D map onto another: the rotation (or reflection), uniform scale
// and shift that bring its points closest to the target's. UMAP's layout is only defined up to
// these, so aligning each epoch's map to the next keeps points still where nothing moved.

/** `points` ([x0, y0, x1, y1, ...]) moved onto `target` (the same points elsewhere) by the least-squares similarity transform. */
export function procrustesAligned(points: ArrayLike<number>, target: ArrayLike<number>): number[] {
  const n = points.length / 2;
  const mean = (v: ArrayLike<number>, axis: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[2 * i + axis];
    return s / n;
  };
  const [px, py, tx, ty] = [mean(points, 0), mean(points, 1), mean(target, 0), mean(target, 1)];
  // Best rotation of the (possibly mirrored) points: a = sum of dot products, b = sum of cross products.
  const fit = (mirror: number) => {
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const x = points[2 * i] - px;
      const y = mirror * (points[2 * i + 1] - py);
      const u = target[2 * i] - tx;
      const v = target[2 * i + 1] - ty;
      a += x * u + y * v;
      b += x * v - y * u;
    }
    return { mirror, a, b, fit: Math.hypot(a, b) };
  };
  const plain = fit(1);
  const mirrored = fit(-1);
  const best = mirrored.fit > plain.fit ? mirrored : plain;
  let spread = 0;
  for (let i = 0; i < n; i++) spread += (points[2 * i] - px) ** 2 + (points[2 * i + 1] - py) ** 2;
  if (spread === 0 || best.fit === 0) return Array.from(points);
  const scale = best.fit / spread;
  const cos = (best.a / best.fit) * scale;
  const sin = (best.b / best.fit) * scale;
  const out = new Array<number>(points.length);
  for (let i = 0; i < n; i++) {
    const x = points[2 * i] - px;
    const y = best.mirror * (points[2 * i + 1] - py);
    out[2 * i] = cos * x - sin * y + tx;
    out[2 * i + 1] = sin * x + cos * y + ty;
  }
  return out;
}
