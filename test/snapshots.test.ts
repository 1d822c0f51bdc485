// Training snapshots: the `snapshots` field's checks, the Procrustes alignment of maps, and the
// README's example (examples/ones-vs-sevens-over-time.mtq.json) on real MNIST: its table of epochs
// (each cell within a stated tolerance), the epoch each layer separates from, and the same at the
// default learning rate.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { procrustesAligned } from "../src/pipeline/align";
import { separates } from "../src/pipeline/findings";
import { runExperiment } from "../src/pipeline/run";
import { summaryText } from "../src/pipeline/summary";
import { parseExperiment, readExperimentFile } from "../src/check/experiment";
import type { Results } from "../src/shared/results";
import { assertQuoted, readmeQuotes } from "./readmeFigures";

const experimentFile = join(__dirname, "..", "examples", "snapshots.mtq.json");
const overTimeFile = join(__dirname, "..", "examples", "ones-vs-sevens-over-time.mtq.json");
/** How far a measured share (accuracy, purity, 4s on the 7s' path) may be from the README table's percentage. */
const SHARE_TOLERANCE = 0.05;

/** One row of the README's table under "Training over time": the epoch, then each figure as a share. */
interface EpochRow {
  text: string;
  epoch: number;
  train: number;
  layers: { k: number; ones: number; sevens: number }[];
  foursOnSevensPath: number;
}

/** The README's table of the over-time example, row by row. */
function readmeEpochTable(): EpochRow[] {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const row = /^\| (\d+)(?: \(final\))? \| (\d+)% \| (\d+), (\d+)% \/ (\d+)% \| (\d+), (\d+)% \/ (\d+)% \| (\d+)% \|$/gm;
  return [...readme.matchAll(row)].map((m) => {
    const n = m.slice(1).map(Number);
    return {
      text: m[0],
      epoch: n[0],
      train: n[1] / 100,
      layers: [
        { k: n[2], ones: n[3] / 100, sevens: n[4] / 100 },
        { k: n[5], ones: n[6] / 100, sevens: n[7] / 100 },
      ],
      foursOnSevensPath: n[8] / 100,
    };
  });
}

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

describe("snapshots of a 1-vs-7 model while it trains (the README's example, real MNIST)", () => {
  let results: Results;
  const progress: { stage: string; fraction: number }[] = [];
  before(async () => {
    // A low learning rate, so the first epochs are still far from separating 1s and 7s.
    const exp = readExperimentFile(overTimeFile);
    assert.ok(exp.experiment, JSON.stringify(exp.problems));
    results = await runExperiment({
      experiment: exp.experiment,
      experimentFile: overTimeFile,
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
    assert.ok(purity[0] + 0.3 <= purity[purity.length - 1], `layer-1 mean purity at epochs 1, 2, 4, 6, 8: ${purity.join(", ")}`);
    assert.ok(purity[purity.length - 1] >= 0.9, "the final model separates 1s from 7s in layer 1");
  });

  it("gives the README's table of epochs: accuracy, purities and the 4s on the 7s' path within 5 points, k exactly", () => {
    const table = readmeEpochTable();
    const stages = [...results.snapshots!, { ...results, epoch: results.experiment.training.epochs }];
    assert.deepEqual(
      table.map((r) => r.epoch),
      stages.map((s) => s.epoch),
      "the README's table lists every recorded epoch",
    );
    table.forEach((row, i) => {
      const { findings, layers } = stages[i];
      assertQuoted(row.text, row.train, findings.accuracy.train, SHARE_TOLERANCE, `epoch ${row.epoch}: train accuracy`);
      row.layers.forEach((quoted, l) => {
        assert.equal(layers[l].k, quoted.k, `epoch ${row.epoch}, layer ${l + 1}: k`);
        assertQuoted(
          row.text,
          quoted.ones,
          findings.layers[l].purity[1],
          SHARE_TOLERANCE,
          `epoch ${row.epoch}, layer ${l + 1}: purity of 1s`,
        );
        assertQuoted(
          row.text,
          quoted.sevens,
          findings.layers[l].purity[7],
          SHARE_TOLERANCE,
          `epoch ${row.epoch}, layer ${l + 1}: purity of 7s`,
        );
      });
      assertQuoted(
        row.text,
        row.foursOnSevensPath,
        findings.injected[4].followsPathOf[7],
        SHARE_TOLERANCE,
        `epoch ${row.epoch}: 4s on the 7s' path`,
      );
    });
    // The screenshot's caption, at epoch 2.
    readmeQuotes("at epoch 2 of 8: layer 1 already holds 96% of the 7s in one cluster but mixes the 1s; the 4s are still predicted 1");
    const epoch2 = stages.find((st) => st.epoch === 2)!.findings;
    assertQuoted("layer 1 already holds 96% of the 7s", 0.96, epoch2.layers[0].purity[7], SHARE_TOLERANCE, "7s in one cluster at epoch 2");
    assert.ok(epoch2.layers[0].purity[1] < 0.9, `layer 1 mixes the 1s at epoch 2: ${epoch2.layers[0].purity[1]}`);
    assert.ok(
      (epoch2.injected[4].predicted[1] ?? 0) > 0.5,
      `the 4s predicted 1 at epoch 2: ${JSON.stringify(epoch2.injected[4].predicted)}`,
    );
    readmeQuotes("Both layers separate 1s from 7s from epoch 6.");
    readmeQuotes("layer 1 from epoch 6, layer 2 from epoch 6");
    assert.deepEqual(results.findings.separationEpoch, [6, 6]);
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

describe("snapshots at the default learning rate (the README's example, real MNIST)", () => {
  it("separates 1s from 7s in layer 1 from epoch 1 and in layer 2 only from epoch 4", async () => {
    const exp = readExperimentFile(overTimeFile).experiment;
    assert.ok(exp);
    const results = await runExperiment({
      experiment: { ...exp, training: { ...exp.training, epochs: 6, learningRate: 0.001 }, snapshots: [1, 2, 4] },
      experimentFile: overTimeFile,
    });
    readmeQuotes(
      "At the default learning rate (0.001, 6 epochs, snapshots at 1, 2 and 4), layer 1 separates them from epoch 1 and layer 2 only from epoch 4",
    );
    assert.deepEqual(results.findings.separationEpoch, [1, 4]);
  });
});
