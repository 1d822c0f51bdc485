// `mtq run --out`: a results file that could not be written is said before anything trains, with
// exit 2 and the fix, never after a whole run as a temp file's ENOENT.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { onesVsSevens, tempDir, writeJson } from "./helpers";

const cli = join(__dirname, "..", "dist", "cli.js");

function mtqRun(file: string, out: string) {
  return spawnSync(process.execPath, [cli, "run", file, "--out", out], { encoding: "utf8" });
}

describe("mtq run --out", () => {
  const dir = tempDir();
  const file = writeJson(dir, "ovs.mtq.json", onesVsSevens);

  it("refuses a folder that does not exist, before loading or training", () => {
    const r = mtqRun(file, join(dir, "missing", "ovs.results.json"));
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^mtq run: --out: the folder .*missing does not exist; create it, or write the results elsewhere; nothing was run\n$/,
    );
  });

  it("refuses a folder given where the file goes", () => {
    mkdirSync(join(dir, "a-folder"));
    const r = mtqRun(file, join(dir, "a-folder"));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /a-folder is a folder; name a file, e\.g\. .*a-folder\/NAME\.results\.json; nothing was run/);
  });
});
