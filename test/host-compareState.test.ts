// What the comparison view's serializer reads from a restored panel's state, and what it says
// when a compared file is gone since (src/host/compareState.ts, no VS Code needed).
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import { comparedFilesOf, compareTitle, missingComparedMessage } from "../src/host/compareState";
import type { CompareState, WebviewState } from "../src/shared/protocol";
import { tempDir, writeJson } from "./helpers";

describe("the comparison view's state across a reload", () => {
  it("reopens the two files the webview saved, A first", () => {
    const saved: CompareState = {
      compare: { a: "/w/seed-24.results.json", b: "/w/seed-7.results.json" },
      selection: { images: [3, 5], label: "changed paths" },
    };
    // What VS Code hands the serializer is the JSON the webview saved.
    assert.deepEqual(comparedFilesOf(JSON.parse(JSON.stringify(saved))), { a: "/w/seed-24.results.json", b: "/w/seed-7.results.json" });
    assert.deepEqual(comparedFilesOf({ compare: { a: "/w/x.results.json", b: "/w/x.results.json" }, selection: null }), {
      a: "/w/x.results.json",
      b: "/w/x.results.json",
    });
  });

  it("reopens nothing from a state that is not a comparison's", () => {
    const results: WebviewState = { resultsFile: "/w/a.results.json", selection: null, colorBy: "digit" };
    for (const state of [
      undefined,
      null,
      "",
      3,
      {},
      results,
      { compare: null },
      { compare: "/w/a.results.json" },
      { compare: { a: "/w/a.results.json" } },
      { compare: { a: "/w/a.results.json", b: 7 } },
      { compare: { a: "", b: "/w/b.results.json" } },
    ]) {
      assert.equal(comparedFilesOf(state), undefined, JSON.stringify(state));
    }
  });

  it("titles the panel by the two files' names", () => {
    assert.equal(
      compareTitle({ a: "/w/ones-vs-sevens.results.json", b: "/w/out/ones-vs-sevens-seed-7.results.json" }),
      "MTQ: ones-vs-sevens vs ones-vs-sevens-seed-7",
    );
  });

  it("names a file gone since, and the fix", () => {
    const dir = tempDir();
    const a = writeJson(dir, "seed-24.results.json", {});
    const b = writeJson(dir, "seed-7.results.json", {});
    assert.equal(missingComparedMessage({ a, b }, existsSync), undefined);
    rmSync(b);
    const one = missingComparedMessage({ a, b }, existsSync);
    assert.equal(
      one,
      `MTQ cannot reopen the comparison of seed-24 with seed-7: ${b} is gone (deleted or moved since it was opened). ` +
        "Run its experiment (seed-7) again with MTQ: Train and Analyze, or put the file back, then compare them again with MTQ: Compare Results.",
    );
    rmSync(a);
    const both = missingComparedMessage({ a, b }, existsSync) ?? "";
    assert.ok(both.includes(`${a} and ${b} are gone`), both);
    assert.ok(both.includes("Run their experiments (seed-24 and seed-7) again"), both);
    // A file compared with itself is named once.
    const self = missingComparedMessage({ a, b: a }, existsSync) ?? "";
    assert.ok(self.includes(`${a} is gone`) && !self.includes(`${a} and`), self);
  });
});
