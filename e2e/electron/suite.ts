// Runs inside VS Code's extension host (see run.ts): the code-server suite's journey through the
// VS Code API instead of the screen. Each step throws on failure; run() rejects if any failed.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as vscode from "vscode";
import type { Results } from "../../src/shared/results";
import type { Workspace } from "../workspace";

const workspace = JSON.parse(process.env.MTQ_E2E_WORKSPACE ?? "null") as Workspace;

const steps: [string, () => Promise<void>][] = [
  [
    "activates with its commands",
    async () => {
      const extension = vscode.extensions.getExtension("mtq.mtq-signatures");
      assert.ok(extension, "the extension is not loaded");
      await extension.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const id of ["mtq.trainAndAnalyze", "mtq.openResults", "mtq.newExperiment"])
        assert.ok(commands.includes(id), `${id} is not registered`);
    },
  ],
  [
    "trains the active experiment, writes its results and opens the results view",
    async () => {
      await vscode.window.showTextDocument(vscode.Uri.file(workspace.small.file));
      // The command resolves once the run is over and the view is opening.
      await vscode.commands.executeCommand("mtq.trainAndAnalyze");
      assert.ok(existsSync(workspace.small.results), `${workspace.small.results} was not written`);
      const results = JSON.parse(readFileSync(workspace.small.results, "utf8")) as Results;
      assert.equal(results.images.count, workspace.small.images);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      assert.ok(
        tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith("mtq.results")),
        `no results view among the tabs: ${tabs.map((t) => t.label).join(", ")}`,
      );
    },
  ],
  [
    "shows the MTQ sidebar with the clusters tree",
    async () => {
      // Opening a view by its id fails when the view is not contributed.
      await vscode.commands.executeCommand("mtq.clusters.focus");
    },
  ],
  [
    "names the misspelt field of a malformed experiment in a diagnostic",
    async () => {
      const uri = vscode.Uri.file(workspace.malformed.file);
      const named = () => vscode.languages.getDiagnostics(uri).some((d) => d.message.includes(workspace.malformed.field));
      const shown = new Promise<void>((resolve) => {
        const sub = vscode.languages.onDidChangeDiagnostics(() => named() && (sub.dispose(), resolve()));
      });
      await vscode.window.showTextDocument(uri);
      if (!named()) await shown;
    },
  ],
];

export async function run(): Promise<void> {
  const failed: string[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
      console.log(`✔ ${name}`);
    } catch (e) {
      failed.push(name);
      console.error(`✖ ${name}\n${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${steps.length} steps failed: ${failed.join("; ")}`);
}
