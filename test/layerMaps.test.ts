// A layer's maps and what the results keep of them (src/pipeline/layer.ts): the PCA map beside
// UMAP, on real MNIST digits analysed as a layer, and through a real run written and read back.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parseExperiment } from "../src/check/experiment";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { analyseLayer, layerResult, type AnalysedLayer } from "../src/pipeline/layer";
import { mapNearest } from "../src/pipeline/mapNeighbours";
import { pcaMap } from "../src/pipeline/pca";
import { runExperiment } from "../src/pipeline/run";
import { loadTf } from "../src/pipeline/tf";
import { readResultsFile } from "../src/results/read";
import { writeResults } from "../src/results/write";
import { summaryText } from "../src/pipeline/summary";
import type { Results } from "../src/shared/results";
import { onesVsSevens, tempDir } from "./helpers";
import { assertQuoted, readmeQuotes } from "./readmeFigures";

const experimentFile = join(__dirname, "..", "examples", "ones-vs-sevens.mtq.json");
const parsed = parseExperiment(JSON.stringify(onesVsSevens), experimentFile);
const experiment = parsed.experiment!;

const DIM = 784;
const KEPT = 900;
const INJECTED = 100;
const COUNT = KEPT + INJECTED;
const mnist = readIdx(mnistFile("train-images-idx3-ubyte")).data;
/** The first COUNT training digits' pixels as 0..1 floats, played as one layer's signatures. */
const signatures = Float32Array.from(mnist.subarray(0, COUNT * DIM), (v) => v / 255);
const labels = Array.from(readIdx(mnistFile("train-labels-idx1-ubyte")).data.subarray(0, COUNT));

/** Each image's k nearest others on `map` by brute force, nearest first, ties to the lower image number. */
function bruteNearest(map: ArrayLike<number>, k: number): Int32Array {
  const n = map.length / 2;
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    const d = (j: number) => (map[2 * j] - map[2 * i]) ** 2 + (map[2 * j + 1] - map[2 * i + 1]) ** 2;
    others.sort((a, b) => d(a) - d(b) || a - b);
    out.set(others.slice(0, k), i * k);
  }
  return out;
}

describe("mapNearest (a uniform grid searched ring by ring)", () => {
  it("finds every image's k nearest on a map as brute force does, ties and an elongated map included", () => {
    const { map } = pcaMap(signatures, DIM, KEPT);
    assert.deepEqual(mapNearest(map, 14), bruteNearest(map, 14));
    // Coarse coordinates: many images on one spot, so ties decide.
    const coarse = Float32Array.from(map, (v) => Math.round(v));
    assert.deepEqual(mapNearest(coarse, 14), bruteNearest(coarse, 14));
    // A line: one row of cells.
    const line = Float32Array.from(map, (v, i) => (i % 2 ? 0 : v));
    assert.deepEqual(mapNearest(line, 5), bruteNearest(line, 5));
  });
});

