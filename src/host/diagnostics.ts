// Diagnostics for `*.mtq.json` on open and save: the CLI's checks (the schema, the fields between
// them, and the data: digits present, enough images) shown on the field each problem names.
import * as vscode from "vscode";
import { checkExperimentData } from "../pipeline/data/prepare";
import { parseExperiment } from "../pipeline/validate";
import type { Problem } from "../shared/problems";
import { errorMessage, log } from "./log";
import { problemRange, problemText } from "./problemDiagnostic";

export function isExperimentFile(uri: vscode.Uri): boolean {
  return uri.scheme === "file" && uri.path.endsWith(".mtq.json");
}

export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("mtq");
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.check(doc)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.check(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.collection.delete(doc.uri)),
      // The data checks read files the experiment names: only once the workspace is trusted.
      vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.workspace.textDocuments.forEach((doc) => this.check(doc))),
    ];
    vscode.workspace.textDocuments.forEach((doc) => this.check(doc));
  }

  /** Checks an experiment document as the CLI would, from its text in the editor. */
  check(doc: vscode.TextDocument): void {
    if (!isExperimentFile(doc.uri)) return;
    const file = doc.uri.fsPath;
    const started = Date.now();
    try {
      const parsed = parseExperiment(doc.getText(), file);
      const problems = parsed.experiment && vscode.workspace.isTrusted ? checkExperimentData(parsed.experiment, file) : parsed.problems;
      this.show(doc, problems);
      log().debug(`checked ${file} in ${Date.now() - started} ms: ${problems.length} problem(s)`);
    } catch (e) {
      log().error(`checking ${file} failed: ${errorMessage(e)}`);
    }
  }

  /** Shows problems found elsewhere (a run the worker refused) on an experiment document. */
  show(doc: vscode.TextDocument, problems: Problem[]): void {
    const text = doc.getText();
    const file = doc.uri.fsPath;
    this.collection.set(
      doc.uri,
      problems.map((p) => {
        const { offset, length } = problemRange(text, p.path);
        const range = new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length));
        const diagnostic = new vscode.Diagnostic(range, problemText(p, file), vscode.DiagnosticSeverity.Error);
        diagnostic.source = "mtq";
        return diagnostic;
      }),
    );
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}
