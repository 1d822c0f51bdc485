// The commands: MTQ: Train and Analyze, MTQ: Open Results, MTQ: Compare Results, MTQ: New
// Experiment, MTQ: Save Selection…, MTQ: Clear Selection, MTQ: Find Images, MTQ: Export Table…, MTQ: Open in
// Notebook, the tree's Delete Selection and its internal click command. Each finds its file (argument, tree row, active results
// view, active editor, workspace, dialog), then hands over to the runner, the views and the tree.
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import * as vscode from "vscode";
import type { Problem } from "../shared/problems";
import type { CompareViews } from "./comparePanel";
import { isExperimentFile, type ExperimentDiagnostics } from "./diagnostics";
import type { ExperimentChecks } from "./experimentChecks";
import { errorMessage, log, showError } from "./log";
import { openInNotebook } from "./openInNotebook";
import type { ResultsViews } from "./panel";
import { runOptionsFor } from "./runOptions";
import type { Runner } from "./runner";
import type { SavedSelectionsStore } from "./savedSelections";
import { settingsFor } from "./settings";
import { freeExperimentName, starterExperimentText } from "./starter";
import { exportTable } from "./tableExport";
import { SELECT_COMMAND, type ClustersTree } from "./tree";
import type { TreeNode } from "./treeModel";

export interface Parts {
  runner: Runner;
  checks: ExperimentChecks;
  diagnostics: ExperimentDiagnostics;
  views: ResultsViews;
  comparisons: CompareViews;
  tree: ClustersTree;
  saved: SavedSelectionsStore;
}

const EXPERIMENT_GLOB = "**/*.mtq.json";
const RESULTS_GLOB = "**/*.results.json";

/** A file given as argument, else the active editor's if it matches, else one the user picks. */
async function targetFile(arg: unknown, suffix: string, glob: string, what: string): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === "file" && active.path.endsWith(suffix)) return active;
  const found = await vscode.workspace.findFiles(glob, "**/node_modules/**");
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    const picked = await vscode.window.showQuickPick(
      found.map((uri) => ({ label: basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
      { placeHolder: `Choose ${what}` },
    );
    return picked?.uri;
  }
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { [what]: [suffix.slice(1)] },
    title: `Choose ${what}`,
  });
  return chosen?.[0];
}

async function trainAndAnalyze(parts: Parts, arg: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    // Training reads the data files an experiment names and writes results where the settings
    // say: both are up to whoever wrote the workspace, so it waits for the user's trust.
    const choice = await vscode.window.showWarningMessage(
      "MTQ does not train in an untrusted workspace: an experiment reads and writes files its author chose. Trust the workspace to train.",
      "Manage Workspace Trust",
    );
    if (choice) await vscode.commands.executeCommand("workbench.trust.manage");
    return;
  }
  const uri = await targetFile(arg, ".mtq.json", EXPERIMENT_GLOB, "an experiment (*.mtq.json)");
  if (!uri) return;
  const doc = await vscode.workspace.openTextDocument(uri);
  if (doc.isDirty) await doc.save();
  const file = uri.fsPath;
  // The save above asked the diagnostics for this very check: the two share the worker's answer.
  const checking = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `MTQ: checking ${basename(file)}` },
    () => parts.checks.check({ file, text: doc.getText() }),
  );
  if (checking.type === "failed") return showError(`MTQ: checking ${basename(file)} failed: ${checking.message}`);
  if (checking.type === "superseded") return log().info(`${file} changed while it was checked: not run`);
  if (!checking.checked.ok) return showProblems(parts, doc, checking.checked.problems);
  const { name } = checking.checked.experiment;
  const options = runOptionsFor(settingsFor(uri), name, file, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
  // The worker writes the results file but does not create a configured results folder.
  await vscode.workspace.fs.createDirectory(vscode.Uri.file(dirname(options.outFile)));
  log().info(
    `training ${file} -> ${options.outFile} (backend ${options.backend}${options.seed === undefined ? "" : `, seed ${options.seed} from mtq.defaultSeed`})`,
  );
  const outcome = await parts.runner.run(file, name, options);
  switch (outcome?.type) {
    case undefined:
      return;
    case "done":
      log().info(outcome.summary);
      parts.tree.add(outcome.resultsFile);
      parts.views.open(outcome.resultsFile);
      void vscode.window.showInformationMessage(`MTQ: ${outcome.summary.split("\n")[0]}`);
      return;
    case "invalid":
      return showProblems(parts, doc, outcome.problems);
    case "cancelled":
      log().info(`${name}: cancelled, nothing written`);
      void vscode.window.showInformationMessage(`MTQ: training "${name}" was cancelled; nothing was written.`);
      return;
    case "failed":
      return showError(`MTQ: training "${name}" failed: ${outcome.message}`, outcome.stack ?? outcome.message);
  }
}

