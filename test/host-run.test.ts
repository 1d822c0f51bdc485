import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { CANCEL_GRACE_MS, startWorkerRun, type Progress } from "../src/host/workerRun";
import { STAGES } from "../src/shared/results";
import { allPixels, onesVsSevens, tempDir, writeJson } from "./helpers";

// The real pipeline worker, as the extension spawns it (`npm test` builds it first).
const worker = join(__dirname, "..", "dist", "worker.js");

describe("a run in the pipeline worker", () => {
  it("reports every stage in order with a rising fraction, then writes the results where asked", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "ovs.mtq.json", onesVsSevens);
    const outFile = join(dir, "ovs.results.json");
    const seen: Progress[] = [];
    // The extension host's thread stays free while the worker trains: its event loop never stalls.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const outcome = await startWorkerRun(worker, file, { outFile, backend: "auto", seed: 7 }, (p) => seen.push(p)).outcome;
    delay.disable();
    assert.equal(outcome.type, "done", JSON.stringify(outcome));
    assert.ok(delay.max / 1e6 < 1000, `the calling thread stalled for ${(delay.max / 1e6).toFixed(0)} ms`);
    assert.ok(outcome.type === "done" && outcome.resultsFile === outFile);
    const stages = [...new Set(seen.map((p) => p.stage))];
    assert.deepEqual(
      stages,
      STAGES.filter((s) => stages.includes(s)),
    );
    assert.ok(stages.includes("train") && stages.includes("cluster"), stages.join());
    seen.slice(1).forEach((p, i) => assert.ok(p.fraction >= seen[i].fraction, `${p.fraction} after ${seen[i].fraction}`));
    const loaded = await readResultsFile(outFile);
    const { results } = loaded;
    const pixels = await allPixels(loaded);
    assert.equal(results.seed, 7, "RunOptions.seed (the mtq.defaultSeed setting) overrides the experiment's");
    assert.equal(results.images.count, 400);
    assert.equal(pixels.length, 400 * 28 * 28);
  });

  it("stops on cancel during training, answering before the grace period, and writes nothing", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "long.mtq.json", {
      ...onesVsSevens,
      name: "long",
      training: { epochs: 200, batchSize: 32, learningRate: 0.001 },
    });
    let cancelledAt = 0;
    const run = startWorkerRun(worker, file, {}, (p) => {
      if (p.stage === "train" && !cancelledAt) {
        cancelledAt = Date.now();
        void run.cancel();
      }
    });
    const outcome = await run.outcome;
    assert.equal(outcome.type, "cancelled");
    assert.ok(Date.now() - cancelledAt < CANCEL_GRACE_MS, `the worker answered in ${Date.now() - cancelledAt} ms`);
    assert.deepEqual(readdirSync(dir), ["long.mtq.json"], "no results file, not even a temp file");
  });

  it("terminates a worker that does not answer cancel within the grace period", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "ovs.mtq.json", onesVsSevens);
    const run = startWorkerRun(worker, file, {}, () => undefined, 1);
    const outcome = await run.cancel();
    assert.equal(outcome.type, "cancelled");
    assert.ok(!existsSync(join(dir, "ones-vs-sevens.results.json")));
  });

  it("returns the problems of an invalid experiment, and a failure when the worker cannot start", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "bad.mtq.json", { ...onesVsSevens, training: { epocs: 3 } });
    const invalid = await startWorkerRun(worker, file, {}, () => undefined).outcome;
    assert.equal(invalid.type, "invalid");
    assert.ok(invalid.type === "invalid" && invalid.problems.some((p) => p.path.join(".") === "training.epocs"));
    const failed = await startWorkerRun(join(dir, "no-worker.js"), file, {}, () => undefined).outcome;
    assert.equal(failed.type, "failed");
  });

  it("refuses a results folder that does not exist before it trains anything", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "ovs.mtq.json", onesVsSevens);
    const seen: Progress[] = [];
    const outcome = await startWorkerRun(worker, file, { outFile: join(dir, "missing", "ovs.results.json") }, (p) => seen.push(p)).outcome;
    assert.equal(outcome.type, "failed");
    assert.match(outcome.type === "failed" ? outcome.message : "", /nothing was run: the folder .*missing does not exist; create it/);
    assert.equal(outcome.type === "failed" && outcome.stack, undefined);
    assert.deepEqual(seen, []);
  });
});
