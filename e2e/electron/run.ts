// `npm run test:electron`: the same journey through the VS Code API, in a VS Code desktop that
// @vscode/test-electron downloads (from update.code.visualstudio.com, into .e2e-cache/vscode).
// For contributors whose machine can download it; CI uses the code-server route (test:e2e).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runTests } from "@vscode/test-electron";
import { build } from "esbuild";
import { cacheDir } from "../install";
import { createWorkspace } from "../workspace";

const root = resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  // The suite runs inside VS Code's extension host, which loads CommonJS: bundle it, `vscode` external.
  const suite = join(root, ".tmp", "electron", "suite.js");
  await build({
    entryPoints: [join(__dirname, "suite.ts")],
    outfile: suite,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    logLevel: "warning",
  });
  const runDir = mkdtempSync(join(tmpdir(), "mtq-electron-"));
  try {
    const workspace = createWorkspace(join(runDir, "workspace"));
    await runTests({
      // The oldest VS Code engines.vscode allows, the one the code-server route runs too.
      version: "1.100.3",
      cachePath: join(cacheDir, "vscode"),
      extensionDevelopmentPath: root,
      extensionTestsPath: suite,
      extensionTestsEnv: { MTQ_E2E_WORKSPACE: JSON.stringify(workspace) },
      launchArgs: [
        workspace.dir,
        "--disable-extensions",
        "--disable-workspace-trust",
        `--user-data-dir=${join(runDir, "user-data")}`,
        `--extensions-dir=${join(runDir, "extensions")}`,
      ],
    });
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`test:electron: ${e instanceof Error ? e.message : String(e)}`);
  console.error("(It needs to download VS Code; where that is impossible, npm run test:e2e runs the suite in code-server.)");
  process.exit(1);
});
