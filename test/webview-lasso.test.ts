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

  it("selects d3's points where whole cells of the box are in or out: edges along the cells' lines, a sliver, a lasso of 1,000 corners", () => {
    const random = seedrandom("cells");
    const size = 200_000;
    const pos = new Float32Array(2 * size);
    // On a lattice of the box's cells (128 across [0, 128]) and their halves, near it, and anywhere.
    for (let i = 0; i < pos.length; i++)
      pos[i] =
        i % 3 === 0
          ? Math.round(random() * 256) / 2
          : i % 3 === 1
            ? Math.round(random() * 128) + (random() - 0.5) * 1e-6
            : random() * 130 - 1;
    const lassos: [number, number][][] = [
      [
        [0, 0],
        [128, 0],
        [128, 128],
        [64, 128],
        [64, 64],
        [0, 64],
      ],
      [
        [0, 0],
        [128, 127],
        [128, 128],
      ],
      Array.from({ length: 1000 }, (_, k) => {
        const r = 30 + 34 * random();
        return [64 + r * Math.cos((2 * Math.PI * k) / 1000), 64 + r * Math.sin((2 * Math.PI * k) / 1000)];
      }),
    ];
    for (const polygon of lassos) {
      const [xs, ys] = [polygon.map((p) => p[0]), polygon.map((p) => p[1])];
      const [bx0, bx1, by0, by1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)].map(Math.fround);
      const expected: number[] = [];
      for (let i = 0; i < size; i++) {
        const [x, y] = [pos[2 * i], pos[2 * i + 1]];
        if (x >= bx0 && x <= bx1 && y >= by0 && y <= by1 && polygonContains(polygon, [x, y])) expected.push(i);
      }
      assert.ok(expected.length > 500, `${expected.length} inside`);
      assert.deepEqual(pointsInPolygon(pos, polygon, size).toArray(), expected);
    }
  });
});
