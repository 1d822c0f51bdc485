import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment } from "../src/check/experiment";
import type { Results } from "../src/shared/results";
import type { FromWorker } from "../src/shared/workerProtocol";
import { onesVsSevens, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "dist", "cli.js");
const experimentFile = join(root, "examples", "ones-vs-sevens.mtq.json");

function experimentOf(value: unknown) {
  const parsed = parseExperiment(JSON.stringify(value), experimentFile);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

/** The report's 1-vs-7 model with unseen 4s (and 3s), on the first 100 training images of each digit. */
const sevens = experimentOf(onesVsSevens);

/** Results without what may differ between two identical runs. */
const comparable = (r: Results) => JSON.stringify({ ...r, timings: undefined, backend: undefined });

describe("the pipeline on 1 vs 7 with injected 4s and 3s (real MNIST)", () => {
  let results: Results;
  before(async () => {
    results = await runExperiment({ experiment: sevens, experimentFile });
  });

  it("trains an accurate model and records every image's signature", () => {
    assert.ok(results.findings.accuracy.train >= 0.97, `train accuracy ${results.findings.accuracy.train}`);
    assert.ok(results.findings.accuracy.test! >= 0.95, `held-out accuracy ${results.findings.accuracy.test}`);
    assert.equal(results.testCount, 2000);
    assert.equal(results.images.count, 400);
    assert.equal(Array.from(results.images.injected).filter(Boolean).length, 200);
    assert.deepEqual(
      results.layers.map((l) => l.size),
      [32, 64],
    );
    for (const layer of results.layers) {
      assert.equal(layer.assignments.length, 400);
      assert.equal(layer.umap.length, 800);
      assert.equal(Array.from(layer.silhouettes).filter((s) => s === null).length, 200, "injected images have no silhouette");
      assert.deepEqual(layer.kValues, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(layer.silhouette, Math.max(...layer.silhouetteCurve));
      assert.equal(layer.k, layer.kValues[layer.silhouetteCurve.indexOf(layer.silhouette)]);
      assert.equal(
        layer.clusters.reduce((n, c) => n + c.size, 0),
        200,
        "clusters hold the kept images",
      );
      assert.equal(
        layer.clusters.reduce((n, c) => n + c.injectedCount, 0),
        200,
        "and count the injected ones apart",
      );
      for (const c of layer.clusters) {
        const members = Array.from(layer.assignments).filter((a) => a === c.id).length;
        assert.equal(c.size + c.injectedCount, members, `cluster ${c.id}: its kept and injected images`);
        assert.equal(
          Object.values(c.digitCounts).reduce((n, v) => n + v, 0),
          members,
          `cluster ${c.id}: its digit mix`,
        );
      }
    }
    assert.equal(results.images.pixels!.length, 400 * 784);
  });

  it("separates 1s from 7s from layer 1, like the report (97% on average)", () => {
    const [layer1] = results.findings.layers;
    assert.ok(layer1.purity["1"] >= 0.9 && layer1.purity["7"] >= 0.9, JSON.stringify(layer1.purity));
    assert.notEqual(layer1.dominantCluster["1"], layer1.dominantCluster["7"]);
    assert.equal(results.findings.separationLayer, 1);
  });

  it("lists the few 7s in the 1s' cluster as outliers, ranked, on a short list", () => {
    const [layer1] = results.findings.layers;
    const kept = Array.from(results.images.injected).filter((x) => !x).length;
    const sevensWithOnes = Array.from(results.layers[0].assignments).flatMap((c, i) =>
      !results.images.injected[i] && results.images.labels[i] === 7 && c === layer1.dominantCluster["1"] ? [i] : [],
    );
    const listed = new Set(results.findings.outliers.map((o) => o.image));
    assert.ok(sevensWithOnes.length > 0, "some 7s sit in the 1s' cluster");
    for (const i of sevensWithOnes) assert.ok(listed.has(i), `7 #${i} in the 1s' cluster is not on the list`);
    // The bound at any size: at most 5% of the kept images.
    assert.ok(listed.size <= 0.05 * kept, `${listed.size} outliers of ${kept}`);
    const scores = results.findings.outliers.map((o) => o.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      "ranked by score",
    );
    for (const o of results.findings.outliers) assert.equal(results.images.injected[o.image], false);
  });

  it("gives every share a 95% interval holding it, each layer its G-test, and the 4s' preference for the 7s' path its p-value", () => {
    const f = results.findings;
    const holds = ([low, high]: [number, number], x: number, what: string) =>
      assert.ok(low <= x && x <= high, `${what}: ${x} outside [${low}, ${high}]`);
    holds(f.accuracyInterval.train, f.accuracy.train, "train accuracy");
    holds(f.accuracyInterval.test!, f.accuracy.test!, "held-out accuracy");
    for (const [l, layer] of f.layers.entries()) {
      for (const d of results.classes) holds(layer.purityInterval[d], layer.purity[d], `layer ${l + 1} purity of ${d}`);
      // 1s and 7s apart in every layer: no shuffle of the labels comes near, the smallest p 999 permutations give.
      assert.equal(layer.independence.pValue, 0.001, `layer ${l + 1}`);
      assert.equal(layer.independence.degreesOfFreedom, (results.classes.length - 1) * (layer.k - 1));
    }
    for (const [d, inj] of Object.entries(f.injected)) {
      for (const k of results.classes) holds(inj.followsPathOfInterval[k], inj.followsPathOf[k], `${d}s on the ${k}s' path`);
      for (const [p, share] of Object.entries(inj.predicted)) holds(inj.predictedInterval[p], share, `${d}s predicted ${p}`);
    }
    assert.deepEqual([f.injected["4"].preference!.more, f.injected["4"].preference!.than], [7, 1]);
    assert.ok(f.injected["4"].preference!.pValue < 0.001, String(f.injected["4"].preference!.pValue));
  });

  it("sends injected 4s down the 7s' path more than the 1s', and scatters the 3s more", () => {
    const fours = results.findings.injected["4"];
    const threes = results.findings.injected["3"];
    assert.equal(fours.count, 100);
    assert.ok(fours.followsPathOf["7"] > fours.followsPathOf["1"], JSON.stringify(fours));
    assert.ok(fours.followsPathOf["7"] >= 0.6, JSON.stringify(fours));
    assert.ok(threes.pathEntropy > fours.pathEntropy, `3s ${threes.pathEntropy} bits vs 4s ${fours.pathEntropy} bits`);
  });

  it("aggregates every image's path into Sankey flows", () => {
    const { nodes, links } = results.flows;
    const columns = 2 + results.layers.length;
    for (let c = 0; c < columns; c++) {
      assert.equal(
        nodes.filter((n) => n.column === c).reduce((s, n) => s + n.count, 0),
        400,
        `column ${c}`,
      );
    }
    for (let c = 0; c + 1 < columns; c++) {
      const inColumn = new Set(nodes.filter((n) => n.column === c).map((n) => n.id));
      const between = links.filter((l) => inColumn.has(l.source));
      assert.equal(
        between.reduce((s, l) => s + l.count, 0),
        400,
      );
      assert.deepEqual(
        between.flatMap((l) => Array.from(l.images)).sort((a, b) => a - b),
        Array.from({ length: 400 }, (_, i) => i),
      );
    }
    assert.ok(nodes.some((n) => n.label === "4 (injected)"));
  });

  it("gives identical results for the same file and seed", async () => {
    const again = await runExperiment({ experiment: sevens, experimentFile });
    assert.equal(comparable(again), comparable(results));
  });

  it("clusters nothing once cancelled: a cancel as the signatures are recorded starts no layer's analysis", async () => {
    const controller = new AbortController();
    const stages = new Set<string>();
    await assert.rejects(
      runExperiment({
        experiment: sevens,
        experimentFile,
        signal: controller.signal,
        onSignatures: () => controller.abort(),
        onProgress: (stage) => stages.add(stage),
      }),
      { name: "AbortError" },
    );
    assert.ok(stages.has("signatures") && !stages.has("cluster"), [...stages].join());
  });

  it("rejects with onSignatures' own error, and starts no layer's analysis", async () => {
    const stages = new Set<string>();
    await assert.rejects(
      runExperiment({
        experiment: sevens,
        experimentFile,
        onSignatures: () => {
          throw new Error("the signatures file cannot be written");
        },
        onProgress: (stage) => stages.add(stage),
      }),
      /the signatures file cannot be written/,
    );
    assert.ok(stages.has("signatures") && !stages.has("cluster"), [...stages].join());
  });
});

describe("mtq run", () => {
  const dir = tempDir();
  const small = {
    ...onesVsSevens,
    name: "small",
    data: { ...onesVsSevens.data, perDigit: 30 },
    training: { epochs: 2, batchSize: 16, learningRate: 0.001 },
    inject: [{ digit: 4, count: 20 }],
  };

  it("prints the findings as JSON and writes the results beside the experiment", () => {
    const file = writeJson(dir, "small.mtq.json", small);
    const r = spawnSync("node", [cli, "run", file, "--json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const findings = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(findings).sort(), ["accuracy", "accuracyInterval", "injected", "layers", "outliers", "separationLayer"]);
    assert.deepEqual(Object.keys(findings.layers[0].purity), ["1", "7"]);
    // The intervals and tests travel with the shares they qualify.
    assert.deepEqual(Object.keys(findings.layers[0].purityInterval), ["1", "7"]);
    assert.equal(findings.layers[0].independence.permutations, 999);
    assert.equal(findings.injected["4"].count, 20);
    assert.deepEqual(Object.keys(findings.injected["4"].followsPathOfInterval), ["1", "7"]);
    assert.ok(findings.injected["4"].preference.pValue > 0 && findings.injected["4"].preference.pValue <= 1);
    // Piped, the progress is a line per stage as it starts (test/cli-progress.test.ts).
    assert.match(r.stderr, /^\[ +[\d.]+ s\] Training/m);
    const results: Results = JSON.parse(readFileSync(join(dir, "small.results.json"), "utf8"));
    assert.equal(results.schemaVersion, 3);
    assert.equal(results.images.count, 80);
  });

  it("exits 2 with the foundation's message on invalid input", () => {
    const file = writeJson(dir, "typo.mtq.json", { ...small, training: { epocs: 2 } });
    const r = spawnSync("node", [cli, "run", file], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /typo\.mtq\.json: training\.epocs: unknown field "epocs"\. Fix: did you mean "epochs"\?/);
  });

  it("stops cleanly on Ctrl+C, writing nothing", async () => {
    const file = writeJson(dir, "long.mtq.json", { ...small, name: "long", training: { epochs: 200, batchSize: 16, learningRate: 0.001 } });
    const child = spawn("node", [cli, "run", file], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
      // Piped, the training stage's line comes once, as it starts: Ctrl+C then stops it in training.
      if (/\] Training/.test(stderr) && !child.killed) child.kill("SIGINT");
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /cancelled; nothing was written/);
    assert.equal(existsSync(join(dir, "long.results.json")), false);
  });
});

describe("the worker", () => {
  const dir = tempDir();

  function startWorker() {
    const worker = new Worker(join(root, "dist", "worker.js"));
    const messages: FromWorker[] = [];
    // A worker that fails while the test waits for something else fails the test instead of hanging it.
    const next = (type: FromWorker["type"]) =>
      new Promise<FromWorker>((resolve, reject) => {
        const found = messages.find((m) => m.type === type);
        if (found) return resolve(found);
        const listener = (m: FromWorker) => {
          if (m.type === type) {
            worker.off("message", listener);
            resolve(m);
          } else if (m.type === "failed") {
            worker.off("message", listener);
            reject(new Error(`the worker failed: ${m.message}`));
          }
        };
        worker.on("message", listener);
      });
    worker.on("message", (m: FromWorker) => messages.push(m));
    return { worker, messages, next };
  }

  it("runs an experiment, posting progress, and writes the results", async () => {
    const file = writeJson(dir, "w.mtq.json", {
      ...onesVsSevens,
      name: "w",
      data: { ...onesVsSevens.data, perDigit: 30 },
      training: { epochs: 2, batchSize: 16, learningRate: 0.001 },
      inject: [],
    });
    const { worker, messages, next } = startWorker();
    worker.postMessage({ type: "run", experimentFile: file, options: { outFile: join(dir, "w.out.json") } });
    const done = await next("done");
    await worker.terminate();
    assert.equal(done.type === "done" && done.resultsFile, join(dir, "w.out.json"));
    const stages = new Set(messages.flatMap((m) => (m.type === "progress" ? [m.stage] : [])));
    assert.deepEqual([...stages], ["load", "train", "signatures", "cluster", "project", "paths"]);
    const fractions = messages.flatMap((m) => (m.type === "progress" ? [m.fraction] : []));
    assert.ok(
      fractions.every((f, i) => i === 0 || f >= fractions[i - 1]),
      "progress never goes back",
    );
    assert.equal(fractions.at(-1), 1, "the bar ends full: the last progress is never throttled away");
    assert.ok(existsSync(join(dir, "w.out.json")));
  });

  it("stops on cancel, long before the run would end, and leaves no file", async () => {
    // 1,000 epochs of 1,000 images, a million samples, train for about 10 s: a run that ignored the cancel would end
    // with "done", never "cancelled", and would take longer than the bound.
    const file = writeJson(dir, "c.mtq.json", {
      ...onesVsSevens,
      name: "c",
      data: { ...onesVsSevens.data, perDigit: 500 },
      training: { epochs: 1000, batchSize: 32, learningRate: 0.001 },
    });
    const { worker, next } = startWorker();
    worker.postMessage({ type: "run", experimentFile: file, options: {} });
    await next("progress").then(() => new Promise((r) => setTimeout(r, 300)));
    const asked = Date.now();
    worker.postMessage({ type: "cancel" });
    await next("cancelled");
    const took = Date.now() - asked;
    await worker.terminate();
    // A bound for a hang, not a speed goal (that is a bench's job): an idle machine answers in well under a second.
    assert.ok(took < 5_000, `cancel took ${took} ms`);
    assert.equal(existsSync(join(dir, "c.results.json")), false);
  });

  it("reports invalid experiments as problems", async () => {
    const file = writeJson(dir, "bad.mtq.json", { ...onesVsSevens, data: { ...onesVsSevens.data, digits: [1, 12] } });
    const { worker, next } = startWorker();
    worker.postMessage({ type: "run", experimentFile: file, options: {} });
    const invalid = await next("invalid");
    await worker.terminate();
    assert.ok(invalid.type === "invalid" && invalid.problems.some((p) => p.message === "digit 12 is not in MNIST"));
  });
});
