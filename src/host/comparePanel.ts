// The comparison view (MTQ: Compare Results): two results files compared once when opened, shown
// by the same webview bundle as the results view. Its selections go to either file's results view.
// Like the results view, it is restored after a window reload (the serializer): the webview keeps
// the two files in its state (CompareState), and the restored panel reads them again.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import * as vscode from "vscode";
import { compareResults, imagesInB } from "../results/compare";
import type { Comparison } from "../shared/comparison";
import { unhandledMessage, type CompareState, type FromCompareView, type Selection, type ToCompareView } from "../shared/protocol";
import type { LoadedResults } from "../results/read";
import { comparedFilesOf, compareTitle, missingComparedMessage, type ComparedFiles } from "./compareState";
import { errorMessage, log, showError } from "./log";
import { showWebviewPage } from "./panel";
import { selectionOf } from "./postedSelection";
import { pixelsOf, resultsFiles } from "./resultsFile";

export const COMPARE_VIEW_TYPE = "mtq.compare";

/** Selects `selection` (images of `file`) in that file's results view. */
export type ShowInResults = (file: string, selection: Selection) => void;

interface Compared {
  comparison: Comparison;
  /** A's results: the view draws its images. */
  a: LoadedResults;
}

async function compareFiles(files: ComparedFiles): Promise<Compared> {
  const [a, b] = await Promise.all([resultsFiles.read(files.a), resultsFiles.read(files.b)]);
  return { comparison: compareResults(a.results, b.results, files.a, files.b), a };
}

/** Every open comparison view. */
export class CompareViews implements vscode.Disposable, vscode.WebviewPanelSerializer<CompareState> {
  private readonly panels = new Set<vscode.WebviewPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly showInResults: ShowInResults,
  ) {}

  /** Compares A with B in a new view. The files are read first: an error opens no empty panel. */
  async open(a: string, b: string): Promise<void> {
    const files = { a, b };
    const compared = await compareFiles(files);
    this.attach(
      vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, compareTitle(files), vscode.ViewColumn.Active),
      files,
      Promise.resolve(compared),
    );
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: CompareState | undefined): Promise<void> {
    const files = comparedFilesOf(state);
    if (!files) {
      log().warn("a comparison view without saved state cannot be restored; closing it");
      panel.dispose();
      return;
    }
    log().info(`restoring the comparison of ${files.a} with ${files.b}`);
    // Read again from disk: a file gone since is named with the fix; any other error (a file
    // rewritten by another version) keeps the reader's message, which names its fix too.
    const missing = missingComparedMessage(files, existsSync);
    const compared = missing
      ? Promise.reject(new Error(missing))
      : compareFiles(files).catch((e: unknown) => {
          throw new Error(`MTQ cannot reopen the comparison of ${files.a} with ${files.b}: ${errorMessage(e)}`);
        });
    this.attach(panel, files, compared);
  }

  dispose(): void {
    for (const panel of this.panels) panel.dispose();
  }

  private attach(panel: vscode.WebviewPanel, files: ComparedFiles, compared: Promise<Compared>): void {
    this.panels.add(panel);
    panel.onDidDispose(() => this.panels.delete(panel));
    panel.title = compareTitle(files);
    showWebviewPage(panel, this.extensionUri, `Comparing ${basename(files.a)} with ${basename(files.b)}…`);
    const post = (message: ToCompareView) => void panel.webview.postMessage(message);
    // A restored panel whose files cannot be read says why in its place (on every show), and
    // once in a notification. Its state is kept: the next reload tries the files again.
    const failed = compared.then(
      () => undefined,
      (e: unknown) => {
        void showError(errorMessage(e), e);
        return errorMessage(e);
      },
    );
    const handle = async (message: FromCompareView) => {
      switch (message.type) {
        case "ready": {
          const why = await failed;
          if (why !== undefined) return post({ type: "unavailable", message: why });
          const { comparison, a } = await compared;
          return post({ type: "compare", comparison, a: a.posted, files });
        }
        case "showInResults": {
          const { comparison, a } = await compared;
          // A's images, listed or as a bitset of A's image count: another (a hostile view's) is ignored.
          const selection = selectionOf(message.selection, a.results.images.count);
          if (!selection)
            return log().warn(`Show in ${message.side.toUpperCase()}: the comparison posted a selection not of A's images; ignored`);
          const { images, label } = selection;
          if (message.side === "a") return this.showInResults(files.a, selection);
          // The view selects A's images; B's view wants its own numbers for the same source images.
          return this.showInResults(files.b, { images: imagesInB(comparison, images), label: `${label} (from the comparison)` });
        }
        case "pixels": {
          const { a } = await compared;
          return post({ type: "pixels", ...(await pixelsOf(a, message.images)) });
        }
        case "error":
          return showError(`MTQ comparison view: ${message.message}`);
        default:
          return unhandledMessage(message);
      }
    };
    panel.webview.onDidReceiveMessage((m: FromCompareView) =>
      handle(m).catch((e: unknown) => showError(`MTQ comparison view: ${errorMessage(e)}`, e)),
    );
  }
}
