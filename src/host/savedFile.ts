// The notification that confirms a file the user chose to save (a view's SVG, PNG or CSV, a
// table), with a button that opens it in VS Code and, on the desktop, one that shows it in the
// system's file manager.
import { posix } from "node:path";
import * as vscode from "vscode";
import { errorMessage, showError } from "./log";

const OPEN = "Open";
/** VS Code's own name for revealFileInOS on each platform (the Explorer's context menu). */
const REVEAL =
  process.platform === "darwin" ? "Reveal in Finder" : process.platform === "win32" ? "Reveal in File Explorer" : "Open Containing Folder";

/** Resolves when the notification is closed or its button's action is done: callers need not wait for it. */
export async function confirmSaved(file: vscode.Uri): Promise<void> {
  // The file manager that revealFileInOS opens is the window's machine's: none in a browser or for a remote window's files.
  const local = vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName && file.scheme === "file";
  const choice = await vscode.window.showInformationMessage(`Saved ${posix.basename(file.path)}`, OPEN, ...(local ? [REVEAL] : []));
  try {
    if (choice === OPEN) await vscode.commands.executeCommand("vscode.open", file);
    else if (choice === REVEAL) await vscode.commands.executeCommand("revealFileInOS", file);
  } catch (e) {
    await showError(`MTQ cannot open ${file.fsPath}: ${errorMessage(e)}`, e);
  }
}
