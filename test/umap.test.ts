import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distancePass } from "../src/pipeline/distances";
import { fastRandomFor, randomFor, type Random } from "../src/data/random";
import { loadTf } from "../src/pipeline/tf";
import { defaultEpochs, fuzzyGraph, umapLayout } from "../src/pipeline/umap";
import { fixedPowerTables, power } from "../src/pipeline/power";
import { EXACT_LIMIT } from "../src/shared/figures";
import { UMAP } from "umap-js";
import { findABParams } from "umap-js/dist/umap";
import type { Neighbours } from "../src/pipeline/distances";

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

/** umap-js 1.4's layout step on typed arrays, with the generator called per draw and power() for Math.pow. */
function referenceLayout(neighbours: Neighbours, epochs: number, random: Random): Float32Array {
  const n = neighbours.indices.length;
  const graph = fuzzyGraph(neighbours);
  const maxWeight = graph.weights.reduce((m, w) => Math.max(m, w), 0);
  const kept = Array.from(graph.weights.keys()).filter((e) => graph.weights[e] >= maxWeight / epochs && graph.weights[e] > 0);
  const perSample = kept.map((e) => maxWeight / graph.weights[e]);
  const nextSample = perSample.slice();
  const perNegative = perSample.map((p) => p / 5);
  const nextNegative = perNegative.slice();
  const emb = Float64Array.from({ length: n * 2 }, () => random() * 20 - 10);
  const { a, b } = findABParams(1.0, 0.1);
  const clip = (x: number) => (x > 4 ? 4 : x < -4 ? -4 : x);
  let alpha = 1.0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    kept.forEach((edge, e) => {
      if (nextSample[e] > epoch) return;
      const [j, k] = [graph.head[edge] * 2, graph.tail[edge] * 2];
      const [dx, dy] = [emb[j] - emb[k], emb[j + 1] - emb[k + 1]];
      const d2 = dx * dx + dy * dy;
      const d2b = power(d2, b);
      const attract = d2 > 0 ? (-2 * a * b * (d2b / d2)) / (a * d2b + 1) : 0;
      const [gx, gy] = [clip(attract * dx) * alpha, clip(attract * dy) * alpha];
      [emb[j], emb[j + 1], emb[k], emb[k + 1]] = [emb[j] + gx, emb[j + 1] + gy, emb[k] - gx, emb[k + 1] - gy];
      nextSample[e] += perSample[e];
      const negatives = Math.floor((epoch - nextNegative[e]) / perNegative[e]);
      for (let p = 0; p < negatives; p++) {
        const o = Math.floor(random() * n) * 2;
        const [ox, oy] = [emb[j] - emb[o], emb[j + 1] - emb[o + 1]];
        const o2 = ox * ox + oy * oy;
        if (o2 > 0) {
          const repulse = (2 * b) / ((0.001 + o2) * (a * power(o2, b) + 1));
          emb[j] += clip(repulse * ox) * alpha;
          emb[j + 1] += clip(repulse * oy) * alpha;
        } else if (j !== o) {
          emb[j] += 4 * alpha;
          emb[j + 1] += 4 * alpha;
        }
      }
      nextNegative[e] += negatives * perNegative[e];
    });
    alpha = 1.0 - epoch / epochs;
  }
  return Float32Array.from(emb);
}