async function showProblems(parts: Parts, doc: vscode.TextDocument, problems: Problem[]): Promise<void> {
  parts.diagnostics.show(doc, problems);
  log().warn(`${doc.uri.fsPath}: ${problems.length} problem(s), not run`);
  const choice = await vscode.window.showErrorMessage(
    `MTQ: ${basename(doc.uri.fsPath)} has ${problems.length} problem${problems.length === 1 ? "" : "s"}; fix them to train.`,
    "Show Problems",
  );
  if (choice) await vscode.commands.executeCommand("workbench.actions.view.problems");
}

async function openResults(parts: Parts, arg: unknown): Promise<void> {
  const uri = await targetFile(arg, ".results.json", RESULTS_GLOB, "a results file (*.results.json)");
  if (!uri) return;
  parts.tree.add(uri.fsPath);
  parts.views.open(uri.fsPath);
}

/** Two results files: the Explorer's two selected ones, else two the user picks. */
async function twoResultsFiles(arg: unknown, selected: unknown): Promise<vscode.Uri[] | undefined> {
  const fromExplorer = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (fromExplorer.length === 2) return fromExplorer;
  // Sorted, so the list (whose first ticked entry is A) is the same every time.
  const found = (await vscode.workspace.findFiles(RESULTS_GLOB, "**/node_modules/**")).sort((x, y) => (x.fsPath < y.fsPath ? -1 : 1));
  const first = arg instanceof vscode.Uri ? [arg] : [];
  if (found.length >= 2) {
    const picked = await vscode.window.showQuickPick(
      found.map((uri) => ({
        label: basename(uri.fsPath),
        description: vscode.workspace.asRelativePath(uri),
        uri,
        picked: first.some((f) => f.fsPath === uri.fsPath),
      })),
      { canPickMany: true, placeHolder: "Choose two results files to compare (the first is A)" },
    );
    return picked && exactlyTwo(picked.map((p) => p.uri));
  }
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: true,
    filters: { "MTQ results": ["json"] },
    title: "Choose two results files to compare",
  });
  return chosen && exactlyTwo(chosen);
}

function exactlyTwo(uris: vscode.Uri[]): vscode.Uri[] | undefined {
  if (uris.length === 2) return uris;
  void vscode.window.showWarningMessage(`MTQ: choose exactly two results files to compare (${uris.length} chosen).`);
  return undefined;
}

async function compareResultsFiles(parts: Parts, arg: unknown, selected: unknown): Promise<void> {
  const files = await twoResultsFiles(arg, selected);
  if (!files) return;
  const [a, b] = files.map((u) => u.fsPath);
  log().info(`comparing ${a} with ${b}`);
  await parts.comparisons.open(a, b);
}

/** Where a new experiment goes: the workspace folder (the user picks among several), else a dialog. */
async function newExperimentFile(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    folders.length > 1 ? await vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder for the new experiment" }) : folders[0];
  if (folder) {
    const dir = folder.uri.fsPath;
    return vscode.Uri.file(join(dir, `${freeExperimentName((f) => existsSync(join(dir, f)))}.mtq.json`));
  }
  if (folders.length > 1) return undefined;
  return vscode.window.showSaveDialog({ filters: { "MTQ experiment": ["mtq.json"] }, title: "New MTQ experiment" });
}

