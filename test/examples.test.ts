import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { modelFor } from "../src/pipeline/model";
import { loadOnnxModel } from "../src/pipeline/onnx";
import { loadTf } from "../src/pipeline/tf";
import { readExperimentFile } from "../src/check/experiment";
import { formatProblem } from "../src/shared/problems";

const examples = join(__dirname, "..", "examples");

describe("every example in examples/", () => {
  for (const name of readdirSync(examples).filter((f) => f.endsWith(".mtq.json"))) {
    it(`${name} is valid, its data fits, and its model loads`, async () => {
      const file = join(examples, name);
      const { experiment, problems } = readExperimentFile(file);
      assert.ok(experiment, problems.map(formatProblem).join("\n"));
      assert.deepEqual((await checkExperiment({ file })).problems.map(formatProblem), []);
      if (experiment.model.kind === "onnx") {
        await (await loadOnnxModel(experiment.model, file, { rows: 28, cols: 28, channels: 1 }, 255)).dispose();
        return;
      }
      const { tf } = await loadTf();
      const trained = await modelFor(tf, experiment, file, { rows: 28, cols: 28 }, experiment.data.digits.length);
      trained.model.dispose();
    });
  }
});
