// MTQ Signatures in VS Code: wires the commands, the runner, the diagnostics, the results and
// comparison views (each restored after a window reload by its serializer) and the clusters tree.
// Activation stays light: TensorFlow.js only ever loads in the worker.
import { join } from "node:path";
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { COMPARE_VIEW_TYPE, CompareViews } from "./comparePanel";
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
  const comparisons = new CompareViews(context.extensionUri, (file, selection) => views.showSelection(file, selection));
  const parts = {
    runner: new Runner(join(context.extensionPath, "dist", "worker.js")),
    diagnostics: new ExperimentDiagnostics(),
    views,
    comparisons,
    tree,
  };
  context.subscriptions.push(
    log,
    tree,
    views,
    comparisons,
    parts.runner,
    parts.diagnostics,
    ...registerCommands(parts),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, views),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, comparisons),
    vscode.window.registerCustomEditorProvider(RESULTS_EDITOR_TYPE, views),
  );
  log.info(`MTQ Signatures ${context.extension.packageJSON.version} activated`);
}
