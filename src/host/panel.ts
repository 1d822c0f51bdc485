// The results view: a webview showing one results file, whether opened by a command, restored
// after a reload (the serializer) or opened from the Explorer (the custom editor), with the named
// selections saved beside it. One message handler per view, switching on the protocol's message type.
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import {
  unhandledMessage,
  type ExportFormat,
  type FromResultsView,
  type PostedSelection,
  type Selection,
  type ToResultsView,
  type WebviewState,
} from "../shared/protocol";
import { storedNeighbours } from "../results/neighbours";
import type { LoadedResults, ViewedResults } from "../results/read";
import { EXPORT_FILTERS, exportBytes } from "./exportFile";
import { errorMessage, log, showError } from "./log";
import { loadingText, pixelsOf, resultsFiles } from "./resultsFile";
import { confirmSaved } from "./savedFile";
import type { SavedSelectionsStore } from "./savedSelections";
import { selectionOf } from "./postedSelection";
import { postedSelection } from "../shared/selectionBits";
import { exportTable } from "./tableExport";
import { resultsName, resultsUnavailableMessage } from "./unavailable";
import { newNonce, resultsPageHtml } from "./webviewHtml";

export const RESULTS_VIEW_TYPE = "mtq.results";
export const RESULTS_EDITOR_TYPE = "mtq.resultsEditor";

/** Told when the user selects images in a view, so the tree can reveal them. */
export type SelectionListener = (resultsFile: string, selection: Selection | null) => void;

function resultsTitle(file: string): string {
  return `MTQ: ${resultsName(file)}`;
}

/** Loads the webview bundle into `panel` (the results view and the comparison view share it), saying `loading` until it draws. */
export function showWebviewPage(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, loading: string): void {
  const dist = vscode.Uri.joinPath(extensionUri, "dist");
  const webview = panel.webview;
  webview.options = { enableScripts: true, localResourceRoots: [dist, vscode.Uri.joinPath(extensionUri, "media")] };
  webview.html = resultsPageHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.js")).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, "webview.css")).toString(),
    nonce: newNonce(),
    loading,
  });
  panel.iconPath = vscode.Uri.joinPath(extensionUri, "media", "mtq.svg");
}

class ResultsView {
  selection: Selection | null = null;
  /** The selection as the view posted it (a bitset's base64 when shorter), posted back with `load`: half a million images listed are about 3.5 MB of JSON. */
  private posted: PostedSelection | null = null;
  /** The read error last notified: the panel says it on every show, the notification comes once. */
  private notified: string | undefined;
  /**
   * The results the view shows: the named selections are checked against their image count, and
   * the view's pixels read from their .bin (not read again per request: a file written again since
   * would give another run's pixels); `loaded`, all their columns once read (the neighbours' come
   * after the view is posted).
   */
  private shown: { viewed: ViewedResults; loaded: Promise<LoadedResults> } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly file: string,
    posted: PostedSelection | null,
    extensionUri: vscode.Uri,
    private readonly onSelection: SelectionListener,
    private readonly saved: SavedSelectionsStore,
  ) {
    // Known once the results' image count is (load): a restored view's may be a bitset.
    this.select(null, posted);
    showWebviewPage(panel, extensionUri, loadingText(file));
    panel.webview.onDidReceiveMessage((m: FromResultsView) =>
      this.handle(m).catch((e: unknown) => showError(`MTQ results view: ${errorMessage(e)}`, e)),
    );
    const watching = saved.onDidChange((file) => {
      if (file === this.file) void this.sendSaved();
    });
    panel.onDidDispose(() => watching.dispose());
  }

  /** Takes `selection` as the view's, as the view `posted` it (a tree's pick is posted as it is). */
  select(selection: Selection | null, posted: PostedSelection | null = selection): void {
    this.selection = selection;
    this.posted = posted;
  }

  /** Selects images picked elsewhere (the tree, a comparison's Show in A/B): posted as a bitset when that is shorter, as the view posts its own. */
  selectFromHost(selection: Selection | null): void {
    const count = this.shown?.viewed.posted.header.images.count;
    const posted = selection && count !== undefined ? postedSelection(selection, count) : selection;
    this.select(selection, posted);
    this.post({ type: "select", selection: posted });
  }

  post(message: ToResultsView): void {
    void this.panel.webview.postMessage(message);
  }

  /**
   * Sends the results file as it is on disk now (at start, again after a new run wrote it, and on
   * every show: the webview is rebuilt then). A file that cannot be read (gone since, another
   * version's, not JSON) is said in the panel's place, and once in a notification; the webview
   * keeps its state, so the next show or window reload tries the file again.
   */
  async load(): Promise<void> {
    let shown: { viewed: ViewedResults; loaded: Promise<LoadedResults> };
    try {
      shown = await resultsFiles.reading(this.file);
    } catch (e) {
      const message = resultsUnavailableMessage(this.file, errorMessage(e), existsSync);
      this.post({ type: "unavailable", message });
      if (message === this.notified) return;
      this.notified = message;
      return showError(message, e);
    }
    this.notified = undefined;
    const { viewed } = shown;
    if (viewed.format === "json")
      log().info(`${this.file} is an all-JSON results file of before the .bin: read as such; a new run writes it as a header and its .bin`);
    this.shown = shown;
    const count = viewed.posted.header.images.count;
    if (this.selection === null && this.posted !== null) {
      // A view opened or restored with a selection: the tree, Save Selection and Export Table see it before the user selects again.
      const posted = this.posted;
      const selection = selectionOf(posted, count);
      // A tree's pick that opened the view is listed: posted as a bitset when that is shorter, as the view's own are.
      this.select(selection, selection && ("bits" in posted ? posted : postedSelection(selection, count)));
      if (selection) this.onSelection(this.file, selection);
    }
    const saved = await this.saved.read(this.file, count);
    this.post({ type: "load", ...viewed.posted, selection: this.posted ?? undefined, resultsFile: this.file, saved });
  }

  /** The named selections again, after their file changed (a save, a delete, an edit on disk). */
  private async sendSaved(): Promise<void> {
    // Not loaded (the results could not be read): the next load says why, and sends them.
    if (this.shown === undefined) return;
    this.post({ type: "saved", saved: await this.saved.read(this.file, this.shown.viewed.posted.header.images.count) });
  }

  private async handle(message: FromResultsView): Promise<void> {
    switch (message.type) {
      case "ready":
        return this.load();
      case "selectionChanged": {
        // Sent only by a view shown, so with its results' image count.
        if (!this.shown) return;
        const selection = selectionOf(message.selection, this.shown.viewed.posted.header.images.count);
        this.select(selection, selection && message.selection);
        this.onSelection(this.file, selection);
        return;
      }
      case "export":
        return this.saveExport(message.format, message.suggestedName, message.data);
      case "exportTable": {
        if (message.selection === null) return exportTable(this.file, this.saved, [null], message.epoch);
        const selection = this.readPosted(message.selection, "Export Table");
        if (selection) await exportTable(this.file, this.saved, [selection, null], message.epoch);
        return;
      }
      case "saveSelection": {
        const selection = this.readPosted(message.selection, "Save Selection");
        if (selection) await this.saved.save(this.file, selection);
        return;
      }
      case "deleteSelection":
        return this.saved.delete(this.file, message.name);
      case "pixels":
        // Asked only once the view has its results: from the same read, so from the run it shows.
        if (this.shown) this.post({ type: "pixels", ...(await pixelsOf(this.shown.viewed, message.images)) });
        return;
      case "neighbours":
        // From the results shown, as the pixels: the view's image numbers are theirs.
        if (this.shown)
          this.post({
            type: "neighbours",
            image: message.image,
            ...(message.epoch !== undefined && { epoch: message.epoch }),
            layers: storedNeighbours((await this.shown.loaded).results, message.image, message.epoch),
          });
        return;
      case "error":
        return showError(`MTQ results view: ${message.message}`);
      default:
        return unhandledMessage(message);
    }
  }

  /**
   * The selection the view posted for `action` (listed, or as a bitset), read against the results it
   * shows: none, and a warning in the log, for one that is not of them (a bitset of another length
   * or not base64, a list of other things) or before the view has its results.
   */
  private readPosted(posted: PostedSelection, action: string): Selection | null {
    const selection = this.shown ? selectionOf(posted, this.shown.viewed.posted.header.images.count) : null;
    if (!selection) log().warn(`${action}: the results view of ${this.file} posted a selection that is not one of its results; ignored`);
    return selection;
  }

  private async saveExport(format: ExportFormat, suggestedName: string, data: string): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.Uri.file(this.file), "..", suggestedName),
      filters: EXPORT_FILTERS[format],
      title: `Export ${format.toUpperCase()}`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, exportBytes(format, data));
    log().info(`exported ${format} to ${target.fsPath}`);
    void confirmSaved(target);
  }
}

