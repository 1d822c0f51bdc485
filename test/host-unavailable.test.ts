// What a results view says in its place when it cannot read its results file
// (src/host/unavailable.ts, no VS Code needed): a file gone since is named with the fix, as in
// the comparison view; another read error keeps its own message.
import assert from "node:assert/strict";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { missingFilesMessage, resultsName, resultsUnavailableMessage } from "../src/host/unavailable";
import { tempDir, writeJson } from "./helpers";

/** How the results view words a failed read: its file, the read's own error, the disk as it is now. */
async function whyNot(file: string): Promise<string> {
  const error = await readResultsFile(file).then(
    () => assert.fail(`${file} was read`),
    (e: unknown) => e as Error,
  );
  return resultsUnavailableMessage(file, error.message, existsSync);
}

describe("a results view that cannot read its file", () => {
  it("names its results file gone since, and the fix", async () => {
    const dir = tempDir();
    const file = writeJson(dir, "seed-7.results.json", {});
    rmSync(file);
    assert.equal(
      await whyNot(file),
      `MTQ cannot show the results of seed-7: ${file} is gone (deleted or moved since it was opened). ` +
        "Run its experiment (seed-7) again with MTQ: Train and Analyze, or put the file back.",
    );
  });

  it("keeps the message of a results file of another version, or not JSON", async () => {
    const dir = tempDir();
    const old = writeJson(dir, "old.results.json", { schemaVersion: 0 });
    const versioned = await whyNot(old);
    assert.ok(versioned.startsWith(`Cannot show ${old}: ${old} is not an MTQ results file of version `), versioned);
    assert.ok(versioned.endsWith("(found version 0); run its experiment again"), versioned);
    const broken = writeJson(dir, "broken.results.json", "{ not json");
    const text = await whyNot(broken);
    assert.ok(text.startsWith(`Cannot show ${broken}: `) && /JSON/.test(text), text);
    assert.ok(!text.includes("is gone"), text);
  });

  it("says a results file cut short is incomplete, not JSON.parse's words", async () => {
    const dir = tempDir();
    const whole = JSON.stringify({ schemaVersion: 2, experiment: { name: "cut", description: "a run" }, images: { count: 3 } });
    const cut = join(dir, "cut.results.json");
    writeFileSync(cut, whole.slice(0, 60));
    assert.equal(
      await whyNot(cut),
      `Cannot show ${cut}: ${cut} is incomplete: it stops after 60 characters, before its end; run its experiment again`,
    );
  });

  it("names files by their experiment, each missing one once, with what follows the fix", () => {
    assert.equal(resultsName("/w/out/ones-vs-sevens.results.json"), "ones-vs-sevens");
    assert.equal(resultsName("/w/notes.json"), "notes.json");
    const exists = (f: string) => f === "/w/a.results.json";
    assert.equal(missingFilesMessage("open them", ["/w/a.results.json"], exists), undefined);
    assert.equal(
      missingFilesMessage(
        "open them",
        ["/w/b.results.json", "/w/a.results.json", "/w/c.results.json", "/w/b.results.json"],
        exists,
        ", then open them again",
      ),
      "MTQ cannot open them: /w/b.results.json and /w/c.results.json are gone (deleted or moved since it was opened). " +
        "Run their experiments (b and c) again with MTQ: Train and Analyze, or put the files back, then open them again.",
    );
  });
});
