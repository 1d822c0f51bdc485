// The named selections saved beside the results (NAME.selections.json), as chips under the
// selection panel: a chip restores its images everywhere, its × asks the host to delete it (the
// host confirms). The list comes from the host with `load` and again with `saved` whenever the
// file changes, so it is the file's, never a copy kept in the page.
import type { SavedSelections } from "../src/shared/protocol";
import type { NamedSelection } from "../src/shared/selections";
import { button, el } from "./dom";
import { post } from "./host";
import type { SelectionModel } from "./selection";

export class SavedSelectionsPanel {
  readonly element = el("section", "mtq-saved");
  private readonly body = el("div", "mtq-saved-body");
  private saved: SavedSelections = { selections: [] };

  constructor(private readonly selection: SelectionModel) {
    this.element.setAttribute("aria-label", "Saved selections");
    this.element.append(el("h2", "mtq-section-title", "Saved selections"), this.body);
    selection.onChange(() => this.markCurrent());
  }

  show(saved: SavedSelections): void {
    this.saved = saved;
    this.element.dataset.count = String(saved.selections.length);
    const parts: HTMLElement[] = [];
    if (saved.problem) parts.push(el("p", "mtq-note mtq-saved-problem", saved.problem));
    else if (saved.selections.length === 0)
      parts.push(el("p", "mtq-muted", "None yet. Select images, then Save selection… keeps them under a name beside the results."));
    if (saved.selections.length > 0) {
      const list = el("ul", "mtq-saved-list");
      list.append(...saved.selections.map((s) => this.item(s)));
      parts.push(list);
    }
    this.body.replaceChildren(...parts);
    this.markCurrent();
  }

  private item(saved: NamedSelection): HTMLLIElement {
    const item = el("li", "mtq-chip mtq-saved-chip");
    item.dataset.name = saved.name;
    const count = saved.images.length;
    const restore = button(
      "mtq-saved-name",
      saved.name,
      `Select "${saved.name}": ${count} image${count === 1 ? "" : "s"} (${saved.label})`,
      () => this.selection.set({ images: saved.images, label: saved.name }, true),
    );
    restore.append(el("span", "mtq-muted", ` ${count}`));
    const remove = button("mtq-saved-delete", "×", `Delete the saved selection "${saved.name}"`, () =>
      post({ type: "deleteSelection", name: saved.name }),
    );
    remove.setAttribute("aria-label", `Delete "${saved.name}"`);
    item.append(restore, remove);
    return item;
  }

  /** Presses the chip whose images are the current selection's, so a user sees which one is shown. */
  private markCurrent(): void {
    const current = this.selection.current?.images;
    const names = new Set(this.saved.selections.filter((s) => current !== undefined && sameImages(s.images, current)).map((s) => s.name));
    for (const chip of this.body.querySelectorAll<HTMLElement>(".mtq-saved-chip")) {
      chip.querySelector(".mtq-saved-name")?.setAttribute("aria-pressed", String(names.has(chip.dataset.name ?? "")));
    }
  }
}

function sameImages(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
