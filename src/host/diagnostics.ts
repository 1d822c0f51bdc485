// Diagnostics for `*.mtq.json` on open and save: the CLI's checks (the schema, the fields between
// them, and the data) shown on the field each problem names. The checks run in the check worker,
// so a large data file never stalls the editor; an answer for a text no longer in the editor is
// dropped and the document checked again.
import * as vscode from "vscode";
import type { Problem } from "../shared/problems";
import type { ExperimentChecks } from "./experimentChecks";
import { errorMessage, log } from "./log";
import { problemRange, problemText } from "./problemDiagnostic";

export function isExperimentFile(uri: vscode.Uri): boolean {
  return uri.scheme === "file" && uri.path.endsWith(".mtq.json");
}

interface Shown {
  diagnostic: vscode.Diagnostic;
  problem: Problem;
}

export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("mtq");
  /** Each document's diagnostics with the problem behind each, for its Quick Fix. */
  private readonly shown = new Map<string, Shown[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly checks: ExperimentChecks) {
    const checkAll = () => vscode.workspace.textDocuments.forEach((doc) => this.check(doc));
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.check(doc)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.check(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
      // The data checks read files the experiment names: only once the workspace is trusted.
      vscode.workspace.onDidGrantWorkspaceTrust(checkAll),
    ];
    checkAll();
  }

  /** Checks an experiment document as the CLI would, from its text in the editor. */
  check(doc: vscode.TextDocument): void {
    if (!isExperimentFile(doc.uri)) return;
    this.checkNow(doc).catch((e: unknown) => log().error(`checking ${doc.uri.fsPath} failed: ${errorMessage(e)}`));
  }

  private async checkNow(doc: vscode.TextDocument): Promise<void> {
    const file = doc.uri.fsPath;
    const { version } = doc;
    const started = Date.now();
    const outcome = await this.checks.check({ file, text: doc.getText(), data: vscode.workspace.isTrusted });
    if (outcome.type === "failed") return log().error(`checking ${file} failed: ${outcome.message}`);
    if (outcome.type === "superseded" || doc.isClosed) return;
    if (doc.version !== version) {
      log().debug(`${file} changed while it was checked: checking it again`);
      return this.checkNow(doc);
    }
    const { problems } = outcome.checked;
    this.show(doc, problems);
    log().debug(`checked ${file} in ${Date.now() - started} ms: ${problems.length} problem(s)`);
  }

  /** Shows problems found elsewhere (a run the worker refused) on an experiment document. */
  show(doc: vscode.TextDocument, problems: Problem[]): void {
    const text = doc.getText();
    const file = doc.uri.fsPath;
    const shown = problems.map((problem) => {
      const { offset, length } = problemRange(text, problem.path, problem.occurrence);
      const range = new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length));
      const diagnostic = new vscode.Diagnostic(range, problemText(problem, file), vscode.DiagnosticSeverity.Error);
      diagnostic.source = "mtq";
      return { diagnostic, problem };
    });
    this.shown.set(doc.uri.toString(), shown);
    this.collection.set(
      doc.uri,
      shown.map((s) => s.diagnostic),
    );
  }

  /**
   * The problem behind one of our diagnostics. VS Code may hand a Quick Fix provider copies of the
   * diagnostics it was given, so a copy is recognised by its text and range.
   */
  problemFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Problem | undefined {
    return this.shown
      .get(uri.toString())
      ?.find(
        (s) => s.diagnostic === diagnostic || (s.diagnostic.message === diagnostic.message && s.diagnostic.range.isEqual(diagnostic.range)),
      )?.problem;
  }

  private clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.shown.delete(uri.toString());
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.shown.clear();
  }
}
