// The named selections of every results file the views and the tree show: read from the selections
// file beside the results (NAME.selections.json), watched so an edit, a delete or another window's
// save shows at once, and saved or deleted after asking the user (a name; a replace or a delete
// confirmed). A file that cannot be read is said where the selections would be listed, never thrown.
import { basename, dirname } from "node:path";
import * as vscode from "vscode";
import { readSelections, selectionsFileFor, writeSelections } from "../results/selectionsFile";
import type { SavedSelections, Selection } from "../shared/protocol";
import type { NamedSelection } from "../shared/selections";
import { errorMessage, log, showError } from "./log";
import { resultsFiles } from "./resultsFile";
import { nameNote, suggestedName, withoutSelection, withSelection } from "./selectionEdits";

interface Watched {
  watcher: vscode.Disposable;
  /** The last read, for results of `imageCount` images; dropped when the file changes. */
  read?: { imageCount: number; saved: Promise<SavedSelections> };
}

const imagesText = (n: number) => `${n.toLocaleString("en-US")} image${n === 1 ? "" : "s"}`;

export class SavedSelectionsStore implements vscode.Disposable {
  private readonly watched = new Map<string, Watched>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the results file whose named selections changed. */
  readonly onDidChange = this.changed.event;

  /** The named selections of `resultsFile` (which holds `imageCount` images), or why they cannot be read. */
  read(resultsFile: string, imageCount: number): Promise<SavedSelections> {
    const entry = this.watch(resultsFile);
    if (entry.read?.imageCount !== imageCount) {
      const saved = readSelections(resultsFile, imageCount).then(
        (selections): SavedSelections => ({ selections }),
        (e: unknown): SavedSelections => {
          log().warn(`cannot read the named selections of ${resultsFile}: ${errorMessage(e)}`);
          return { selections: [], problem: errorMessage(e) };
        },
      );
      entry.read = { imageCount, saved };
    }
    return entry.read.saved;
  }

  /** Asks a name for `selection` (a used one replaces that selection once confirmed) and saves it beside the results. */
  async save(resultsFile: string, selection: Selection): Promise<void> {
    const what = "save the selection";
    const selections = (await this.current(resultsFile, what))?.selections;
    if (!selections) return;
    const typed = await vscode.window.showInputBox({
      title: `Save selection: ${imagesText(selection.images.length)}`,
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
        { modal: true, detail: `It holds ${imagesText(replaced.images.length)}; the new one ${imagesText(selection.images.length)}.` },
        "Replace",
      );
      if (choice !== "Replace") return;
    }
    if (await this.rewrite(resultsFile, what, (now) => withSelection(now, name, selection)))
      vscode.window.setStatusBarMessage(`MTQ: saved "${name}" (${imagesText(selection.images.length)})`, 5000);
  }

  /** Deletes the named selection `name` of `resultsFile`, once the user confirms. */
  async delete(resultsFile: string, name: string): Promise<void> {
    const what = `delete "${name}"`;
    const current = await this.current(resultsFile, what);
    if (!current) return;
    const named = current.selections.find((s) => s.name === name);
    if (!named) return void vscode.window.showWarningMessage(`MTQ: no selection named "${name}" is saved any more.`);
    const choice = await vscode.window.showWarningMessage(
      `Delete the saved selection "${name}"?`,
      {
        modal: true,
        detail:
          `Its ${imagesText(named.images.length)} (${named.label}) are removed from ` +
          `${basename(selectionsFileFor(resultsFile))}; the results are not changed.`,
      },
      "Delete",
    );
    if (choice !== "Delete") return;
    await this.rewrite(resultsFile, what, (now) => withoutSelection(now, name));
  }

  dispose(): void {
    for (const { watcher } of this.watched.values()) watcher.dispose();
    this.watched.clear();
    this.changed.dispose();
  }

  /**
   * The selections as the file holds them now (read again, not the last read: another window may
   * have saved since). Undefined, with the reason shown, when the results or the file cannot be
   * read: writing then would lose the selections the file holds.
   */
  private async current(resultsFile: string, what: string): Promise<{ selections: NamedSelection[]; imageCount: number } | undefined> {
    try {
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
    const file = await writeSelections(resultsFile, selections, now.imageCount);
    log().info(`${file}: ${selections.length} named selection(s)`);
    this.changedOnDisk(resultsFile);
    return true;
  }

  private watch(resultsFile: string): Watched {
    let entry = this.watched.get(resultsFile);
    if (!entry) {
      const file = selectionsFileFor(resultsFile);
      // A pattern on the file's own folder: results outside the workspace are watched too.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(file)), basename(file)));
      const changed = () => this.changedOnDisk(resultsFile);
      const subscriptions = [watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)];
      entry = { watcher: vscode.Disposable.from(...subscriptions) };
      this.watched.set(resultsFile, entry);
    }
    return entry;
  }

  private changedOnDisk(resultsFile: string): void {
    const entry = this.watched.get(resultsFile);
    if (entry) delete entry.read;
    this.changed.fire(resultsFile);
  }
}
