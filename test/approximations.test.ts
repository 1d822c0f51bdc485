// What large layers use instead of the exact pass: k-means fitted on a sample of the points, then
// every point assigned; silhouettes against the sample; neighbours from a partitioned search.
// Checked against the definitions, and on real MNIST digits against the full computation.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { bestScore, clusterLayer, clusterSample, kmeansFits, nearestCentroids, silhouetteColumns } from "../src/pipeline/cluster";
import { CLUSTER_SAMPLE, EXACT_LIMIT, SILHOUETTE_COLUMNS, SILHOUETTE_DISTANCES } from "../src/shared/figures";
import { loadImages, splitFiles } from "../src/data/source";
import { distancePass, gathered, sampledSilhouettes, type Neighbours } from "../src/pipeline/distances";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { randomFor } from "../src/data/random";
import { loadTf, type Tf } from "../src/pipeline/tf";

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]));
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** s(i) with each cluster's mean distance taken over its points among `columns` (itself left out). */
function bySample(points: number[][], labels: number[], columns: number[]): number[] {
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
    const silhouettes = await sampledSilhouettes(tf, { points: flat, dim: 3, rows: 90, columns: Int32Array.from(columns), clusterings });
    clusterings.forEach((c, ci) => {
      const expected = bySample(points, Array.from(c.labels), columns);
      expected.forEach((e, i) =>
        assert.ok(Math.abs(silhouettes[ci].perPoint[i] - e) < 1e-4, `k=${c.k} point ${i}: ${silhouettes[ci].perPoint[i]} vs ${e}`),
      );
      assert.ok(Math.abs(silhouettes[ci].mean - mean(expected)) < 1e-4);
    });
  });

  it("is the exact silhouette when every point is a column", async () => {
    const { tf } = await loadTf();
    const all = Int32Array.from(points, (_, i) => i);
    const sampled = await sampledSilhouettes(tf, { points: flat, dim: 3, rows: 90, columns: all, clusterings });
    const exact = await distancePass(tf, { points: flat, dim: 3, clustered: 90, clusterings, neighbours: 0 });
    sampled.forEach((s, ci) => s.perPoint.forEach((v, i) => assert.ok(Math.abs(v - exact.silhouettes[ci].perPoint[i]) < 1e-5)));
  });

  it("samples only above EXACT_LIMIT kept points, the same sample for the same seed", () => {
    assert.equal(clusterSample(EXACT_LIMIT, 1), undefined);
    const sample = clusterSample(25_000, 1)!;
    assert.equal(sample.length, CLUSTER_SAMPLE);
    assert.deepEqual(clusterSample(25_000, 1), sample);
    assert.notDeepEqual(clusterSample(25_000, 2), sample);
    assert.ok(
      sample.every((p, j) => p < 25_000 && (j === 0 || p > sample[j - 1])),
      "kept points only, ascending, no repeats",
    );
  });
});

