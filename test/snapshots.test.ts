// Training snapshots: the `snapshots` field's checks, the Procrustes alignment of maps, and a real
// MNIST run whose layer-1 purity rises over the recorded epochs.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { procrustesAligned } from "../src/pipeline/align";
import { separates } from "../src/pipeline/findings";
import { runExperiment } from "../src/pipeline/run";
import { summaryText } from "../src/pipeline/summary";
import { parseExperiment } from "../src/check/experiment";
import type { Results } from "../src/shared/results";

const experimentFile = join(__dirname, "..", "examples", "snapshots.mtq.json");

const parsed = (value: object) =>
  parseExperiment(JSON.stringify({ name: "snap", data: { digits: [1, 7], perDigit: 100 }, ...value }), experimentFile);

describe("the snapshots field", () => {
  it("accepts epochs within 1..training.epochs", () => {
    assert.deepEqual(parsed({ training: { epochs: 10 }, snapshots: [1, 2, 5, 10] }).problems, []);
  });

  it("names the field of an epoch past the last, one listed twice, or a saved model", () => {
    const beyond = parsed({ training: { epochs: 10 }, snapshots: [1, 12] }).problems;
    assert.deepEqual(
      beyond.map((p) => p.path),
      [["snapshots", 1]],
    );
    assert.match(beyond[0].message, /epoch 12 is beyond the last one \(training.epochs is 10\)/);
    assert.deepEqual(
      parsed({ training: { epochs: 10 }, snapshots: [2, 2] }).problems.map((p) => p.path),
      [["snapshots", 1]],
    );
    assert.deepEqual(
      parsed({ training: { epochs: 10 }, snapshots: [0] }).problems.map((p) => p.path),
      [["snapshots", 0]],
    );
    const saved = parsed({ model: { kind: "saved", path: "model.json" }, snapshots: [1] }).problems;
    assert.deepEqual(
      saved.map((p) => p.path),
      [["snapshots"]],
    );
  });
});

describe("Procrustes alignment", () => {
  it("undoes a reflection, rotation, scale and shift", () => {
    const target = [0, 0, 1, 0, 0, 2, 3, 1, -1, 4];
    const moved = [];
    for (let i = 0; i < target.length; i += 2) {
      const [x, y] = [target[i], -target[i + 1]];
      moved.push(2.5 * (Math.cos(0.5) * x - Math.sin(0.5) * y) + 7, 2.5 * (Math.sin(0.5) * x + Math.cos(0.5) * y) - 3);
    }
    procrustesAligned(moved, target).forEach((v, i) => assert.ok(Math.abs(v - target[i]) < 1e-9, `${v} vs ${target[i]}`));
  });
});

/** Mean share of each kept digit in its dominant cluster of layer 1. */
const layer1Purity = (findings: Results["findings"]) => {
  const purity = Object.values(findings.layers[0].purity);
  return purity.reduce((s, p) => s + p, 0) / purity.length;
};

describe("snapshots of a 1-vs-7 model while it trains (real MNIST)", () => {
  let results: Results;
  const progress: { stage: string; fraction: number }[] = [];
  before(async () => {
    // A low learning rate, so the first epochs are still far from separating 1s and 7s.
    const exp = parsed({
      training: { epochs: 8, learningRate: 0.0003 },
      data: { digits: [1, 7], perDigit: 100, holdout: { perDigit: 100 } },
      snapshots: [1, 2, 4, 6, 8],
    });
    assert.ok(exp.experiment, JSON.stringify(exp.problems));
    results = await runExperiment({
      experiment: exp.experiment,
      experimentFile,
      onProgress: (stage, fraction) => progress.push({ stage, fraction }),
    });
  });

  it("gives the snapshots' analysis its share of the progress bar, which still only moves forward to full", () => {
    const fractions = progress.map((p) => p.fraction);
    assert.ok(
      fractions.every((f, i) => i === 0 || f >= fractions[i - 1]),
      "never goes back",
    );
    assert.equal(fractions.at(-1), 1);
    // 4 snapshots, each about as heavy as the final model's clustering and UMAP.
    const snapshotStart = progress.find((p) => p.stage === "snapshots")!.fraction;
    assert.ok(snapshotStart < 0.6, `the snapshots start at ${snapshotStart} of the bar`);
  });

  it("records the listed epochs before the last, each analysed like the final model", () => {
    assert.deepEqual(
      results.snapshots?.map((s) => s.epoch),
      [1, 2, 4, 6],
    );
    assert.ok(results.timings.snapshots! > 0, "their analysis is timed on its own");
    for (const s of results.snapshots!) {
      assert.equal(s.predictions.length, results.images.count);
      assert.equal(s.layers.length, results.layers.length);
      for (const layer of s.layers) assert.equal(layer.umap.length, 2 * results.images.count);
      assert.equal(
        s.flows.links.reduce((n, l) => n + (l.source.startsWith("digit:") ? l.count : 0), 0),
        results.images.count,
      );
    }
  });

  it("shows layer-1 purity rising from the first epoch to the final model", () => {
    const purity = [...results.snapshots!.map((s) => s.findings), results.findings].map(layer1Purity);
    console.log(`layer-1 mean purity at epochs 1, 2, 4, 6, 8: ${purity.map((p) => p.toFixed(2)).join(", ")}`);
    assert.ok(purity[0] <= purity[purity.length - 1], purity.join(", "));
    assert.ok(purity[purity.length - 1] >= 0.9, "the final model separates 1s from 7s in layer 1");
  });

  it("says from which epoch each layer separates the digits, and for good", () => {
    const stages = [...results.snapshots!, { epoch: 8, findings: results.findings }];
    results.findings.separationEpoch!.forEach((from, l) => {
      const separated = stages.map((s) => separates(s.findings.layers[l], results.classes));
      assert.notEqual(from, null, `layer ${l + 1} separates by the end`);
      const at = stages.findIndex((s) => s.epoch === from);
      assert.ok(separated.slice(at).every(Boolean) && (at === 0 || !separated[at - 1]), `layer ${l + 1}: from epoch ${from}, ${separated}`);
    });
    assert.match(
      summaryText(results),
      /while training \(epochs 1, 2, 4, 6, 8 recorded\), each layer separates them for good: layer 1 from epoch \d/,
    );
  });

  it("aligns each epoch's map to the next: aligning it again moves nothing", () => {
    const maps = [...results.snapshots!.map((s) => s.layers[0].umap), results.layers[0].umap];
    for (let i = 0; i + 1 < maps.length; i++) {
      const again = procrustesAligned(maps[i], maps[i + 1]);
      const moved = Math.max(...again.map((v, j) => Math.abs(v - maps[i][j])));
      assert.ok(moved < 1e-3, `epoch map ${i}: re-aligning moved a point by ${moved}`);
    }
  });
});
