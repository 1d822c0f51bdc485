import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nearestCentroids } from "../src/pipeline/cluster";
import { entropyBits } from "../src/pipeline/findings";
import { randomFor } from "../src/pipeline/random";
import { silhouettes } from "../src/pipeline/silhouette";

/** The textbook definition, one point at a time. */
function bruteForce(points: number[][], labels: number[]): number[] {
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
  return points.map((p, i) => {
    const own = labels.map((l, j) => (l === labels[i] && j !== i ? dist(p, points[j]) : NaN)).filter((d) => !Number.isNaN(d));
    if (own.length === 0) return 0;
    const a = own.reduce((s, d) => s + d, 0) / own.length;
    const others = [...new Set(labels)].filter((c) => c !== labels[i]);
    const b = Math.min(...others.map((c) => {
      const ds = points.filter((_, j) => labels[j] === c).map((q) => dist(p, q));
      return ds.reduce((s, d) => s + d, 0) / ds.length;
    }));
    return (b - a) / Math.max(a, b);
  });
}

describe("silhouettes in one pass", () => {
  it("match the definition for several clusterings at once", async () => {
    const random = randomFor(3, "test");
    const points = Array.from({ length: 60 }, (_, i) => [random() + (i % 3) * 2, random(), random() * 3]);
    const clusterings = [2, 3, 5].map((k) => ({ k, labels: Int32Array.from(points, (_, i) => (i * 7) % k) }));
    const scores = await silhouettes(Float32Array.from(points.flat()), 3, clusterings);
    clusterings.forEach((c, ci) => {
      const expected = bruteForce(points, Array.from(c.labels));
      expected.forEach((e, i) => assert.ok(Math.abs(scores[ci].perPoint[i] - e) < 1e-5, `k=${c.k} point ${i}: ${scores[ci].perPoint[i]} vs ${e}`));
      assert.ok(Math.abs(scores[ci].mean - expected.reduce((s, v) => s + v, 0) / expected.length) < 1e-5);
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
