// How a map finds its points, on layer 1's UMAP of all 70,000 MNIST digits (scripts/allOfMnistResults.ts)
// and on those positions repeated 14 times with a small seeded jitter (980,000 points: the
// structures' cost at a million, not a million real digits): d3's quadtree against the map's grid
// (webview/pointGrid.ts) to build and to find the point under the pointer (1,000 places, the same
// answers checked), and a lasso (the left 5%, 30% and 70% of the map) by visiting the quadtree
// against one pass over the positions calling d3's polygonContains, and against the view's own pass
// (webview/lasso.ts: the same test inlined over the typed positions; the same points checked). Prints figures with the load average; not a test.
import { loadavg } from "node:os";
import { polygonContains, quadtree } from "d3";
import seedrandom from "seedrandom";
import { readResultsFile } from "../src/results/read";
import { pointsInPolygon } from "../webview/lasso";
import { PointGrid } from "../webview/pointGrid";
import { allOfMnistResults } from "./allOfMnistResults";

const REPEATS = 5;
const time = (run: () => void) => {
  const t = performance.now();
  for (let r = 0; r < REPEATS; r++) run();
  return (performance.now() - t) / REPEATS;
};

async function main(): Promise<void> {
  const { results } = await readResultsFile(allOfMnistResults());
  const base = results.layers[0].umap;
  const random = seedrandom("map-index");
  process.stdout.write(
    `| points | build: quadtree | build: grid | 1,000 hovers: quadtree | grid | lasso 5/30/70%: quadtree | one pass: d3 | one pass: inlined (lasso.ts) |\n`,
  );
  process.stdout.write(`|---:|---:|---:|---:|---:|---:|---:|---:|\n`);
  for (const copies of [1, 14]) {
    const pos = new Float32Array(base.length * copies);
    for (let k = 0; k < copies; k++)
      for (let i = 0; i < base.length; i++) pos[k * base.length + i] = base[i] + (k ? (random() - 0.5) * 0.3 : 0);
    const n = pos.length / 2;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < pos.length; i += 2) {
      [x0, x1, y0, y1] = [Math.min(x0, pos[i]), Math.max(x1, pos[i]), Math.min(y0, pos[i + 1]), Math.max(y1, pos[i + 1])];
    }
    let tree = quadtree<number>();
    const buildTree = time(() => {
      tree = quadtree<number>()
        .x((i) => pos[2 * i])
        .y((i) => pos[2 * i + 1])
        .addAll(Array.from({ length: n }, (_, i) => i));
    });
    let grid = new PointGrid(pos, [x0, y0, x1, y1]);
    const buildGrid = time(() => (grid = new PointGrid(pos, [x0, y0, x1, y1])));
    const places = Array.from({ length: 1000 }, () => [x0 + random() * (x1 - x0), y0 + random() * (y1 - y0)]);
    const radius = (x1 - x0) / 100;
    const d2 = (i: number | null | undefined, [x, y]: number[]) => (i == null ? null : (pos[2 * i] - x) ** 2 + (pos[2 * i + 1] - y) ** 2);
    for (const p of places) {
      if (d2(tree.find(p[0], p[1], radius), p) !== d2(grid.nearest(p[0], p[1], radius), p))
        throw new Error(`the grid and the quadtree disagree at ${p}`);
    }
    const hoverTree = time(() => places.forEach(([x, y]) => tree.find(x, y, radius)));
    const hoverGrid = time(() => places.forEach(([x, y]) => grid.nearest(x, y, radius)));
    const lassos = [0.05, 0.3, 0.7].map((share) => {
      const bx1 = x0 + (x1 - x0) * share;
      const polygon: [number, number][] = [
        [x0, y0],
        [bx1, y0],
        [bx1, y1],
        [x0, y1],
      ];
      const visit = time(() => {
        tree.visit((node, qx0, qy0, qx1, qy1) => {
          if (qx0 > bx1 || qy0 > y1 || qx1 < x0 || qy1 < y0) return true;
          if (!("length" in node))
            for (let leaf: typeof node | undefined = node; leaf; leaf = leaf.next)
              polygonContains(polygon, [pos[2 * leaf.data], pos[2 * leaf.data + 1]]);
          return false;
        });
      });
      let found: number[] = [];
      const pass = time(() => {
        found = [];
        for (let i = 0; i < n; i++) {
          const [x, y] = [pos[2 * i], pos[2 * i + 1]];
          if (x >= x0 && x <= bx1 && y >= y0 && y <= y1 && polygonContains(polygon, [x, y])) found.push(i);
        }
      });
      let inside = pointsInPolygon(pos, polygon, n);
      const inlined = time(() => (inside = pointsInPolygon(pos, polygon, n)));
      if (inside.toArray().join() !== found.join())
        throw new Error(`lasso.ts and d3's polygonContains disagree on the left ${share * 100}%`);
      return [visit, pass, inlined];
    });
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    process.stdout.write(
      `| ${n.toLocaleString("en")} | ${ms(buildTree)} | ${ms(buildGrid)} | ${ms(hoverTree)} | ${ms(hoverGrid)} | ` +
        `${[0, 1, 2].map((k) => `${lassos.map((l) => l[k].toFixed(0)).join(" / ")} ms`).join(" | ")} |\n`,
    );
  }
  process.stdout.write(`(mean of ${REPEATS} each, in node; load average ${loadavg()[0].toFixed(2)})\n`);
}

void main();
