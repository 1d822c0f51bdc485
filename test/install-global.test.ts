// `mtq` as a command, after `npm install -g` of the packed package: `npm pack` (what .npmignore
// lets in), then `npm install -g --prefix TEMP` of the tarball, which installs the
// dependencies from the npm registry (about 25 s here with npm's cache warm, more when cold; the
// pack itself about 15 s), then the installed `mtq` validates and runs the example it ships, from
// a folder outside the repository so that nothing of the repository's node_modules is used.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { Results } from "../src/shared/results";
import { tempDir } from "./helpers";

const root = join(__dirname, "..");
const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };

describe("mtq after npm install -g of the packed package", { timeout: 15 * 60_000 }, () => {
  const dir = tempDir();
  let mtq: string;
  let installed: string;

  before(() => {
    execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: root, stdio: "pipe" });
    const tarball = join(dir, `${name}-${version}.tgz`);
    const prefix = join(dir, "prefix");
    execFileSync("npm", ["install", "-g", "--prefix", prefix, tarball, "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: "pipe",
      // The project's .npmrc setting, which this install (outside the project) would not read: onnxruntime-node's
      // install script skips its CUDA download (MTQ runs its CPU provider, which the package holds).
      env: { ...process.env, npm_config_onnxruntime_node_install: "skip" },
    });
    mtq = join(prefix, "bin", "mtq");
    installed = join(prefix, "lib", "node_modules", name);
  });

  const run = (args: string[]) => spawnSync(mtq, args, { cwd: dir, encoding: "utf8" });

  it("installs the mtq command and only what the command line needs (.npmignore)", () => {
    assert.ok(existsSync(mtq), `${mtq} is missing`);
    for (const file of ["dist/cli.js", "dist/layerWorker.js", "dist/onnxProcess.js", "dist/mnist", "examples/ones-vs-sevens.mtq.json"])
      assert.ok(existsSync(join(installed, file)), `${file} is not installed`);
    for (const file of ["src", "test", "dist/extension.js", "dist/webview.js"])
      assert.ok(!existsSync(join(installed, file)), `${file} is installed`);
    const usage = run([]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^usage:\n {2}mtq validate FILE/);
  });

  it("validates the example it ships (exit 0) and refuses a missing file (exit 2)", () => {
    const example = join(installed, "examples", "ones-vs-sevens.mtq.json");
    const valid = run(["validate", example]);
    assert.equal(valid.status, 0, valid.stderr);
    assert.equal(valid.stdout, `${example}: valid\n`);
    const missing = run(["validate", join(dir, "nowhere.mtq.json")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nowhere\.mtq\.json/);
  });

  it("runs it: the findings on stdout, a line per stage on stderr, the results file where --out says", () => {
    const out = join(dir, "out", "ones-vs-sevens.results.json");
    mkdirSync(join(dir, "out"));
    const ran = run(["run", join(installed, "examples", "ones-vs-sevens.mtq.json"), "--out", out]);
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /^ones-vs-sevens: 1 vs 7, 200 images \+ 200 injected \(backend (wasm|cpu)\)\n/);
    assert.match(ran.stdout, /^injected 4s \(100\): .* follow the 7s' path/m);
    assert.match(ran.stderr, /^\[ *\d+\.\d s\] UMAP maps$/m);
    assert.equal(ran.stderr.trimEnd().split("\n").at(-1), `wrote ${out}`);
    const results = JSON.parse(readFileSync(out, "utf8")) as Results;
    assert.equal(results.images.count, 400);
    assert.equal(results.layers.length, 2);
  });
});
