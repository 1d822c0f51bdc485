import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { parseExperiment } from "../src/check/experiment";
import { freeExperimentName, starterExperimentText } from "../src/host/starter";
import { onesVsSevens } from "./helpers";

describe("the starter experiment (MTQ: New Experiment)", () => {
  it("is commented JSON that validates, data included, and asks the report's first question", async () => {
    const text = starterExperimentText("experiment-2");
    assert.match(text, /^\/\/ /m);
    const parsed = parseExperiment(text, "/ws/experiment-2.mtq.json");
    assert.deepEqual(parsed.problems, []);
    const exp = parsed.experiment!;
    assert.deepEqual((await checkExperiment({ file: "/ws/experiment-2.mtq.json", text })).problems, []);
    assert.equal(exp.name, "experiment-2");
    // The report's example as the parser reads it: the defaults it leaves out (k-means starts, stability) filled in on both sides.
    const {
      name: _n,
      description: _d,
      ...expected
    } = parseExperiment(JSON.stringify(onesVsSevens), "/ws/ones-vs-sevens.mtq.json").experiment!;
    const { name: _n2, description: _d2, ...actual } = exp;
    // The report's 1 vs 7, 100 each, injecting 4s and 3s; defaults filled in by the parser.
    assert.deepEqual(
      { ...actual, data: { ...actual.data, holdout: undefined } },
      { ...expected, data: { ...expected.data, holdout: undefined } },
    );
  });

  it("takes the first free name in the folder", () => {
    assert.equal(
      freeExperimentName(() => false),
      "experiment",
    );
    const taken = new Set(["experiment.mtq.json", "experiment-2.mtq.json"]);
    assert.equal(
      freeExperimentName((f) => taken.has(f)),
      "experiment-3",
    );
  });
});
