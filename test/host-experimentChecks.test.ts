import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeMnistCsv } from "../scripts/mnist-csv";
import { checkExperiment } from "../src/check/index";
import { ExperimentChecks, type CheckOutcome } from "../src/host/experimentChecks";
import { tempDir, writeJson } from "./helpers";

// The real check worker, as the extension starts it (`npm test` builds it first).
const worker = join(__dirname, "..", "dist", "checkWorker.js");

/** 14,000 MNIST digits: a 25 MB CSV, whose check takes long enough for a newer request to overtake it. */
const ROWS = 14_000;

const experiment = (perDigit: number) => ({
  name: "big-csv",
  data: { source: { csv: "digits.csv" }, digits: [1, 7], perDigit },
  training: { epochs: 1 },
});

function problemsOf(outcome: CheckOutcome) {
  assert.equal(outcome.type, "checked", JSON.stringify(outcome));
  return outcome.type === "checked" ? outcome.checked.problems : [];
}

describe("checks in the check worker", () => {
  const dir = tempDir();
  const errors: string[] = [];
  let file: string;
  let checks: ExperimentChecks;

  before(() => {
    const size = writeMnistCsv(join(dir, "digits.csv"), ROWS);
    assert.ok(size > 20e6, `the CSV is ${size} bytes`);
    // The CSV holds about 1,500 ones and 1,500 sevens: 5,000 of each is more than it has.
    file = writeJson(dir, "big.mtq.json", experiment(5000));
    checks = new ExperimentChecks(worker, { error: (m) => errors.push(m) });
  });
  after(() => checks.dispose());

  // How long the host may pause is a timing goal: npm run bench:checks measures it (README).
  it("reads the whole large CSV in the worker and answers what checkExperiment answers", async () => {
    const text = JSON.stringify(experiment(5000));
    const problems = problemsOf(await checks.check({ file, text }));
    assert.ok(problems.length > 0 && problems.every((p) => p.path.join(".") === "data.perDigit"), JSON.stringify(problems));
    assert.deepEqual(problems, (await checkExperiment({ file, text })).problems);
    assert.deepEqual(errors, []);
  });

  it("drops the answer for a text superseded by a newer one of the same file, stopping its check", async () => {
    const stale = checks.check({ file, text: JSON.stringify(experiment(5000)) });
    const fits = JSON.stringify(experiment(100));
    const current = checks.check({ file, text: fits });
    // The same request again shares the answer rather than checking twice.
    assert.equal(checks.check({ file, text: fits }), current);
    assert.deepEqual(await stale, { type: "superseded" });
    const outcome = await current;
    assert.deepEqual(problemsOf(outcome), []);
    assert.ok(outcome.type === "checked" && outcome.checked.ok && outcome.checked.experiment.data.perDigit === 100);
    assert.deepEqual(errors, []);
  });

  it("keeps the answers of other files, and leaves the data alone when told to (untrusted workspace)", async () => {
    const other = writeJson(dir, "other.mtq.json", experiment(5000));
    const [a, b] = await Promise.all([
      checks.check({ file, text: JSON.stringify(experiment(100)), data: false }),
      checks.check({ file: other, text: JSON.stringify({ ...experiment(100), training: { epoch: 1 } }), data: false }),
    ]);
    assert.deepEqual(problemsOf(a), []);
    assert.deepEqual(
      problemsOf(b).map((p) => p.path),
      [["training", "epoch"]],
    );
  });
});

describe("a check worker that dies", () => {
  it("is restarted for the next check, and the log says so; the check it was on fails without throwing", async () => {
    const dir = tempDir();
    const crashed = join(dir, "crashed");
    // The first worker dies on its first request; the next one is the real check worker.
    const flaky = join(dir, "flaky-worker.js");
    writeFileSync(
      flaky,
      `const fs = require("node:fs");
if (fs.existsSync(${JSON.stringify(crashed)})) require(${JSON.stringify(worker)});
else require("node:worker_threads").parentPort.on("message", () => { fs.writeFileSync(${JSON.stringify(crashed)}, ""); process.exit(3); });`,
    );
    const errors: string[] = [];
    const checks = new ExperimentChecks(flaky, { error: (m) => errors.push(m) });
    try {
      const file = join(dir, "t.mtq.json");
      const text = JSON.stringify({ name: "t", data: { source: "mnist", digits: [1, 7], perDigit: 10 } });
      const first = await checks.check({ file, text });
      assert.equal(first.type, "failed");
      assert.ok(existsSync(crashed));
      assert.equal(errors.length, 1);
      assert.match(
        errors[0],
        /the check worker stopped \(exit code 3\) while checking .*t\.mtq\.json; a new one starts for the next check/,
      );
      const second = await checks.check({ file, text: text.replace("10", "20") });
      assert.deepEqual(problemsOf(second), []);
      assert.equal(errors.length, 1);
    } finally {
      checks.dispose();
    }
  });
});
