// src/pipeline/kmeans.ts against ml-kmeans 7.0.1, which it replaced: for the same points, k, seed
// and step bound, the same labels, the same centroids bit for bit (so the same after cluster.ts's
// renumbering, and the same inertia and silhouettes) and the same number of Lloyd steps; on the
// built-in model's real signatures, on real digits, and on the edge cases (duplicate points, every
// point the same, k up to n, a cluster left empty, 1-d points, the step bound reached).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { kmeans } from "ml-kmeans";
import { assertFinite, kmeansFit, kmeansPlusPlus } from "../src/pipeline/kmeans";
import { startSeeds } from "../src/pipeline/cluster";
import { randomFor } from "../src/data/random";
import { mnistSignatures } from "../scripts/mnistSignatures";
import { pooledDigits } from "../scripts/pooledDigits";

/**
 * Asserts kmeansFit's fit is ml-kmeans's, from its own seeding or from `seeds` (kmeansPlusPlus's,
 * as cluster.ts passes them); returns its steps and how many clusters hold a point.
 */
function assertSameFit(
  points: Float32Array,
  dim: number,
  k: number,
  seed: number,
  maxIterations = 300,
  seeds?: Int32Array,
): { steps: number; used: number } {
  const n = points.length / dim;
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
  const expected = kmeans(rows, k, { initialization: "kmeans++", seed, maxIterations });
  const actual = kmeansFit(points, dim, k, seed, maxIterations, seeds);
  const where = `n=${n} dim=${dim} k=${k} seed=${seed}${seeds ? " (shared seeding)" : ""}`;
  assert.equal(actual.iterations, expected.iterations, `${where}: steps`);
  assert.deepEqual(Array.from(actual.labels), expected.clusters, `${where}: labels`);
  // deepEqual compares numbers with Object.is: equal here means the same float64, bit for bit.
  assert.deepEqual(Array.from(actual.centroids), expected.centroids.flat(), `${where}: centroids`);
  return { steps: expected.iterations, used: new Set(expected.clusters).size };
}

const kRange = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** n points of `dim` values drawn by `value` from a seeded stream. */
function synthetic(n: number, dim: number, value: (random: () => number) => number): Float32Array {
  const random = randomFor(n * 100 + dim, "k-means test");
  return Float32Array.from({ length: n * dim }, () => value(random));
}

describe("k-means on typed arrays gives ml-kmeans's fits", () => {
  let layers: Float32Array[];
  before(async () => {
    // 2,000 digits (200 of each) through the built-in model, trained for 2 epochs.
    layers = (await mnistSignatures(2000, 2)).hidden;
  });

  it("on the built-in model's signatures, both hidden layers, k = 2..10, the first two starts' seeds", () => {
    const dims = [32, 64];
    assert.deepEqual(
      layers.map((l) => l.length / 2000),
      dims,
    );
    for (const [l, points] of layers.entries())
      for (const seed of startSeeds(24, 2)) for (const k of kRange(2, 10)) assertSameFit(points, dims[l], k, seed);
  });

  it("from kmeansPlusPlus's seeds, each k's the first of a larger k's (signatures, 3 starts, and pooled digits, k = 2..10)", () => {
    const fits: [Float32Array, number, number[]][] = [
      [layers[0], 32, startSeeds(24, 3)],
      [layers[1], 64, startSeeds(24, 3)],
      [pooledDigits(3000), 49, [24]],
    ];
    for (const [points, dim, seeds] of fits)
      for (const seed of seeds) {
        const seedings = kmeansPlusPlus(points, dim, kRange(2, 10), seed);
        for (const k of kRange(2, 10)) assertSameFit(points, dim, k, seed, 300, seedings.get(k));
      }
  });

  it("on 3,000 real digits pooled to 7x7, k = 2..10", () => {
    const points = pooledDigits(3000);
    for (const k of kRange(2, 10)) assertSameFit(points, 49, k, 24);
  });

  it("with a step bound reached before convergence", () => {
    const points = pooledDigits(1000);
    for (const maxIterations of [1, 2, 5]) assert.equal(assertSameFit(points, 49, 6, 3, maxIterations).steps, maxIterations);
  });

  it("on duplicate points, with clusters left empty when k exceeds the distinct points", () => {
    // 6 distinct 3-d points, each 10 times, in a seeded order: ties in every distance.
    const random = randomFor(6, "k-means duplicates");
    const distinct = Array.from({ length: 6 }, () => [0, 1, 2].map(() => Math.floor(random() * 4)));
    const order = Array.from({ length: 60 }, (_, i) => distinct[i % 6]).sort(() => random() - 0.5);
    const points = Float32Array.from(order.flat());
    const used = kRange(2, 9).flatMap((k) => [1, 2, 3].map((seed) => ({ k, used: assertSameFit(points, 3, k, seed).used })));
    for (const seed of [1, 2, 3]) {
      const seedings = kmeansPlusPlus(points, 3, kRange(2, 9), seed);
      for (const k of kRange(2, 9)) assertSameFit(points, 3, k, seed, 300, seedings.get(k));
    }
    assert.ok(
      used.some((u) => u.used < u.k),
      "some fit keeps an empty cluster",
    );
  });

  it("when every point is the same (the seeding's probabilities are all NaN)", () => {
    const points = new Float32Array(20 * 4).fill(0.25);
    for (const k of kRange(1, 4)) assertSameFit(points, 4, k, 24);
  });

  it("with k up to the number of points", () => {
    const points = synthetic(15, 2, (random) => random());
    for (const k of [1, 13, 14, 15]) for (const seed of [1, 24]) assertSameFit(points, 2, k, seed);
  });

  it("on 1-d points", () => {
    const points = synthetic(500, 1, (random) => (random() < 0.3 ? 5 : 0) + random());
    for (const k of kRange(2, 8)) for (const seed of [1, 24]) assertSameFit(points, 1, k, seed);
  });

  it("refuses what ml-kmeans refuses, and names a non-finite value", () => {
    const points = synthetic(5, 2, (random) => random());
    const rows = Array.from({ length: 5 }, (_, i) => Array.from(points.subarray(i * 2, i * 2 + 2)));
    for (const k of [0, 6, 2.5]) {
      const message = (() => {
        try {
          kmeans(rows, k, { seed: 1 });
        } catch (error) {
          return (error as Error).message;
        }
      })();
      assert.throws(() => kmeansFit(points, 2, k, 1, 300), { message });
    }
    points[7] = NaN;
    assert.throws(() => assertFinite(points, 2), /point 3 has NaN in dimension 1/);
  });
});
