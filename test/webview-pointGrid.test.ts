// The maps' hover index (webview/pointGrid.ts) against a search of every point: clustered and
// duplicated points, places inside and outside the points' bounds, radii from a hair to the whole map.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import seedrandom from "seedrandom";
import { PointGrid } from "../webview/pointGrid";

function nearestByScan(pos: Float32Array, x: number, y: number, radius: number): number | null {
  let best: number | null = null;
  let bestDistance = radius * radius;
  for (let i = 0; i < pos.length / 2; i++) {
    const d = (pos[2 * i] - x) ** 2 + (pos[2 * i + 1] - y) ** 2;
    if (d < bestDistance) [best, bestDistance] = [i, d];
  }
  return best;
}

describe("PointGrid", () => {
  it("finds the nearest point within the radius, the lowest image number on a tie, as a scan of every point does", () => {
    const random = seedrandom("grid");
    for (const n of [1, 7, 500, 5000]) {
      const pos = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        // Three blobs, and every tenth point a copy of the one before: ties.
        const blob = i % 3;
        pos[2 * i] = i % 10 === 9 ? pos[2 * i - 2] : blob * 5 + random() * 2;
        pos[2 * i + 1] = i % 10 === 9 ? pos[2 * i - 1] : blob * -3 + random();
      }
      const bounds: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let i = 0; i < n; i++) {
        bounds[0] = Math.min(bounds[0], pos[2 * i]);
        bounds[1] = Math.min(bounds[1], pos[2 * i + 1]);
        bounds[2] = Math.max(bounds[2], pos[2 * i]);
        bounds[3] = Math.max(bounds[3], pos[2 * i + 1]);
      }
      const grid = new PointGrid(pos, bounds);
      for (let q = 0; q < 300; q++) {
        const [x, y] = [-2 + random() * 16, -9 + random() * 12];
        for (const radius of [0.01, 0.3, 2, 50])
          assert.equal(grid.nearest(x, y, radius), nearestByScan(pos, x, y, radius), `n ${n} at ${x},${y} r ${radius}`);
      }
    }
  });
});
