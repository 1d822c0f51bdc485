// The layers the lint holds (eslint.config.mjs), tried on files that break them: if a rule stops
// matching (a folder renamed, a pattern mistyped), this fails instead of the lint passing quietly.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";

const root = join(__dirname, "..");
// The files below exist only in memory, outside the TypeScript project: the type-aware rules are
// switched off for them (the import rules need no types).
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The import refusals ESLint gives a file of this text at this path in the repository. */
async function refusals(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: join(root, filePath) });
  assert.deepEqual(
    result.messages.filter((m) => m.fatal),
    [],
  );
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("the lint's layers", () => {
  it("refuses `vscode` in the pipeline, and allows it in the host", async () => {
    const text = 'import * as vscode from "vscode";\nexport const window = vscode.window;\n';
    assert.deepEqual(await refusals("src/pipeline/probe.ts", text), [
      "'vscode' import is restricted from being used. Only src/host talks to VS Code: the other layers run in the worker, the CLI, tests and the webview.",
    ]);
    assert.deepEqual(await refusals("src/host/probe.ts", text), []);
  });

  it("refuses the pipeline in the webview, and allows src/shared", async () => {
    const [refused] = await refusals(
      "webview/probe.ts",
      'import { runExperiment } from "../src/pipeline/run";\nexport const run = runExperiment;\n',
    );
    assert.match(refused, /^'\.\.\/src\/pipeline\/run' import is restricted .*of ours it imports only src\/shared/);
    assert.deepEqual(
      await refusals("webview/probe.ts", 'import { className } from "../src/shared/classNames";\nexport const name = className;\n'),
      [],
    );
  });

  it("refuses the host in the CLI and the pipeline in the host", async () => {
    assert.equal((await refusals("src/cli.ts", 'import { log } from "./host/log";\nexport const l = log;\n')).length, 1);
    assert.equal((await refusals("src/host/probe.ts", 'import { loadTf } from "../pipeline/tf";\nexport const l = loadTf;\n')).length, 1);
  });
});
