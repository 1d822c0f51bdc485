// `mtq run --out`: a results file that could not be written is said before anything trains, with
// exit 2 and the fix, never after a whole run as a temp file's ENOENT; and the summary on stdout
// names images as the tree and the view do.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { imageTitle } from "../src/shared/imageName";
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

describe("mtq run's summary", () => {
  it("names the highest outliers as the tree and the view do (imageTitle), the README's line", async () => {
    const dir = tempDir();
    const out = join(dir, "ovs.results.json");
    const r = spawnSync(process.execPath, [cli, "run", writeJson(dir, "ovs.mtq.json", onesVsSevens), "--out", out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split("\n").find((l) => l.startsWith("outliers: "));
    assert.ok(line, r.stdout);
    const { results } = await readResultsFile(out);
    const top = results.findings.outliers.slice(0, 3);
    assert.ok(top.length > 0, line);
    for (const o of top)
      assert.ok(line.includes(`${imageTitle(results, o.image)} (score `), `${line} names image ${o.image} as the tree does`);
    assert.doesNotMatch(line, /#\d/);
    // The README quotes this run's summary (Running an experiment): its outliers line is this one.
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    assert.ok(readme.includes(`\n${line}\n`), `README.md does not quote: ${line}`);
  });
});
