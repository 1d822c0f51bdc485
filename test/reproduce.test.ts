// The report's findings on its 1-vs-7 model with unseen 4s, checked on one seed of the very
// experiment `npm run reproduce` runs (examples/), so REPRODUCTION.md's headline cannot rot unseen.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { runExperiment } from "../src/pipeline/run";
import { readExperimentFile } from "../src/check/experiment";
import type { Results } from "../src/shared/results";

const experimentFile = join(__dirname, "..", "examples", "ones-vs-sevens-injected-4s.mtq.json");

describe("the report's findings on 1 vs 7 with injected 4s (examples/, seed 24)", () => {
  let results: Results;
  before(async () => {
    const parsed = readExperimentFile(experimentFile);
    assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
    results = await runExperiment({ experiment: parsed.experiment, experimentFile });
  });

  it("holds most 1s and most 7s in one cluster each from layer 1 (report: 97% on average)", () => {
    const [layer1] = results.findings.layers;
    assert.ok(layer1.purity[1] >= 0.9 && layer1.purity[7] >= 0.9, JSON.stringify(layer1.purity));
    assert.equal(results.findings.separationLayer, 1);
  });

  it("sends the 4s down the 7s' path rather than the 1s' (report: most follow the 7s)", () => {
    const fours = results.findings.injected[4];
    assert.ok(fours.followsPathOf[7] > fours.followsPathOf[1], JSON.stringify(fours.followsPathOf));
  });

  it("leaves only a few 7s off their path (report: four in the 1s' cluster)", () => {
    const offPathSevens = results.findings.outliers.filter((o) => o.digit === 7 && o.reasons.includes("off-path"));
    assert.ok(offPathSevens.length >= 1 && offPathSevens.length <= 12, `${offPathSevens.length} off-path 7s`);
  });
});
