import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runOptionsFor, type MtqSettings } from "../src/host/runOptions";
import { BACKEND_DESCRIPTIONS, BACKENDS } from "../src/shared/backends";

const defaults: MtqSettings = { resultsFolder: "", backend: "auto", defaultSeed: null };

describe("settings -> the worker's run options", () => {
  it("writes beside the experiment by default and keeps the experiment's seed", () => {
    assert.deepEqual(runOptionsFor(defaults, "ovs", "/ws/exp/ovs.mtq.json", "/ws"), {
      outFile: "/ws/exp/ovs.results.json",
      backend: "auto",
    });
  });

  it("resolves a relative results folder against the workspace folder, or the experiment's when there is none", () => {
    const s = { ...defaults, resultsFolder: "results" };
    assert.equal(runOptionsFor(s, "ovs", "/ws/exp/ovs.mtq.json", "/ws").outFile, "/ws/results/ovs.results.json");
    assert.equal(runOptionsFor(s, "ovs", "/tmp/x/ovs.mtq.json", undefined).outFile, "/tmp/x/results/ovs.results.json");
    assert.equal(
      runOptionsFor({ ...defaults, resultsFolder: "/data/out " }, "ovs", "/ws/ovs.mtq.json", "/ws").outFile,
      "/data/out/ovs.results.json",
    );
  });

  it("passes the backend, and the default seed only when set (0 included)", () => {
    assert.deepEqual(runOptionsFor({ ...defaults, backend: "wasm", defaultSeed: 0 }, "ovs", "/ws/ovs.mtq.json", "/ws"), {
      outFile: "/ws/ovs.results.json",
      backend: "wasm",
      seed: 0,
    });
  });

  it("offers in mtq.backend exactly the backends the CLI and the worker take, with the same descriptions", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
    const setting = manifest.contributes.configuration.properties["mtq.backend"];
    assert.deepEqual(setting.enum, BACKENDS);
    assert.deepEqual(
      setting.enumDescriptions,
      BACKENDS.map((b) => BACKEND_DESCRIPTIONS[b]),
    );
    assert.equal(setting.default, "auto");
  });
});
