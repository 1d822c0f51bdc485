import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distancePass } from "../src/pipeline/distances";
import { randomFor } from "../src/data/random";
import { loadTf } from "../src/pipeline/tf";
import { fuzzyGraph, umapLayout } from "../src/pipeline/umap";
import { UMAP } from "umap-js";

/** umap-js's own fuzzy graph on the same neighbours: edge "head:tail" -> weight. */
function umapJsGraph(points: Float32Array, dim: number, indices: number[][], distances: number[][]): Map<string, number> {
  const theirs = new UMAP({ nComponents: 2, nNeighbors: indices[0].length, minDist: 0.1 });
  theirs.setPrecomputedKNN(indices, distances);
  theirs.initializeFit(Array.from({ length: points.length / dim }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim))));
  // The graph is private in umap-js's typings; it is the one its layout optimises.
  const graph = (theirs as unknown as { graph: { getAll(): { row: number; col: number; value: number }[] } }).graph;
  // Its self-loops carry weight 0, which its layout never samples.
  return new Map(graph.getAll().flatMap(({ row, col, value }) => (value > 0 ? [[`${row}:${col}`, value] as const] : [])));
}

/** Two blobs of 150 points in 10-D, far apart. */
function blobs(): Float32Array {
  const random = randomFor(7, "blobs");
  return Float32Array.from({ length: 300 * 10 }, (_, i) => random() + (Math.floor(i / 10) < 150 ? 0 : 5));
}

describe("UMAP from exact neighbours", async () => {
  const { tf } = await loadTf();
  const points = blobs();
  const { neighbours } = await distancePass(tf, { points, dim: 10, clustered: 0, clusterings: [], neighbours: 15 });

  it("builds umap-js's fuzzy graph from the same neighbours: the same weighted edges, weights within 1e-9", () => {
    const { head, tail, weights } = fuzzyGraph(neighbours);
    const theirs = umapJsGraph(points, 10, neighbours.indices, neighbours.distances);
    const ours = new Map(Array.from(head, (h, e) => [`${h}:${tail[e]}`, weights[e]]));
    assert.equal(ours.size, theirs.size);
    for (const [edge, w] of theirs) {
      assert.ok(Math.abs((ours.get(edge) ?? NaN) - w) < 1e-9, `edge ${edge}: ours ${ours.get(edge)}, umap-js ${w}`);
    }
  });

  it("builds a symmetric fuzzy graph with weights in (0, 1]", () => {
    const { head, tail, weights } = fuzzyGraph(neighbours);
    const weight = new Map<string, number>();
    head.forEach((h, e) => weight.set(`${h}:${tail[e]}`, weights[e]));
    for (const [key, w] of weight) {
      const [h, t] = key.split(":");
      assert.equal(weight.get(`${t}:${h}`), w, `edge ${key} and its reverse`);
      assert.ok(w > 0 && w <= 1);
    }
    assert.ok(
      head.every((h, e) => h !== tail[e]),
      "no self loops",
    );
  });

  it("keeps the blobs apart on the map, the same way for the same seed", () => {
    const run = () => {
      const layout = umapLayout(neighbours, { minDist: 0.1, random: randomFor(1, "umap") });
      for (let e = 0; e < layout.epochs; e++) layout.step(e);
      return layout.embedding();
    };
    const map = run();
    assert.deepEqual(run(), map);
    const blob = (i: number) => (i < 150 ? 0 : 1);
    let sameBlob = 0;
    for (let i = 0; i < 300; i++) {
      let nearest = -1;
      let best = Infinity;
      for (let j = 0; j < 300; j++) {
        const d = j === i ? Infinity : (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
        if (d < best) [best, nearest] = [d, j];
      }
      if (blob(nearest) === blob(i)) sameBlob++;
    }
    assert.equal(sameBlob, 300);
  });
});