/** Two blobs of `half` points each in 10-D, far apart. */
function blobs(half = 150): Float32Array {
  const random = randomFor(7, "blobs");
  return Float32Array.from({ length: 2 * half * 10 }, (_, i) => random() + (Math.floor(i / 10) < half ? 0 : 5));
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

  it("keeps the blobs apart on the map, the same way for the same seed", async () => {
    const run = async () => {
      const layout = await umapLayout(neighbours, { minDist: 0.1, seed: 1 });
      for (let e = 0; e < layout.epochs; e++) layout.step(e);
      return layout.embedding();
    };
    const map = await run();
    assert.deepEqual(await run(), map);
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

  it("draws the same layout as umap-js's loop, step for step, with the same generator and powers", async () => {
    const layout = await umapLayout(neighbours, { minDist: 0.1, epochs: 50, seed: 3 });
    for (let e = 0; e < layout.epochs; e++) layout.step(e);
    assert.deepEqual(layout.embedding(), referenceLayout(neighbours, 50, fastRandomFor(3, "umap")));
  });

  it("takes umap-js's epochs up to EXACT_LIMIT points, then 200 * sqrt(EXACT_LIMIT / n), at least 50", () => {
    assert.deepEqual([2500, 2501, 5000, 7500, 7501, EXACT_LIMIT].map(defaultEpochs), [500, 400, 400, 300, 200, 200]);
    assert.deepEqual([EXACT_LIMIT + 1, 20_000, 70_000, 160_000, 200_000, 1_000_000].map(defaultEpochs), [200, 141, 76, 50, 50, 50]);
  });
});

describe("UMAP above EXACT_LIMIT points", () => {
  it("keeps two blobs apart, the same way for the same seed", async () => {
    const { tf } = await loadTf();
    const half = EXACT_LIMIT / 2 + 1;
    const { neighbours } = await distancePass(tf, { points: blobs(half), dim: 10, clustered: 0, clusterings: [], neighbours: 15 });
    const run = async () => {
      const layout = await umapLayout(neighbours, { minDist: 0.1, epochs: 30, seed: 5 });
      for (let e = 0; e < layout.epochs; e++) layout.step(e);
      return layout.embedding();
    };
    const map = await run();
    assert.deepEqual(await run(), map);
    // Each of 200 points' 5 nearest on the map are in its own blob.
    const d = new Float64Array(2 * half);
    for (let s = 0; s < 200; s++) {
      const i = s * 50;
      for (let j = 0; j < d.length; j++)
        d[j] = j === i ? Infinity : (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
      const nearest = Array.from(d.keys())
        .sort((x, y) => d[x] - d[y])
        .slice(0, 5);
      assert.ok(
        nearest.every((j) => j < half === i < half),
        `point ${i}`,
      );
    }
  });
});

describe("power, the layout's x^y", () => {
  it("is within 1e-11 of Math.pow for x from 1e-300 to 1e300 and UMAP's exponents, and Math.pow's value at the edges", () => {
    const random = randomFor(9, "powers");
    // b of min_dist 0.001 to 0.99 (findABParams), and a few others.
    const exponents = [0.1, 0.5, 0.7915, 1, 1.5, 1.93, -0.7, 3];
    for (const y of exponents) {
      for (let s = 0; s < 20_000; s++) {
        const x = Math.exp((random() - 0.5) * 1380);
        const exact = Math.pow(x, y);
        if (exact === 0 || !Number.isFinite(exact)) continue;
        const error = Math.abs(power(x, y) / exact - 1);
        assert.ok(error < 1e-11, `${x}^${y}: ${power(x, y)} against ${exact}`);
      }
    }
    for (const x of [0, 5e-324, 1e-310, -2, Infinity, NaN, 1e300, 1e-300]) {
      for (const y of [0.79, 4])
        assert.ok(Object.is(power(x, y), Math.pow(x, y)) || Math.abs(power(x, y) / Math.pow(x, y) - 1) < 1e-11, `${x}^${y}`);
    }
  });

  it("has fixed-exponent tables (umapKernel.wat's, above EXACT_LIMIT points) within 1e-12 of Math.pow for UMAP's exponents", () => {
    const random = randomFor(9, "fixed powers");
    const bits = new DataView(new ArrayBuffer(8));
    // umapKernel.wat's $fixedPower, step for step, on the same tables.
    const fixed = (x: number, [wholePower, centrePower, series]: Float64Array[]) => {
      bits.setFloat64(0, x);
      const high = bits.getUint32(0);
      const e = high >>> 20;
      const i = (high >>> 12) & 255;
      const r = x * 2 ** (1023 - e) * (1 / (1 + (i + 0.5) / 256)) - 1;
      return wholePower[e] * centrePower[i] * (1 + r * (series[0] + r * (series[1] + r * series[2])));
    };
    // b of min_dist 0.001 to 0.99 (findABParams), and 1.
    for (const minDist of [0.001, 0.1, 0.5, 0.99]) {
      const { b } = findABParams(1.0, minDist);
      for (const y of [b, 1]) {
        const tables = fixedPowerTables(y);
        for (let s = 0; s < 20_000; s++) {
          const x = Math.exp((random() - 0.5) * 1380);
          const exact = Math.pow(x, y);
          if (exact < 1e-300 || exact > 1e300) continue;
          const error = Math.abs(fixed(x, tables) / exact - 1);
          assert.ok(error < 1e-12, `${x}^${y}: ${fixed(x, tables)} against ${exact}`);
        }
      }
    }
  });
});
