// A layer's maps and what the results keep of them (src/pipeline/layer.ts): the PCA map beside
// UMAP, on real MNIST digits analysed as a layer, and through a real run written and read back.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parseExperiment } from "../src/check/experiment";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { analyseLayer, layerResult, type AnalysedLayer } from "../src/pipeline/layer";
import { pcaMap } from "../src/pipeline/pca";
import { runExperiment } from "../src/pipeline/run";
import { loadTf } from "../src/pipeline/tf";
import { readResultsFile } from "../src/results/read";
import { writeResults } from "../src/results/write";
import type { Results } from "../src/shared/results";
import { onesVsSevens, tempDir } from "./helpers";

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

  it("gives every layer a PCA map of every image, its shares sane, and the .bin keeps them", () => {
    const count = results.images.count;
    results.layers.forEach((layer, n) => {
      assert.equal(layer.pca?.length, 2 * count, `layer ${n}`);
      const [x, y] = layer.pcaExplained!;
      assert.ok(x >= y && y >= 0 && x + y <= 1 && x > 0, `layer ${n}: explained ${x}, ${y}`);
      assert.deepEqual(Array.from(read.layers[n].pca!), Array.from(layer.pca!));
      assert.deepEqual(read.layers[n].pcaExplained, layer.pcaExplained);
    });
  });
});
