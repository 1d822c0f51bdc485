// Signatures imported from files against the model that made them: scripts/onnx-fixture.py writes
// the ONNX fixture's signatures for examples/onnx-model.mtq.json's 300 images as .npy (PyTorch's
// own outputs, conv layers averaged per channel) and exports the same CNN to ONNX. Run through
// onnxruntime, or imported from the files with the same seed, the clusters must be the same.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { runExperiment } from "../src/pipeline/run";
import { tempDir, writeJson } from "./helpers";

const example = join(__dirname, "..", "examples", "onnx-model.mtq.json");
const signatures = join(__dirname, "fixtures", "signatures");

async function run(file: string) {
  const checked = await checkExperiment({ file });
  assert.ok(checked.ok, JSON.stringify(checked.problems));
  return runExperiment({ experiment: checked.parsed, experimentFile: file });
}

describe("signatures imported from the ONNX fixture's PyTorch model", () => {
  it("give the same clusters, paths and findings as the ONNX run, same seed", async () => {
    const onnx = await run(example);
    const imported = await run(
      writeJson(tempDir(), "imported.mtq.json", {
        name: "onnx-imported",
        seed: onnx.seed,
        data: {
          source: {
            signatures: {
              layers: ["h1", "h2", "h3"].map((h) => join(signatures, `${h}.npy`)),
              labels: join(signatures, "labels.npy"),
              predictions: join(signatures, "predictions.npy"),
            },
          },
          digits: [1, 7],
          perDigit: 100,
        },
        inject: [{ digit: 4, count: 100 }],
      }),
    );
    assert.deepEqual(imported.images.labels, onnx.images.labels);
    assert.deepEqual(
      imported.layers.map((l) => [l.size, l.k, l.assignments]),
      onnx.layers.map((l) => [l.size, l.k, l.assignments]),
    );
    assert.deepEqual(imported.predictions, onnx.predictions);
    assert.deepEqual(imported.findings.separationLayer, onnx.findings.separationLayer);
    assert.deepEqual(imported.findings.injected, onnx.findings.injected);
    assert.equal(imported.findings.accuracy.train, onnx.findings.accuracy.train);
  });
});
