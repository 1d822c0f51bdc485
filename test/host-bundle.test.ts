import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

// The bundle VS Code loads on activation (`npm test` builds it first).
const extension = join(__dirname, "..", "dist", "extension.js");

describe("the extension host bundle", () => {
  it("stays under 1 MB and never loads TensorFlow.js (only the worker does)", () => {
    const size = statSync(extension).size;
    assert.ok(size < 1_000_000, `dist/extension.js is ${size} bytes`);
    const requires = new Set([...readFileSync(extension, "utf8").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    assert.ok(requires.has("vscode"));
    for (const r of requires) assert.ok(!r.startsWith("@tensorflow"), `dist/extension.js requires ${r}`);
    assert.ok(!readFileSync(extension, "utf8").includes("tfjs-backend"), "TF.js code is bundled into the extension host");
  });

  it("leaves the selections file's schema (zod), the table's Parquet writer and the notebook to dist/onDemand.js, which has what it names", async () => {
    const code = readFileSync(extension, "utf8");
    for (const heavy of ["ZodError", "parquetWriteBuffer", "nbformat"])
      assert.ok(!code.includes(heavy), `dist/extension.js holds ${heavy}`);
    assert.ok(code.includes('"onDemand.js"'), "dist/extension.js requires dist/onDemand.js beside it");
    const bundled = require(join(__dirname, "..", "dist", "onDemand.js")) as Record<string, unknown>;
    const source = (await import("../src/host/onDemand")) as Record<string, unknown>;
    const names = (m: Record<string, unknown>) => Object.keys(m).filter((k) => k !== "default" && k !== "__esModule");
    assert.deepEqual(names(bundled).sort(), names(source).sort());
    for (const name of names(source)) assert.equal(typeof bundled[name], "function", name);
  });
});
