// The comparison view (MTQ: Compare Results): two results files compared once when opened, shown
// by the same webview bundle as the results view. Its selections go to either file's results view.
import { basename } from "node:path";
import * as vscode from "vscode";
import { compareResults, imagesInB } from "../pipeline/compare";
import type { Selection, WebviewToHost } from "../shared/protocol";
import { errorMessage, showError } from "./log";
import { showWebviewPage } from "./panel";
import { readResultsFile } from "./resultsFile";

export const COMPARE_VIEW_TYPE = "mtq.compare";

/** Selects `selection` (images of `file`) in that file's results view. */
export type ShowInResults = (file: string, selection: Selection) => void;

const shortName = (file: string) => basename(file).replace(/\.results\.json$/, "");

export async function openComparison(extensionUri: vscode.Uri, fileA: string, fileB: string, showInResults: ShowInResults): Promise<void> {
  const [a, b] = await Promise.all([readResultsFile(fileA), readResultsFile(fileB)]);
  const comparison = compareResults(a.results, b.results, fileA, fileB);
  const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `MTQ: ${shortName(fileA)} vs ${shortName(fileB)}`, vscode.ViewColumn.Active);
  showWebviewPage(panel, extensionUri);
  const handle = async (message: WebviewToHost) => {
    switch (message.type) {
      case "ready":
        await panel.webview.postMessage({ type: "compare", comparison, a: a.results });
        return;
      case "showInResults": {
        const { images, label } = message.selection;
        if (message.side === "a") return showInResults(fileA, message.selection);
        // The view selects A's images; B's view wants its own numbers for the same source images.
        return showInResults(fileB, { images: imagesInB(comparison, images), label: `${label} (from the comparison)` });
      }
      case "error":
        return showError(`MTQ comparison view: ${message.message}`);
    }
  };
  panel.webview.onDidReceiveMessage((m: WebviewToHost) => handle(m).catch((e: unknown) => showError(`MTQ comparison view: ${errorMessage(e)}`, e)));
}