/** Every open results view, by results file. */
export class ResultsViews implements vscode.Disposable, vscode.WebviewPanelSerializer<WebviewState>, vscode.CustomReadonlyEditorProvider {
  private readonly views = new Set<ResultsView>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onSelection: SelectionListener,
    private readonly saved: SavedSelectionsStore,
  ) {}

  /** Shows `file` in its view, opening one (with `selection`) if there is none. */
  open(file: string, selection: Selection | null = null): void {
    const view = this.viewOf(file);
    if (view) {
      view.panel.reveal(undefined, true);
      // The file may have been written again since (a new run): show it as it is now.
      void view.load();
    } else this.attach(vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, resultsTitle(file), vscode.ViewColumn.Active), file, selection);
  }

  /** Selects images picked in the tree, in the file's view. */
  showSelection(file: string, selection: Selection | null): void {
    const view = this.viewOf(file);
    if (!view) return this.open(file, selection);
    view.panel.reveal(undefined, true);
    view.selectFromHost(selection);
  }

  /** Puts the keyboard in the search box of the file's view (MTQ: Find Images). */
  focusSearch(file: string): void {
    const view = this.viewOf(file);
    if (!view) return;
    view.panel.reveal(undefined, false);
    view.post({ type: "focusSearch" });
  }

  /** The results view the user is in (a webview panel or the custom editor), if any. */
  active(): { file: string; selection: Selection | null } | undefined {
    return [...this.views].find((v) => v.panel.active);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewState | undefined): Promise<void> {
    if (!state?.resultsFile) {
      log().warn("a results view without saved state cannot be restored; closing it");
      panel.dispose();
      return;
    }
    const selection = state.selection ?? state.selectionBits ?? null;
    log().info(`restoring the results view of ${state.resultsFile}${selection ? ` with ${selection.label} selected` : ""}`);
    this.attach(panel, state.resultsFile, selection);
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    this.attach(panel, document.uri.fsPath, null);
  }

  dispose(): void {
    for (const view of this.views) view.panel.dispose();
  }

  private viewOf(file: string): ResultsView | undefined {
    return [...this.views].find((v) => v.file === file);
  }

  private attach(panel: vscode.WebviewPanel, file: string, selection: PostedSelection | null): void {
    const view = new ResultsView(panel, file, selection, this.extensionUri, this.onSelection, this.saved);
    this.views.add(view);
    panel.onDidDispose(() => this.views.delete(view));
  }
}
