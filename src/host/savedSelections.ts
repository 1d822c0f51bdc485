// The named selections of every results file the views and the tree show: read from the selections
// file beside the results (NAME.selections.json), watched so an edit, a delete or another window's
// save shows at once, and saved or deleted after asking the user (a name; a replace or a delete
// confirmed). A file that cannot be read is said where the selections would be listed, never thrown.
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import type { SavedSelections, Selection } from "../shared/protocol";
import type { NamedSelection } from "../shared/selections";
import { onDemand } from "./loadOnDemand";
import { errorMessage, log, showError } from "./log";
import { selectionsFileFor } from "../results/path";
import { resultsFiles } from "./resultsFile";
import { imageCountText } from "../shared/imageCount";

/** The last read of a results file's selections, for results of `imageCount` images; dropped when the file changes. */
interface LastRead {
  imageCount: number;
  saved: Promise<SavedSelections>;
}

/** A file's size and modification time, to tell a write apart from a later one; undefined when it is gone. */
const stamp = (file: string): Promise<string | undefined> =>
  stat(file).then(
    (s) => `${s.size}:${s.mtimeMs}`,
    () => undefined,
  );

export class SavedSelectionsStore implements vscode.Disposable {
  /** Per results file whose selections were read: the last read (absent once its file changed). */
  private readonly reads = new Map<string, LastRead | undefined>();
  /** Per folder holding such results: a watcher of its selections files. */
  private readonly watchers = new Map<string, vscode.Disposable>();
  /** Per selections file this window wrote: its stamp as written, so the watcher's echo of that write is not taken for a new change. */
  private readonly written = new Map<string, string | undefined>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the results file whose named selections changed. */
  readonly onDidChange = this.changed.event;

  /** The named selections of `resultsFile` (which holds `imageCount` images), or why they cannot be read. */
  read(resultsFile: string, imageCount: number): Promise<SavedSelections> {
    this.watch(resultsFile);
    let last = this.reads.get(resultsFile);
    if (last?.imageCount !== imageCount) {
      const saved = Promise.resolve()
        .then(() => onDemand().readSelections(resultsFile, imageCount))
        .then(
          (selections): SavedSelections => ({ selections }),
          (e: unknown): SavedSelections => {
            log().warn(`cannot read the named selections of ${resultsFile}: ${errorMessage(e)}`);
            return { selections: [], problem: errorMessage(e) };
          },
        );
      last = { imageCount, saved };
      this.reads.set(resultsFile, last);
    }
    return last.saved;
  }

  /** Asks a name for `selection` (a used one replaces that selection once confirmed) and saves it beside the results. */
  async save(resultsFile: string, selection: Selection): Promise<void> {
    const what = "save the selection";
    const selections = (await this.current(resultsFile, what))?.selections;
    if (!selections) return;
    const { nameNote, suggestedName, withSelection } = onDemand();
    const typed = await vscode.window.showInputBox({
      title: `Save selection: ${imageCountText(selection.images.length)}`,
      prompt: `A name for ${selection.label}, kept in ${basename(selectionsFileFor(resultsFile))} beside the results`,
      value: suggestedName(selection, selections),
      validateInput: (value) => {
        const note = nameNote(value, selections);
        return (
          note && {
            message: note.message,
            severity: note.blocking ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Warning,
          }
        );
      },
    });
    if (typed === undefined) return;
    const name = typed.trim();
    const replaced = selections.find((s) => s.name === name);
    if (replaced) {
      const choice = await vscode.window.showWarningMessage(
        `Replace the saved selection "${name}"?`,
        {
          modal: true,
          detail: `It holds ${imageCountText(replaced.images.length)}; the new one ${imageCountText(selection.images.length)}.`,
        },
        "Replace",
      );
      if (choice !== "Replace") return;
    }
    if (await this.rewrite(resultsFile, what, (now) => withSelection(now, name, selection)))
      vscode.window.setStatusBarMessage(`MTQ: saved "${name}" (${imageCountText(selection.images.length)})`, 5000);
  }

  /** Deletes the named selection `name` of `resultsFile`, once the user confirms. */
  async delete(resultsFile: string, name: string): Promise<void> {
    const what = `delete "${name}"`;
    const current = await this.current(resultsFile, what);
    if (!current) return;
    const named = current.selections.find((s) => s.name === name);
    if (!named) return void vscode.window.showWarningMessage(`MTQ: no selection named "${name}" is saved any more.`);
    const { withoutSelection } = onDemand();
    const choice = await vscode.window.showWarningMessage(
      `Delete the saved selection "${name}"?`,
      {
        modal: true,
        detail:
          `Its ${imageCountText(named.images.length)} (${named.label}) are removed from ` +
          `${basename(selectionsFileFor(resultsFile))}; the results are not changed.`,
      },
      "Delete",
    );
    if (choice !== "Delete") return;
    await this.rewrite(resultsFile, what, (now) => withoutSelection(now, name));
  }

  dispose(): void {
    for (const watcher of this.watchers.values()) watcher.dispose();
    this.watchers.clear();
    this.reads.clear();
    this.changed.dispose();
  }

  /**
   * The selections as the file holds them now (read again, not the last read: another window may
   * have saved since). Undefined, with the reason shown, when the results or the file cannot be
   * read: writing then would lose the selections the file holds.
   */
  private async current(resultsFile: string, what: string): Promise<{ selections: NamedSelection[]; imageCount: number } | undefined> {
    try {
      const { readSelections } = onDemand();
      const imageCount = (await resultsFiles.read(resultsFile)).results.images.count;
      return { selections: await readSelections(resultsFile, imageCount), imageCount };
    } catch (e) {
      void showError(`MTQ cannot ${what}: ${errorMessage(e)}`, e);
      return undefined;
    }
  }

  /**
   * Writes `edit` of the selections as the file holds them when the user has answered (another
   * window may have saved meanwhile: its selection is kept); false when the file cannot be read now.
   */
  private async rewrite(resultsFile: string, what: string, edit: (selections: NamedSelection[]) => NamedSelection[]): Promise<boolean> {
    const now = await this.current(resultsFile, what);
    if (!now) return false;
    const selections = edit(now.selections);
    const file = await onDemand().writeSelections(resultsFile, selections, now.imageCount);
    log().info(`${file}: ${selections.length} named selection(s)`);
    this.written.set(file, await stamp(file));
    await this.changedOnDisk(file);
    return true;
  }

  /** Watches the selections files of `resultsFile`'s folder (one watcher a folder; results outside the workspace too). */
  private watch(resultsFile: string): void {
    const folder = dirname(resultsFile);
    if (this.watchers.has(folder)) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), "*.selections.json"));
    const changed = (uri: vscode.Uri) => void this.watched(uri.fsPath);
    this.watchers.set(
      folder,
      vscode.Disposable.from(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)),
    );
  }

  /**
   * The watcher saw `file` change. A save or delete of this window's was shown already: read again
   * on its echo, the tree and the views drew everything twice, the second time under the user's
   * next click (likely why a click on a tree row's inline action was once lost in e2e/results-exports.e2e.ts).
   */
  private async watched(file: string): Promise<void> {
    const own = this.written.get(file);
    if (own !== undefined && own === (await stamp(file))) return;
    await this.changedOnDisk(file);
  }

  /** A selections file was saved, edited or deleted: the results it belongs to read it again. */
  private async changedOnDisk(file: string): Promise<void> {
    for (const resultsFile of this.reads.keys()) {
      if (selectionsFileFor(resultsFile) !== file) continue;
      this.reads.set(resultsFile, undefined);
      this.changed.fire(resultsFile);
    }
  }
}
