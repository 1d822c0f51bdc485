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
});
