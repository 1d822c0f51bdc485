// `mtq run`'s progress: piped (a CI log, `npm start > log`) a line per stage, each once, with the
// time since the run began, never a line per percent; on a terminal one line updated in place.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { progressPrinter } from "../src/cliProgress";
import { tempDir } from "./helpers";

const root = join(__dirname, "..");

describe("mtq run's progress", () => {
  it("piped: one line per stage, in run order, each once, then where it wrote", () => {
    const out = join(tempDir(), "ones-vs-sevens.results.json");
    const run = spawnSync(
      process.execPath,
      [join(root, "dist", "cli.js"), "run", join(root, "examples", "ones-vs-sevens.mtq.json"), "--out", out],
      {
        encoding: "utf8",
        stdio: "pipe",
      },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(out));
    const lines = run.stderr.trimEnd().split("\n");
    const stages = [
      "Loading the images",
      /^Training on 200 images \((tensorflow|wasm|cpu)\)$/,
      "Recording signatures",
      "Clustering: k-means and silhouettes",
      "UMAP maps",
      "Tracing paths",
    ];
    assert.equal(lines.length, stages.length + 1, run.stderr);
    const seconds: number[] = [];
    lines.slice(0, -1).forEach((line, i) => {
      const [, time, message] = /^\[ *(\d+\.\d) s\] (.*)$/.exec(line) ?? [];
      assert.ok(message, `not a stage line: ${line}`);
      if (typeof stages[i] === "string") assert.equal(message, stages[i]);
      else assert.match(message, stages[i]);
      seconds.push(Number(time));
    });
    assert.deepEqual(
      seconds,
      [...seconds].sort((a, b) => a - b),
      "the times since the start only grow",
    );
    assert.equal(lines.at(-1), `wrote ${out}`);
    assert.doesNotMatch(run.stderr, /%\]/);
  });

  it("on a terminal: one line rewritten in place when the percent or the message changes, ended before anything else is written", () => {
    const written: string[] = [];
    const progress = progressPrinter({ isTTY: true, write: (text) => written.push(text) });
    progress.onProgress("load", 0, "Loading the images");
    progress.onProgress("train", 0.104, "Training: epoch 1/10");
    progress.onProgress("train", 0.096, "Training: epoch 1/10");
    progress.onProgress("train", 0.5, "Training: epoch 5/10");
    progress.end();
    progress.end();
    assert.deepEqual(written, [
      "\r[  0%] Loading the images\x1b[K",
      "\r[ 10%] Training: epoch 1/10\x1b[K",
      "\r[ 50%] Training: epoch 5/10\x1b[K",
      "\n",
    ]);
  });

  it("on a terminal: a line cut to its width, since a wrapped line would not be rewritten", () => {
    const written: string[] = [];
    progressPrinter({ isTTY: true, columns: 20, write: (text) => written.push(text) }).onProgress(
      "train",
      0,
      "Loading the model /a/long/path/model.onnx",
    );
    assert.deepEqual(written, ["\r[  0%] Loading the \x1b[K"]);
  });
});
