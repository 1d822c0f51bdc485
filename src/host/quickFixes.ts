// Quick Fixes (Ctrl+.) on an experiment's problems whose fix is mechanical: the edit the check
// attached (rename a misspelt field, lower perDigit to what the data has, ...), applied to the
// field as it is in the editor now.
import * as vscode from "vscode";
import type { ExperimentDiagnostics } from "./diagnostics";
import { editRange } from "./problemDiagnostic";

class ExperimentQuickFixes implements vscode.CodeActionProvider {
  constructor(private readonly diagnostics: ExperimentDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const text = doc.getText();
    const actions = context.diagnostics.flatMap((diagnostic) => {
      const problem = this.diagnostics.problemFor(doc.uri, diagnostic);
      const edit = problem?.edit;
      const at = edit && editRange(text, problem.path, edit.target);
      if (!at) return [];
      const action = new vscode.CodeAction(edit.title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(at.offset), doc.positionAt(at.offset + at.length)), edit.newText);
      action.diagnostics = [diagnostic];
      return [action];
    });
    // The one fix on offer is the one "Auto Fix" (Shift+Alt+.) applies without asking.
    if (actions.length === 1) actions[0].isPreferred = true;
    return actions;
  }
}

export function registerQuickFixes(diagnostics: ExperimentDiagnostics): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider({ scheme: "file", pattern: "**/*.mtq.json" }, new ExperimentQuickFixes(diagnostics), {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  });
}
