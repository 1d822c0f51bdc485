// MTQ Signatures in VS Code: wires the commands, the runner, the diagnostics, the results views
// and the clusters tree. Activation stays light: TensorFlow.js only ever loads in the worker.
import { join } from "node:path";
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { ExperimentDiagnostics } from "./diagnostics";
import { createLog } from "./log";
import { RESULTS_EDITOR_TYPE, RESULTS_VIEW_TYPE, ResultsViews } from "./panel";
import { Runner } from "./runner";
import { ClustersTree } from "./tree";

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const tree = new ClustersTree();
  const views = new ResultsViews(context.extensionUri, (file, selection) => {
    tree.reveal(file, selection).catch((e: unknown) => log.warn(`cannot reveal the selection in the tree: ${String(e)}`));
  });
  const parts = { extensionUri: context.extensionUri, runner: new Runner(join(context.extensionPath, "dist", "worker.js")), diagnostics: new ExperimentDiagnostics(), views, tree };
  context.subscriptions.push(
    log,
    tree,
    views,
    parts.runner,
    parts.diagnostics,
    ...registerCommands(parts),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, views),
    vscode.window.registerCustomEditorProvider(RESULTS_EDITOR_TYPE, views),
  );
  log.info(`MTQ Signatures ${context.extension.packageJSON.version} activated`);
}
