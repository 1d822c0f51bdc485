// The outlier list: each signal as the README defines it, the ranking, and on real MNIST the
// report's 7s in the 1s' cluster found and the list short at a size a test can afford.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseExperiment } from "../src/check/experiment";
import { outlierReasons, outliers, outlierScore, outlierSignals, rarePathImages } from "../src/pipeline/outliers";
import { runExperiment } from "../src/pipeline/run";
import { OUTLIER_SCORE, OUTLIER_THRESHOLDS } from "../src/shared/figures";
import type { Results } from "../src/shared/results";
import { onesVsSevens } from "./helpers";

const t = OUTLIER_THRESHOLDS;

describe("the outlier score", () => {
  const typical = { pathCount: 900, pathShare: 0.9, classCount: 1000, distanceRatio: 1, confidence: 1, misclassified: false };

  it("gives a typical image almost nothing, and a whole point per signal at its threshold", () => {
    assert.ok(outlierScore(typical) < 0.01, String(outlierScore(typical)));
    assert.deepEqual(outlierReasons(typical), []);
    const atEvery = {
      pathCount: t.rarePath,
      pathShare: 0.005,
      classCount: 1000,
      distanceRatio: t.farFromCluster,
      confidence: t.unsure - 1e-9,
      misclassified: true,
    };
    assert.ok(Math.abs(outlierScore(atEvery) - 3) < 1e-6);
    assert.deepEqual(outlierReasons(atEvery), ["rare-path", "far-from-cluster", "unsure", "misclassified"]);
  });

  it("gives part of a point on the way to a threshold", () => {
    const halfRare = outlierScore({ ...typical, pathCount: 2 * t.rarePath }) - outlierScore(typical);
    assert.ok(Math.abs(halfRare - (0.5 - t.rarePath / 900)) < 1e-9, String(halfRare));
    const halfFar = outlierScore({ ...typical, distanceRatio: (1 + t.farFromCluster) / 2 }) - outlierScore(typical);
    assert.ok(Math.abs(halfFar - 0.5) < 1e-9, String(halfFar));
    assert.equal(outlierScore({ ...typical, distanceRatio: 0.5 }), outlierScore(typical), "nearer than the median: nothing");
    const halfUnsure = outlierScore({ ...typical, confidence: (1 + t.unsure) / 2 }) - outlierScore(typical);
    assert.ok(Math.abs(halfUnsure - 0.5) < 1e-9, String(halfUnsure));
  });

  it("counts doubt and error as one point: a misclassified image gets no more for being unsure too", () => {
    const wrong = { ...typical, misclassified: true, confidence: 0.99 };
    const wrongAndUnsure = { ...wrong, confidence: 0.3 };
    assert.equal(outlierScore(wrong), outlierScore(wrongAndUnsure));
    assert.ok(outlierScore(wrong) < 2, "misclassified alone does not list an image");
  });

  it("leaves the model's doubt out without a confidence (imported predictions)", () => {
    const { confidence: _, ...imported } = typical;
    assert.equal(outlierScore(imported), t.rarePath / 900);
    assert.deepEqual(outlierReasons(imported), []);
  });
});