describe("a layer analysed (real MNIST digits as signatures)", () => {
  let analysed: AnalysedLayer;
  before(async () => {
    const { tf } = await loadTf();
    analysed = await analyseLayer(tf, {
      name: "pixels",
      signatures,
      dim: DIM,
      labels,
      keptCount: KEPT,
      clustering: experiment.clustering,
      projection: experiment.projection,
      seed: 7,
      stabilityRuns: 0,
    });
  });

  it("holds the PCA map of every image and its explained variance, as pcaMap gives them", () => {
    const want = pcaMap(signatures, DIM, KEPT);
    assert.deepEqual(analysed.layer.pca, want.map);
    assert.deepEqual(analysed.layer.pcaExplained, want.explained);
    const [x, y] = analysed.layer.pcaExplained;
    // MNIST's first two components hold about 10% and 7% of the pixels' variance.
    assert.ok(x > y && y > 0.03 && x < 0.2, `explained ${x}, ${y}`);
    const result = layerResult(analysed.layer);
    assert.equal(result.pca!.length, 2 * COUNT);
    assert.ok(Array.from(result.pca!).every(Number.isFinite));
  });

  it("says how many of each image's nearest in the layer stay its nearest on each map", () => {
    const { layer } = analysed;
    const k = layer.neighbourCount!;
    assert.equal(k, experiment.projection.neighbors - 1);
    // The layer's neighbours of each image, recomputed from the signatures by brute force (exact at 1,000 images).
    const exact = Array.from({ length: COUNT }, (_, i) => {
      const d = new Float64Array(COUNT);
      for (let j = 0; j < COUNT; j++) {
        let sum = 0;
        for (let t = 0; t < DIM; t++) sum += (signatures[i * DIM + t] - signatures[j * DIM + t]) ** 2;
        d[j] = sum;
      }
      return Array.from({ length: COUNT }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((a, b) => d[a] - d[b] || a - b)
        .slice(0, k);
    });
    for (const [map, kept, share] of [
      [layer.umap, layer.umapKept, layer.umapNeighboursKept],
      [layer.pca, layer.pcaKept, layer.pcaNeighboursKept],
    ] as const) {
      const onMap = bruteNearest(map, k);
      let total = 0;
      for (let i = 0; i < COUNT; i++) {
        const mine = new Set(onMap.subarray(i * k, (i + 1) * k));
        const count = exact[i].filter((j) => mine.has(j)).length;
        // float32 distances in the layer against doubles here: a tie at the k-th may go either way.
        assert.ok(Math.abs(count - kept[i]) <= 1, `image ${i}: ${kept[i]} kept, ${count} by brute force`);
        total += kept[i] / k;
      }
      assert.ok(Math.abs(total / COUNT - share) < 1e-12);
      assert.ok(share > 0 && share < 1, `share ${share}`);
    }
    // The stored neighbours are the layer's exact ones at 1,000 images (up to a float32 tie), with their distances.
    assert.equal(layer.neighbours.length, COUNT * k);
    for (let i = 0; i < COUNT; i++) {
      const mine = Array.from(layer.neighbours.subarray(i * k, (i + 1) * k));
      assert.ok(!mine.includes(i), `image ${i} among its own neighbours`);
      const same = mine.filter((j) => exact[i].includes(j)).length;
      assert.ok(same >= k - 1, `image ${i}: ${same} of ${k} exact`);
      mine.forEach((j, q) => {
        let sum = 0;
        for (let t = 0; t < DIM; t++) sum += (signatures[i * DIM + t] - signatures[j * DIM + t]) ** 2;
        assert.ok(Math.abs(Math.sqrt(sum) - layer.neighbourDistances[i * k + q]) < 1e-3, `image ${i}, neighbour ${j}`);
        if (q > 0) assert.ok(layer.neighbourDistances[i * k + q] >= layer.neighbourDistances[i * k + q - 1], `image ${i}: nearest first`);
      });
    }
    // UMAP keeps neighbourhoods far better than two linear axes do.
    assert.ok(layer.umapNeighboursKept > layer.pcaNeighboursKept, `UMAP ${layer.umapNeighboursKept}, PCA ${layer.pcaNeighboursKept}`);
  });
});

describe("a run's results with the PCA maps, written and read back (1 vs 7, real MNIST)", () => {
  let results: Results;
  let read: Results;
  before(async () => {
    results = await runExperiment({ experiment, experimentFile });
    const file = join(tempDir(), "run.results.json");
    await writeResults(results, file);
    read = (await readResultsFile(file)).results;
  });

  it("gives the figures the README quotes (within a point, 0.015 as shares: the UMAP maps differ between backends in their last bits)", () => {
    readmeQuotes("on the built-in example 59% and 63% on the UMAP maps, 41% and 49%");
    const kept = (map: "umap" | "pca") => results.layers.map((l) => l[`${map}NeighboursKept`]!);
    assert.equal(results.layers.length, 2);
    kept("umap").forEach((v, n) => assertQuoted("59% and 63% on the UMAP maps", [0.59, 0.63][n], v, 0.015, `layer ${n + 1}: UMAP keeps`));
    kept("pca").forEach((v, n) => assertQuoted("41% and 49%", [0.41, 0.49][n], v, 0.015, `layer ${n + 1}: PCA keeps`));
  });

  it("gives every layer a PCA map of every image, its shares sane, the neighbours each map keeps, the layer's neighbours, and the .bin keeps them", () => {
    const count = results.images.count;
    results.layers.forEach((layer, n) => {
      assert.equal(layer.pca?.length, 2 * count, `layer ${n}`);
      const [x, y] = layer.pcaExplained!;
      assert.ok(x >= y && y >= 0 && x + y <= 1 && x > 0, `layer ${n}: explained ${x}, ${y}`);
      assert.deepEqual(Array.from(read.layers[n].pca!), Array.from(layer.pca!));
      assert.deepEqual(read.layers[n].pcaExplained, layer.pcaExplained);
      for (const map of ["umap", "pca"] as const) {
        const share = layer[`${map}NeighboursKept`]!;
        assert.ok(share > 0 && share < 1, `layer ${n}: ${map} keeps ${share}`);
        assert.equal(read.layers[n][`${map}NeighboursKept`], share);
        assert.deepEqual(Array.from(read.layers[n][`${map}Kept`]!), Array.from(layer[`${map}Kept`]!));
        assert.ok(Array.from(layer[`${map}Kept`]!).every((c) => c >= 0 && c <= layer.neighbourCount!));
      }
      assert.equal(layer.neighbours!.length, layer.neighbourCount! * count);
      assert.ok(read.layers[n].neighbours instanceof Int32Array && read.layers[n].neighbourDistances instanceof Float32Array);
      assert.deepEqual(Array.from(read.layers[n].neighbours!), Array.from(layer.neighbours!));
      assert.deepEqual(Array.from(read.layers[n].neighbourDistances!), Array.from(Float32Array.from(layer.neighbourDistances!)));
      const finding = results.findings.layers[n];
      assert.equal(finding.umapNeighboursKept, layer.umapNeighboursKept);
      assert.equal(finding.pcaNeighboursKept, layer.pcaNeighboursKept);
      assert.equal(finding.neighbourCount, experiment.projection.neighbors - 1);
      assert.equal(finding.approximateNeighbours, undefined);
      assert.ok(
        summaryText(results).includes(
          `of each image's 14 nearest in the layer, ${Math.round(100 * layer.umapNeighboursKept!)}% stay among its nearest on the UMAP map, ` +
            `${Math.round(100 * layer.pcaNeighboursKept!)}% on the PCA map`,
        ),
      );
    });
  });
});
