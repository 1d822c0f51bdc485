// Small real-MNIST runs that differ only by their seed: what the comparison tests compare.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runExperiment } from "../src/pipeline/run";
import { writeResults } from "../src/results/write";
import { parseExperiment } from "../src/check/experiment";
import type { Results } from "../src/shared/results";
import { writeJson } from "./helpers";

/** 1 vs 7, 60 of each, 3 epochs, 30 unseen 4s, with `seed`; the results written to DIR/seed-SEED.results.json. */
export async function seedResults(dir: string, seed: number): Promise<{ file: string; results: Results }> {
  const experimentFile = writeJson(dir, `seed-${seed}.mtq.json`, {
    name: `seed-${seed}`,
    seed,
    data: { source: "mnist", digits: [1, 7], perDigit: 60, holdout: { from: "test-split", perDigit: 100 } },
    training: { epochs: 3 },
    inject: [{ digit: 4, count: 30 }],
  });
  const parsed = parseExperiment(readFileSync(experimentFile, "utf8"), experimentFile);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  const results = await runExperiment({ experiment: parsed.experiment, experimentFile });
  const file = join(dir, `seed-${seed}.results.json`);
  await writeResults(results, file);
  return { file, results };
}
