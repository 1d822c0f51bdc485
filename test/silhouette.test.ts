import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nearestCentroids } from "../src/pipeline/cluster";
import { entropyBits } from "../src/pipeline/findings";
import { randomFor } from "../src/data/random";
import { distancePass } from "../src/pipeline/distances";
import { loadTf } from "../src/pipeline/tf";

/** The textbook definition, one point at a time. */
function bruteForce(points: number[][], labels: number[]): number[] {
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
  return points.map((p, i) => {
    const own = labels.map((l, j) => (l === labels[i] && j !== i ? dist(p, points[j]) : NaN)).filter((d) => !Number.isNaN(d));
    if (own.length === 0) return 0;
    const a = own.reduce((s, d) => s + d, 0) / own.length;
    const others = [...new Set(labels)].filter((c) => c !== labels[i]);
    const b = Math.min(
      ...others.map((c) => {
        const ds = points.filter((_, j) => labels[j] === c).map((q) => dist(p, q));
        return ds.reduce((s, d) => s + d, 0) / ds.length;
      }),
    );
    return (b - a) / Math.max(a, b);
  });
}

describe("the distance pass", () => {
  const random = randomFor(3, "test");
  // 60 clustered points then 20 others (as injected images are), in blocks of 16 rows.
  const points = Array.from({ length: 80 }, (_, i) => [random() + (i % 3) * 2, random(), random() * 3]);
  const clustered = points.slice(0, 60);
  const clusterings = [2, 3, 5].map((k) => ({ k, labels: Int32Array.from(clustered, (_, i) => (i * 7) % k) }));
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));

  it("gives exact silhouettes for several clusterings at once, and exact nearest neighbours", async () => {
    const { tf } = await loadTf();
    const pass = await distancePass(tf, {
      points: Float32Array.from(points.flat()),
      dim: 3,
      clustered: 60,
      clusterings,
      neighbours: 4,
      rowsPerBlock: 16,
    });
    clusterings.forEach((c, ci) => {
      const expected = bruteForce(clustered, Array.from(c.labels));
      expected.forEach((e, i) =>
        assert.ok(
          Math.abs(pass.silhouettes[ci].perPoint[i] - e) < 1e-4,
          `k=${c.k} point ${i}: ${pass.silhouettes[ci].perPoint[i]} vs ${e}`,
        ),
      );
      assert.ok(Math.abs(pass.silhouettes[ci].mean - expected.reduce((s, v) => s + v, 0) / expected.length) < 1e-4);
    });
    points.forEach((p, i) => {
      const expected = points
        .map((q, j) => ({ j, d: dist(p, q) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 4);
      assert.deepEqual(
        pass.neighbours.indices[i],
        expected.map((e) => e.j),
        `neighbours of ${i}`,
      );
      expected.forEach((e, r) => assert.ok(Math.abs(pass.neighbours.distances[i][r] - e.d) < 1e-4));
    });
  });
});

describe("helpers", () => {
  it("places points at their nearest centroid", () => {
    const centroids = Float32Array.from([0, 0, 10, 10]);
    assert.deepEqual(Array.from(nearestCentroids(Float32Array.from([1, 1, 9, 8, -3, 0]), 2, centroids)), [0, 1, 0]);
  });

  it("measures path entropy in bits", () => {
    assert.equal(entropyBits([10]), 0);
    assert.equal(entropyBits([5, 5]), 1);
    assert.equal(entropyBits([1, 1, 1, 1]), 2);
  });
});