describe("the signals of a hand-made run", () => {
  // 300 kept 0s and 300 kept 1s, then one injected 5; two layers. Most 0s take clusters 0 > 0 and
  // every 1 takes 1 > 1; three 0s take 0 > 1, and one 0 (#299) takes the 1s' path and is predicted 1.
  const n = 601;
  const labels = Array.from({ length: n }, (_, i) => (i < 300 ? 0 : i < 600 ? 1 : 5));
  const injected = labels.map((_, i) => i === 600);
  const layer1 = labels.map((d, i) => (i === 299 || d === 1 ? 1 : 0));
  const layer2 = layer1.map((c, i) => (i >= 296 && i <= 298 ? 1 : c));
  const predictions = labels.map((d, i) => (i === 299 ? 1 : d === 5 ? 0 : d));
  const confidence = labels.map((_, i) => (i === 299 ? 0.8 : i === 10 ? 0.6 : 1));
  // Everyone at 1 from its centroid but #5 (4 times the median) and #296 (3 times); the injected image's 9 counts in no median.
  const lastLayerDistances = labels.map((_, i) => (i === 5 ? 4 : i === 296 ? 3 : i === 600 ? 9 : 1));
  const input = {
    labels,
    injected,
    predictions,
    confidence,
    assignments: [layer1, layer2],
    lastLayerDistances,
    dominantCluster: [
      { "0": 0, "1": 1 },
      { "0": 0, "1": 1 },
    ],
  };

  it("counts each kept image's path among its class, and measures its distance against its cluster's median", () => {
    const signals = outlierSignals(input);
    assert.equal(signals[600], undefined, "an injected image has no signals");
    assert.deepEqual([signals[0]!.pathCount, signals[0]!.classCount], [296, 300]);
    assert.deepEqual([signals[297]!.pathCount, signals[297]!.pathShare], [3, 0.01]);
    assert.deepEqual([signals[299]!.pathCount, signals[299]!.misclassified], [1, true], "the one 0 on the 1s' path");
    assert.equal(signals[5]!.distanceRatio, 4);
    assert.equal(signals[296]!.distanceRatio, 3);
  });

  it("lists the images scoring OUTLIER_SCORE or more, highest first, with their reasons and off-path layers", () => {
    const list = outliers(input);
    // #296: a 3-image path and 3 times the median distance; #299: a path of its own and misclassified.
    // #5 is far but on the common path, #297 rare but near and sure, #10 only unsure-ish: none reaches 2.
    assert.deepEqual(
      list.map((o) => [o.image, o.score, o.reasons]),
      [
        [296, 2, ["rare-path", "far-from-cluster"]],
        [299, 2, ["rare-path", "misclassified"]],
      ],
    );
    assert.deepEqual(list[1].offPathLayers, [1, 2]);
    assert.deepEqual(list[0].offPathLayers, [2]);
    assert.equal(list[1].confidence, 0.8);
    assert.equal(list[0].pathCount, 3);
  });

  it("makes a path rare by at most 5 images, or 2% of a smaller class", () => {
    assert.equal(rarePathImages(7000), t.rarePath);
    assert.equal(rarePathImages(100), 2);
  });
});

/** An experiment with `perDigit` images of each of the ten digits, first in the file, no injected ones. */
function allDigits(perDigit: number) {
  const parsed = parseExperiment(
    JSON.stringify({
      name: `all-digits-${perDigit}`,
      seed: 24,
      data: { source: "mnist", digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit, pick: "first" },
      model: { kind: "dense", hidden: [32, 64], activation: "relu" },
      training: { epochs: 5, batchSize: 32, learningRate: 0.001 },
      clustering: { kMin: 2, kMax: 10 },
      projection: { neighbors: 15, minDist: 0.1 },
    }),
    "all-digits.mtq.json",
  );
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

describe("the outlier list on real MNIST", () => {
  let sevens: Results;
  let twoThousand: Results;
  before(async () => {
    const parsed = parseExperiment(JSON.stringify(onesVsSevens), "ones-vs-sevens.mtq.json");
    assert.ok(parsed.experiment);
    sevens = await runExperiment({ experiment: parsed.experiment, experimentFile: "ones-vs-sevens.mtq.json" });
    twoThousand = await runExperiment({ experiment: allDigits(200), experimentFile: "all-digits.mtq.json" });
  });

  it("finds the report's 7s in the 1s' cluster (the example's four), and little else", () => {
    const ones = sevens.findings.layers[0].dominantCluster["1"];
    const sevensWithOnes = Array.from(sevens.layers[0].assignments).flatMap((c, i) =>
      !sevens.images.injected[i] && sevens.images.labels[i] === 7 && c === ones ? [i] : [],
    );
    assert.equal(sevensWithOnes.length, 4, "the README's example: four 7s in the 1s' cluster");
    const listed = sevens.findings.outliers.map((o) => o.image);
    for (const i of sevensWithOnes) assert.ok(listed.includes(i), `7 #${i} is not on the list ${JSON.stringify(listed)}`);
    // The four ranked first: nothing else in 200 images is as strange.
    assert.deepEqual([...listed.slice(0, 4)].sort(), [...sevensWithOnes].sort());
  });

  it("lists at most 5% of 2,000 images of all ten digits", () => {
    const kept = twoThousand.images.count;
    const list = twoThousand.findings.outliers;
    assert.equal(kept, 2000);
    assert.ok(list.length > 0 && list.length <= 0.05 * kept, `${list.length} outliers of ${kept}`);
    for (const o of list) assert.ok(o.score >= OUTLIER_SCORE, JSON.stringify(o));
  });
});
