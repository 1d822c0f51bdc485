// A lasso's points (webview/lasso.ts) against d3's polygonContains, which it replaces: the same
// points of a map inside the same concave and self-crossing lassos, points on its corners and
// edges and off its box included, over sizes that do and do not fill the bitset's last word.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { polygonContains } from "d3";
import seedrandom from "seedrandom";
import { pointsInPolygon } from "../webview/lasso";

describe("pointsInPolygon", () => {
  it("selects the points d3's polygonContains finds inside, within the lasso's box", () => {
    const random = seedrandom("lasso");
    const lassos: [number, number][][] = [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ],
      // A C shape (concave), and a bow tie (its edges cross).
      [
        [1, 1],
        [9, 1],
        [9, 3],
        [3, 3],
        [3, 7],
        [9, 7],
        [9, 9],
        [1, 9],
      ],
      [
        [2, 2],
        [8, 8],
        [8, 2],
        [2, 8],
      ],
      Array.from({ length: 200 }, (_, k) => [5 + 4 * Math.cos(k / 10) * (1 + random()), 5 + 4 * Math.sin(k / 10)]),
    ];
    for (const size of [1, 33, 1000, 20_001]) {
      const pos = new Float32Array(2 * size);
      // Whole numbers land on corners and edges; the rest anywhere, some off every lasso.
      for (let i = 0; i < pos.length; i++) pos[i] = i % 3 ? Math.round(random() * 11) : random() * 12 - 1;
      for (const polygon of lassos) {
        const xs = polygon.map((p) => p[0]);
        const ys = polygon.map((p) => p[1]);
        const expected: number[] = [];
        for (let i = 0; i < size; i++) {
          const [x, y] = [pos[2 * i], pos[2 * i + 1]];
          const inBox =
            x >= Math.fround(Math.min(...xs)) &&
            x <= Math.fround(Math.max(...xs)) &&
            y >= Math.fround(Math.min(...ys)) &&
            y <= Math.fround(Math.max(...ys));
          if (inBox && polygonContains(polygon, [x, y])) expected.push(i);
        }
        const inside = pointsInPolygon(pos, polygon, size);
        assert.deepEqual(inside.toArray(), expected);
        assert.equal(inside.count, expected.length);
      }
    }
  });
});
