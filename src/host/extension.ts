// MTQ Signatures in VS Code: wires the commands, the runner, the checks (diagnostics and Quick
// Fixes), the results and comparison views (each restored after a window reload by its serializer)
// and the clusters tree; on the first activation, the walkthrough.
// Activation stays light: TensorFlow.js only ever loads in the worker, the check worker starts with
// the first check.
import { join } from "node:path";
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { COMPARE_VIEW_TYPE, CompareViews } from "./comparePanel";
import { ExperimentDiagnostics } from "./diagnostics";
import { ExperimentChecks } from "./experimentChecks";
import { createLog } from "./log";
import { RESULTS_EDITOR_TYPE, RESULTS_VIEW_TYPE, ResultsViews } from "./panel";
import { registerQuickFixes } from "./quickFixes";
import { Runner } from "./runner";
import { SavedSelectionsStore } from "./savedSelections";
import { ClustersTree } from "./tree";
import { openWalkthroughOnFirstRun } from "./walkthrough";

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const saved = new SavedSelectionsStore();
  const tree = new ClustersTree(saved);
  const views = new ResultsViews(
    context.extensionUri,
    (file, selection) => {
      tree.reveal(file, selection).catch((e: unknown) => log.warn(`cannot reveal the selection in the tree: ${String(e)}`));
    },
    saved,
  );
  const comparisons = new CompareViews(context.extensionUri, (file, selection) => views.showSelection(file, selection));
  const checks = new ExperimentChecks(join(context.extensionPath, "dist", "checkWorker.js"), log);
  const parts = {
    runner: new Runner(join(context.extensionPath, "dist", "worker.js")),
    checks,
    diagnostics: new ExperimentDiagnostics(checks),
    views,
    comparisons,
    tree,
    saved,
  };
  context.subscriptions.push(
    log,
    saved,
    tree,
    views,
    comparisons,
    parts.runner,
    checks,
    parts.diagnostics,
    registerQuickFixes(parts.diagnostics),
    ...registerCommands(parts),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, views),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, comparisons),
    vscode.window.registerCustomEditorProvider(RESULTS_EDITOR_TYPE, views),
  );
  log.info(`MTQ Signatures ${context.extension.packageJSON.version} activated`);
  openWalkthroughOnFirstRun(context, log);
}