describe("the images' silhouettes above EXACT_LIMIT", () => {
  it("are measured against the first SILHOUETTE_DISTANCES / images of the sample's draw, at least SILHOUETTE_COLUMNS", () => {
    for (const [images, expected] of [
      [12_000, 8_333],
      [70_000, 1_428],
      [1_000_000, SILHOUETTE_COLUMNS],
    ]) {
      const sample = clusterSample(images, 3)!;
      const part = silhouetteColumns(sample, images, 3);
      assert.equal(part.length, expected);
      assert.equal(part.length, Math.max(SILHOUETTE_COLUMNS, Math.floor(SILHOUETTE_DISTANCES / images)));
      const inSample = new Set(sample);
      assert.ok(
        part.every((p, j) => inSample.has(p) && (j === 0 || p > part[j - 1])),
        "a part of the sample, ascending",
      );
    }
    // A smaller part is within a larger one: the start of the same draw.
    const sample = clusterSample(70_000, 3)!;
    const larger = new Set(silhouetteColumns(sample, 70_000, 3, 2_000 * 70_000));
    assert.ok(silhouetteColumns(sample, 70_000, 3).every((p) => larger.has(p)));
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
  const options = { kMin: 2, kMax: 4, seed: 1, restarts: 2, neighbours: 15 };
  let tf: Tf;
  let layer: Awaited<ReturnType<typeof clusterLayer>>;
  before(async () => {
    tf = (await loadTf()).tf;
    layer = await clusterLayer(tf, points, 49, n, options);
  });

  it("fits k-means on the sample and assigns every image to its nearest centroid, numbered by first appearance", async () => {
    const { clustering } = layer;
    assert.equal(clustering.silhouetteSample, CLUSTER_SAMPLE);
    assert.deepEqual(clustering.labels, nearestCentroids(points, 49, clustering.centroids));
    const firsts = [...new Set(clustering.labels)];
    assert.deepEqual(
      firsts,
      firsts.map((_, c) => c),
    );
    // The same fits as kmeansFits on the sampled points alone, up to the numbering.
    const sample = clusterSample(n, options.seed)!;
    const alone = await kmeansFits(
      Float32Array.from({ length: sample.length * 49 }, (_, t) => points[sample[Math.floor(t / 49)] * 49 + (t % 49)]),
      49,
      { ...options, k: clustering.k },
    );
    const centroid = (c: Float32Array, i: number) => Array.from(c.subarray(i * 49, (i + 1) * 49)).join();
    assert.deepEqual(
      new Set(Array.from({ length: clustering.k }, (_, c) => centroid(clustering.centroids, c))),
      new Set(Array.from({ length: clustering.k }, (_, c) => centroid(alone[0].centroids, c))),
    );
  });

  it("chooses the k of the full computation, its silhouette and inertia close to the full ones", async () => {
    const { clustering } = layer;
    const fits = await kmeansFits(points, 49, options);
    const exact = await distancePass(tf, { points, dim: 49, clustered: n, clusterings: fits, neighbours: 0 });
    const best = bestScore(exact.silhouettes);
    assert.equal(clustering.k, fits[best].k);
    exact.silhouettes.forEach((s, i) =>
      assert.ok(
        Math.abs(s.mean - clustering.silhouetteCurve[i]) < 0.01,
        `k=${fits[i].k}: ${clustering.silhouetteCurve[i]} vs full ${s.mean}`,
      ),
    );
    fits.forEach((f, i) =>
      assert.ok(clustering.inertiaCurve[i] / f.inertia < 1.01, `k=${f.k}: inertia ${clustering.inertiaCurve[i]} vs full ${f.inertia}`),
    );
  });

  it("gives each image its silhouette against a part of the sample: the part's own are theirs among the part", async () => {
    const { clustering } = layer;
    const columns = silhouetteColumns(clusterSample(n, options.seed)!, n, options.seed);
    const exact = await distancePass(tf, {
      points,
      dim: 49,
      clustered: n,
      clusterings: [{ k: clustering.k, labels: clustering.labels }],
      neighbours: 0,
    });
    let error = 0;
    exact.silhouettes[0].perPoint.forEach((s, i) => (error += Math.abs(s - clustering.perPoint[i]) / n));
    assert.ok(error < 0.01, `mean error per image ${error}`);
    const [among] = await sampledSilhouettes(tf, {
      points: gathered(points, 49, columns),
      dim: 49,
      rows: columns.length,
      columns: Int32Array.from(columns, (_, j) => j),
      clusterings: [{ k: clustering.k, labels: Int32Array.from(columns, (p) => clustering.labels[p]) }],
    });
    columns.forEach((p, j) => assert.ok(Math.abs(clustering.perPoint[p] - among.perPoint[j]) < 1e-6, `image ${p}`));
  });

  it("is the same for the same seed", async () => {
    const again = await clusterLayer(tf, points, 49, n, options);
    assert.deepEqual(again.clustering, layer.clustering);
  });

  it("takes UMAP's neighbours from the partitioned search", () => {
    const { neighbours, approximateNeighbours } = layer;
    assert.equal(approximateNeighbours, true);
    assert.equal(neighbours.indices.length, n);
    assert.ok(neighbours.indices.every((row, i) => row[0] === i && row.length === 15));
  });
});
