// What large layers use instead of the exact pass: silhouettes against a sample of the points, and
// neighbours from a partitioned search. Checked against the definitions, and on real MNIST digits.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { bestScore, clusterLayer, kmeansFits, silhouetteColumns } from "../src/pipeline/cluster";
import { EXACT_LIMIT } from "../src/shared/figures";
import { loadImages, splitFiles } from "../src/data/source";
import { distancePass, type Neighbours } from "../src/pipeline/distances";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { randomFor } from "../src/data/random";
import { loadTf, type Tf } from "../src/pipeline/tf";

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** s(i) with each cluster's mean distance taken over its points among `columns` (itself left out). */
function sampledSilhouettes(points: number[][], labels: number[], columns: number[]): number[] {
  return points.map((p, i) => {
    const to = (c: number) => columns.filter((j) => labels[j] === c && j !== i).map((j) => dist(p, points[j]));
    const a = mean(to(labels[i]));
    const b = Math.min(...[...new Set(labels)].filter((c) => c !== labels[i]).map((c) => mean(to(c))));
    return (b - a) / Math.max(a, b);
  });
}

describe("silhouettes against a sample of the points", () => {
  const random = randomFor(5, "test");
  const points = Array.from({ length: 90 }, (_, i) => [random() + (i % 3) * 2, random(), random() * 3]);
  const clusterings = [2, 3].map((k) => ({ k, labels: Int32Array.from(points, (_, i) => (i * 7) % k) }));
  const flat = Float32Array.from(points.flat());

  it("estimates each cluster's mean distance from its sampled points", async () => {
    const { tf } = await loadTf();
    const columns = Array.from({ length: 45 }, (_, j) => 2 * j + (j % 2));
    const pass = await distancePass(tf, {
      points: flat,
      dim: 3,
      clustered: 90,
      clusterings,
      neighbours: 0,
      columns: Int32Array.from(columns),
      rowsPerBlock: 16,
    });
    clusterings.forEach((c, ci) => {
      const expected = sampledSilhouettes(points, Array.from(c.labels), columns);
      expected.forEach((e, i) =>
        assert.ok(
          Math.abs(pass.silhouettes[ci].perPoint[i] - e) < 1e-4,
          `k=${c.k} point ${i}: ${pass.silhouettes[ci].perPoint[i]} vs ${e}`,
        ),
      );
      assert.ok(Math.abs(pass.silhouettes[ci].mean - mean(expected)) < 1e-4);
    });
  });

  it("is the exact silhouette when every point is a column", async () => {
    const { tf } = await loadTf();
    const all = Int32Array.from(points, (_, i) => i);
    const sampled = await distancePass(tf, { points: flat, dim: 3, clustered: 90, clusterings, neighbours: 0, columns: all });
    const exact = await distancePass(tf, { points: flat, dim: 3, clustered: 90, clusterings, neighbours: 0 });
    sampled.silhouettes.forEach((s, ci) => s.perPoint.forEach((v, i) => assert.ok(Math.abs(v - exact.silhouettes[ci].perPoint[i]) < 1e-5)));
  });

  it("samples only above EXACT_LIMIT points, the same sample for the same seed", () => {
    assert.equal(silhouetteColumns(EXACT_LIMIT, EXACT_LIMIT, 1), undefined);
    const sample = silhouetteColumns(30_000, 25_000, 1)!;
    assert.equal(sample.length, EXACT_LIMIT);
    assert.deepEqual(silhouetteColumns(30_000, 25_000, 1), sample);
    assert.notDeepEqual(silhouetteColumns(30_000, 25_000, 2), sample);
    assert.ok(
      sample.every((p, j) => p < 25_000 && (j === 0 || p > sample[j - 1])),
      "kept points only, ascending, no repeats",
    );
  });
});