async function newExperiment(): Promise<void> {
  const uri = await newExperimentFile();
  if (!uri) return;
  // The name must be valid (letters, digits, . _ -) and ends up in the results file's name.
  const name =
    basename(uri.fsPath)
      .replace(/\.mtq\.json$|\.json$/, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-") || "experiment";
  const file = isExperimentFile(uri) ? uri : vscode.Uri.file(`${uri.fsPath.replace(/\.json$/, "")}.mtq.json`);
  await vscode.workspace.fs.writeFile(file, Buffer.from(starterExperimentText(name), "utf8"));
  await vscode.window.showTextDocument(file);
}

async function selectInResults(parts: Parts, node: TreeNode): Promise<void> {
  const selection = await parts.tree.selectionFor(node);
  if (selection) parts.views.showSelection(node.file, selection);
  await parts.tree.expand(node);
}

/**
 * Escape in the results view or the clusters tree: nothing selected in the results view shown in
 * the editor (the view clears it itself when it has the keyboard; from the tree, through the
 * view's `select` message). From the tree (`from` "tree", the keybinding's argument) its row is
 * deselected too, as Escape does in any list.
 */
async function clearSelection(parts: Parts, from: unknown): Promise<void> {
  if (from === "tree") await vscode.commands.executeCommand("list.clear");
  const view = parts.views.active();
  if (view) parts.views.showSelection(view.file, null);
}

/** Ctrl+F (Cmd+F) in the results view, or the palette: the keyboard goes to the view's search box. */
function findImages(parts: Parts): void {
  const view = parts.views.active();
  if (!view) return void vscode.window.showInformationMessage("MTQ: open a results view (MTQ: Open Results) to find images in it.");
  parts.views.focusSearch(view.file);
}

/** Is `arg` a row of the clusters tree (a command run from its context menu)? */
function isTreeNode(arg: unknown): arg is TreeNode {
  return typeof arg === "object" && arg !== null && "kind" in arg && "file" in arg && typeof arg.file === "string";
}

/** The results file a command acts on: the tree row's, the Explorer's, the results view the user is in, else one they pick. */
async function resultsFileOf(parts: Parts, arg: unknown): Promise<string | undefined> {
  if (isTreeNode(arg)) return arg.file;
  if (!(arg instanceof vscode.Uri)) {
    const view = parts.views.active();
    if (view) return view.file;
  }
  return (await targetFile(arg, ".results.json", RESULTS_GLOB, "a results file (*.results.json)"))?.fsPath;
}

async function saveSelection(parts: Parts): Promise<void> {
  const view = parts.views.active();
  if (!view) return void vscode.window.showInformationMessage("MTQ: open a results view and select images in it, then save them.");
  if (!view.selection)
    return void vscode.window.showInformationMessage(
      "MTQ: nothing is selected: lasso points on a map, or click a Sankey node or a finding.",
    );
  await parts.saved.save(view.file, view.selection);
}

/** A tree row's images (a cluster, the outliers, a named selection; every image for a results row), else the view's selection or every image. */
async function exportTableOf(parts: Parts, arg: unknown): Promise<void> {
  if (isTreeNode(arg)) {
    const rows = arg.kind === "experiment" ? null : await parts.tree.selectionFor(arg);
    if (rows === undefined) return;
    return exportTable(arg.file, parts.saved, [rows]);
  }
  const view = arg instanceof vscode.Uri ? undefined : parts.views.active();
  if (view) return exportTable(view.file, parts.saved, view.selection ? [view.selection, null] : [null]);
  const file = await resultsFileOf(parts, arg);
  if (file) await exportTable(file, parts.saved, [null]);
}

async function deleteSelection(parts: Parts, arg: unknown): Promise<void> {
  if (isTreeNode(arg) && arg.kind === "selection") await parts.saved.delete(arg.file, arg.name);
}

async function openNotebook(parts: Parts, arg: unknown): Promise<void> {
  const file = await resultsFileOf(parts, arg);
  if (file) await openInNotebook(file, parts.saved);
}

/** Runs a command body, turning any error into a notification with the log behind it. */
function guarded<A extends unknown[]>(title: string, body: (...args: A) => Promise<void>) {
  return (...args: A) => body(...args).catch((e: unknown) => showError(`MTQ: ${title} failed: ${errorMessage(e)}`, e));
}

export function registerCommands(parts: Parts): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(
      "mtq.trainAndAnalyze",
      guarded("Train and Analyze", (arg?: unknown) => trainAndAnalyze(parts, arg)),
    ),
    vscode.commands.registerCommand(
      "mtq.openResults",
      guarded("Open Results", (arg?: unknown) => openResults(parts, arg)),
    ),
    vscode.commands.registerCommand(
      "mtq.compareResults",
      guarded("Compare Results", (arg?: unknown, selected?: unknown) => compareResultsFiles(parts, arg, selected)),
    ),
    vscode.commands.registerCommand("mtq.newExperiment", guarded("New Experiment", newExperiment)),
    vscode.commands.registerCommand(
      "mtq.saveSelection",
      guarded("Save Selection", () => saveSelection(parts)),
    ),
    vscode.commands.registerCommand(
      "mtq.clearSelection",
      guarded("Clear Selection", (from?: unknown) => clearSelection(parts, from)),
    ),
    vscode.commands.registerCommand(
      "mtq.findImages",
      guarded("Find Images", async () => findImages(parts)),
    ),
    vscode.commands.registerCommand(
      "mtq.exportTable",
      guarded("Export Table", (arg?: unknown) => exportTableOf(parts, arg)),
    ),
    vscode.commands.registerCommand(
      "mtq.deleteSelection",
      guarded("Delete Selection", (arg?: unknown) => deleteSelection(parts, arg)),
    ),
    vscode.commands.registerCommand(
      "mtq.openInNotebook",
      guarded("Open in Notebook", (arg?: unknown) => openNotebook(parts, arg)),
    ),
    vscode.commands.registerCommand(
      SELECT_COMMAND,
      guarded("Select in Results", (node: TreeNode) => selectInResults(parts, node)),
    ),
  ];
}
