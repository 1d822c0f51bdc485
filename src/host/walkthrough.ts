// The walkthrough (package.json's contributes.walkthroughs), shown once: on the extension's first
// activation. VS Code opens a walkthrough by itself only when the extension is installed from a
// running window; installed from a .vsix on the command line, or before the window opened, it
// would not, so the extension opens it, once, and as VS Code would: only while the user's
// `workbench.welcomePage.walkthroughs.openOnInstall` lets walkthroughs open on install, where the
// extension host can read that setting (code-server's remote extension host reads only its
// default, true, whatever the user set).
import * as vscode from "vscode";

/** globalState: true once the first activation has offered the walkthrough. */
const OFFERED = "mtq.walkthroughOffered";

/** Does not wait for the walkthrough to open: activation goes on. */
export function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  if (context.globalState.get<boolean>(OFFERED)) return;
  void context.globalState.update(OFFERED, true);
  if (!vscode.workspace.getConfiguration("workbench.welcomePage").get<boolean>("walkthroughs.openOnInstall", true)) return;
  // package.json's one walkthrough: its id is written there only.
  const walkthrough: string = context.extension.packageJSON.contributes.walkthroughs[0].id;
  vscode.commands
    .executeCommand("workbench.action.openWalkthrough", `${context.extension.id}#${walkthrough}`, false)
    .then(undefined, (e: unknown) => log.warn(`cannot open the walkthrough: ${String(e)}`));
}