describe("neighbours from a partitioned search", () => {
  // 3,000 real digits (784 pixels each), in partitions of about 100 of which each searches 6.
  const n = 3000;
  const points = Float32Array.from(loadImages(splitFiles("mnist", "train", ".")!).pixels.subarray(0, n * 784), (v) => v / 255);
  const options = { partitionSize: 100, probes: 6 };
  let tf: Tf;
  let approximate: Neighbours;
  before(async () => {
    tf = (await loadTf()).tf;
    approximate = await partitionedNeighbours(tf, points, 784, 15, randomFor(1, "partitions"), undefined, undefined, options);
  });

  it("finds most of the exact neighbours, each point first in its own list", async () => {
    const exact = await distancePass(tf, { points, dim: 784, clustered: 0, clusterings: [], neighbours: 15 });
    let found = 0;
    exact.neighbours.indices.forEach((row, i) => {
      assert.equal(approximate.indices[i][0], i);
      assert.equal(approximate.distances[i][0], 0);
      assert.equal(approximate.indices[i].length, 15);
      const got = new Set(approximate.indices[i]);
      found += row.slice(1).filter((j) => got.has(j)).length;
    });
    const recall = found / (n * 14);
    assert.ok(recall > 0.9, `recall ${recall}`);
    // A found neighbour's distance is its true distance, ascending along the row.
    const d = approximate.distances[7];
    const p = (i: number) => Array.from(points.subarray(i * 784, (i + 1) * 784));
    approximate.indices[7].forEach((j, r) => assert.ok(Math.abs(d[r] - dist(p(7), p(j))) < 1e-3));
    assert.ok(d.every((v, r) => r === 0 || v >= d[r - 1] - 1e-6));
  });

  it("copes with many identical points (a dead ReLU layer): each first in its own list, its twins at distance 0", async () => {
    const random = randomFor(2, "test");
    const dead = Float32Array.from({ length: 600 * 8 }, (_, i) => (i < 400 * 8 ? 0 : random()));
    const found = await partitionedNeighbours(tf, dead, 8, 15, randomFor(1, "partitions"), undefined, undefined, {
      partitionSize: 50,
      probes: 3,
    });
    found.indices.forEach((row, i) => assert.equal(row[0], i));
    for (let i = 0; i < 400; i++)
      assert.ok(found.indices[i].every((j) => j < 400) && found.distances[i].every((d) => d === 0), `point ${i}`);
  });

  it("is the same for the same seed", async () => {
    const again = await partitionedNeighbours(tf, points, 784, 15, randomFor(1, "partitions"), undefined, undefined, options);
    assert.deepEqual(again.indices, approximate.indices);
  });
});

describe("a layer above EXACT_LIMIT points", () => {
  // 12,000 real digits, pooled to 7x7 (49 values) as a stand-in for a hidden layer's signatures.
  const train = loadImages(splitFiles("mnist", "train", ".")!);
  const n = 12_000;
  const points = new Float32Array(n * 49);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < 28 * 28; p++)
      points[i * 49 + Math.floor(p / 28 / 4) * 7 + Math.floor((p % 28) / 4)] += train.pixels[i * 784 + p] / 255 / 16;
  const options = { kMin: 2, kMax: 4, seed: 1, neighbours: 15 };
  let tf: Tf;
  let layer: Awaited<ReturnType<typeof clusterLayer>>;
  before(async () => {
    tf = (await loadTf()).tf;
    layer = await clusterLayer(tf, points, 49, n, options);
  });

  it("estimates the silhouettes from a 10,000-point sample, close to the exact ones, with the same k", async () => {
    const { clustering } = layer;
    assert.equal(clustering.silhouetteSample, EXACT_LIMIT);
    const fits = await kmeansFits(points, 49, options);
    const exact = await distancePass(tf, { points, dim: 49, clustered: n, clusterings: fits, neighbours: 0 });
    const exactBest = bestScore(exact.silhouettes);
    assert.equal(clustering.k, fits[exactBest].k);
    exact.silhouettes.forEach((s, i) =>
      assert.ok(
        Math.abs(s.mean - clustering.silhouetteCurve[i]) < 0.01,
        `k=${fits[i].k}: ${clustering.silhouetteCurve[i]} vs exact ${s.mean}`,
      ),
    );
  });

  it("takes UMAP's neighbours from the partitioned search", () => {
    const { neighbours, approximateNeighbours } = layer;
    assert.equal(approximateNeighbours, true);
    assert.equal(neighbours.indices.length, n);
    assert.ok(neighbours.indices.every((row, i) => row[0] === i && row.length === 15));
  });
});
