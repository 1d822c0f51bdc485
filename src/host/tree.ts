// The MTQ sidebar's clusters tree: one root per results file (found in the workspace or opened),
// each loaded when first expanded, with its named selections under it. Clicking a cluster, an image
// or a named selection selects it in the results view; a selection made in the view is revealed here.
import { basename } from "node:path";
import * as vscode from "vscode";
import type { LoadedResults } from "../results/read";
import type { SavedSelections, Selection } from "../shared/protocol";
import { errorMessage, log } from "./log";
import { PixelBatches } from "./pixelBatches";
import { resultsFiles } from "./resultsFile";
import type { SavedSelectionsStore } from "./savedSelections";
import { imagePng, pngDataUri } from "./thumbnail";
import { childrenOf, experimentNode, lookOf, NONE_SAVED, nodeForSelection, parentOf, selectionOf, type TreeNode } from "./treeModel";

export const TREE_VIEW_ID = "mtq.clusters";
/** Internal: the command a tree item runs when clicked. */
export const SELECT_COMMAND = "mtq.selectInResults";

export class ClustersTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly files = new Set<string>();
  private readonly loaded = new Map<string, Promise<LoadedResults>>();
  /** One object per node id: TreeView.reveal finds elements by identity. */
  private readonly nodes = new Map<string, TreeNode>();
  private readonly thumbnails = new PixelBatches();
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly saved: SavedSelectionsStore) {
    this.view = vscode.window.createTreeView(TREE_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    const watcher = vscode.workspace.createFileSystemWatcher("**/*.results.json");
    this.subscriptions = [
      this.view,
      this.changed,
      watcher,
      watcher.onDidCreate((u) => this.add(u.fsPath)),
      watcher.onDidChange((u) => this.reload(u.fsPath)),
      watcher.onDidDelete((u) => this.remove(u.fsPath)),
      saved.onDidChange((file) => {
        if (this.files.has(file)) this.changed.fire(undefined);
      }),
    ];
    void vscode.workspace.findFiles("**/*.results.json", "**/node_modules/**").then((uris) => uris.forEach((u) => this.add(u.fsPath)));
  }

  /** Shows a results file in the tree (a run's output, a file opened by a command). */
  add(file: string): void {
    if (this.files.has(file)) return this.reload(file);
    this.files.add(file);
    this.changed.fire(undefined);
  }

  /** Selects in the tree the node standing for a selection made in the results view. */
  async reveal(file: string, selection: Selection | null): Promise<void> {
    // Revealing opens the sidebar: only do it when the user is looking at the tree already.
    if (!selection || !this.view.visible || !this.files.has(file)) return;
    const { results } = await this.load(file);
    const node = nodeForSelection(file, results, selection, await this.savedOf(file, results));
    if (node) await this.view.reveal(this.intern(node), { select: true, focus: false });
  }

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!node) return [...this.files].sort().map((f) => this.intern(experimentNode(f)));
    return this.load(node.file).then(
      async ({ results }) => childrenOf(node, results, await this.savedOf(node.file, results)).map((n) => this.intern(n)),
      () => [],
    );
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const parent = parentOf(node);
    return parent && this.intern(parent);
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    let loaded: LoadedResults;
    try {
      loaded = await this.load(node.file);
    } catch (e) {
      const item = new vscode.TreeItem(basename(node.file), vscode.TreeItemCollapsibleState.None);
      item.description = "cannot be read";
      item.tooltip = `${node.file}\n${errorMessage(e)}`;
      item.iconPath = new vscode.ThemeIcon("error");
      return item;
    }
    // Only a named selection's row needs them: a collapsed results file does not watch its selections file.
    const saved = node.kind === "selections" || node.kind === "selection" ? await this.savedOf(node.file, loaded.results) : NONE_SAVED;
    const look = lookOf(node, loaded.results, saved);
    const item = new vscode.TreeItem(
      look.label,
      look.expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = node.id;
    item.description = look.description;
    item.tooltip = look.tooltip;
    item.contextValue = node.kind;
    item.iconPath = "codicon" in look.icon ? new vscode.ThemeIcon(look.icon.codicon) : await this.thumbnail(loaded, look.icon.image);
    if (node.kind === "experiment") item.resourceUri = vscode.Uri.file(node.file);
    if (selectionOf(node, loaded.results, saved)) item.command = { command: SELECT_COMMAND, title: "Select in Results", arguments: [node] };
    return item;
  }

  /**
   * Opens a clicked cluster or the outliers as well as selecting their images: a row whose click
   * runs a command does not expand on that click in VS Code (only on its twistie).
   */
  async expand(node: TreeNode): Promise<void> {
    if (node.kind === "cluster" || node.kind === "outliers")
      await this.view.reveal(this.intern(node), { select: false, focus: false, expand: true });
  }

  /** The images a clicked node stands for. */
  async selectionFor(node: TreeNode): Promise<Selection | undefined> {
    const { results } = await this.load(node.file);
    return selectionOf(node, results, await this.savedOf(node.file, results));
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }

  private savedOf(file: string, results: LoadedResults["results"]): Promise<SavedSelections> {
    return this.saved.read(file, results.images.count);
  }

  private load(file: string): Promise<LoadedResults> {
    let loading = this.loaded.get(file);
    if (!loading) {
      loading = resultsFiles.read(file);
      loading.catch((e: unknown) => log().warn(`cannot read ${file}: ${errorMessage(e)}`));
      this.loaded.set(file, loading);
    }
    return loading;
  }

  private reload(file: string): void {
    if (!this.files.has(file)) return;
    this.loaded.delete(file);
    this.changed.fire(undefined);
  }

  private remove(file: string): void {
    this.files.delete(file);
    this.loaded.delete(file);
    this.changed.fire(undefined);
  }

  private intern(node: TreeNode): TreeNode {
    const known = this.nodes.get(node.id);
    if (known) return known;
    this.nodes.set(node.id, node);
    return node;
  }

  /** The image's thumbnail, or a plain icon when the results have no pixels (imported signatures without thumbnails). */
  private async thumbnail(loaded: LoadedResults, image: number): Promise<vscode.Uri | vscode.ThemeIcon> {
    const { rows, cols, channels = 1 } = loaded.results.images;
    if (rows * cols === 0) return new vscode.ThemeIcon("symbol-numeric");
    return vscode.Uri.parse(pngDataUri(imagePng(await this.thumbnails.pixelsOf(loaded, image), rows, cols, channels)));
  }
}
