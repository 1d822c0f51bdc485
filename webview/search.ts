// The toolbar's search box: a query (src/shared/imageSearch.ts parses and matches it) selects the
// images it finds in every view, says how many, and steps through them one at a time (Enter,
// Shift+Enter, or the arrows), each step selecting one image alone so that the maps ring it and
// pan to it. Typing searches after a short pause; Escape empties the box and the selection; a
// wrong query says what is wrong in the box's status line and leaves the selection alone, except
// one the box made itself, which it drops (it no longer answers what the box says).
import { imageTitle } from "../src/shared/imageName";
import { imagesCountText, matchImages, parseSearch, SEARCH_HELP, searchVocabulary, type SearchVocabulary } from "../src/shared/imageSearch";
import type { ViewData } from "./data";
import { button, el } from "./dom";
import type { SelectionModel } from "./selection";
import { grouped } from "../src/shared/imageCount";

/** The pause after a key before the box searches: long enough to type a word, short enough to feel live. */
const TYPING_PAUSE_MS = 200;

export class SearchBox {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly previous: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly all: HTMLButtonElement;
  /** What a query may name (searchVocabulary reads every image's label), made at the first search rather than at every load. */
  private known: SearchVocabulary | undefined;
  /** The query last searched, and the images it found (null: none searched, or it was wrong). */
  private searched = "";
  private found: Uint32Array | null = null;
  /** The image stepped to, as a place in `found`; -1 before the first step. */
  private at = -1;
  /** The selection this box made last: another view's pick replaces it, and the box then leaves the selection alone. */
  private made: unknown = null;
  private timer: number | undefined;
  /** While this box changes the selection (its own change is not another view's). */
  private picking = false;

  constructor(
    private readonly data: ViewData,
    private readonly selection: SelectionModel,
    query: string,
    private readonly onQuery: (query: string) => void,
  ) {
    this.element = el("div", "mtq-search");
    this.element.setAttribute("role", "search");
    this.input = el("input", "mtq-search-input");
    this.input.type = "text";
    this.input.spellcheck = false;
    this.input.placeholder = "Find images: 85, pred:7, conf<0.6, l1:c2…";
    this.input.title = [
      // VS Code's keybinding is Cmd+F on macOS.
      `Find images (${/Mac/.test(navigator.platform) ? "Cmd" : "Ctrl"}+F):`,
      ...SEARCH_HELP.map(({ examples, finds }) => `${examples.join(", ")}: ${finds}`),
      "Enter: next image found, Shift+Enter: previous, Alt+Enter: all, Escape: clear",
    ].join("\n");
    this.input.setAttribute("aria-label", "Find images");
    this.status = el("span", "mtq-search-status");
    this.status.id = "mtq-search-status";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.input.setAttribute("aria-describedby", this.status.id);
    this.previous = button("mtq-button mtq-search-step", "↑", "Previous image found (Shift+Enter)", () => this.step(-1));
    this.previous.setAttribute("aria-label", "Previous image found");
    this.next = button("mtq-button mtq-search-step", "↓", "Next image found (Enter)", () => this.step(1));
    this.next.setAttribute("aria-label", "Next image found");
    this.all = button("mtq-button mtq-search-step", "All", "Select every image found (Alt+Enter)", () => this.selectAll());
    this.all.setAttribute("aria-label", "Select every image found");
    this.element.append(this.input, this.previous, this.next, this.all, this.status);

    this.input.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.search(), TYPING_PAUSE_MS);
    });
    this.input.addEventListener("keydown", (e) => this.key(e));
    // Another view's pick (or Escape) ends the stepping: the next step starts from the first image again.
    selection.onChange(() => {
      if (this.picking || !this.found?.length || this.at < 0) return;
      this.at = -1;
      this.say(imagesCountText(this.found.length), false);
    });
    this.input.value = query;
    // A query kept from before (hide/show, reload, another epoch) is searched again without
    // touching the selection, which was kept with it.
    if (query) this.search(false);
    this.enableSteps();
  }

  private get vocabulary(): SearchVocabulary {
    return (this.known ??= searchVocabulary(this.data.results, this.data.state));
  }

  /** Puts the keyboard in the box with its query selected (Ctrl+F, MTQ: Find Images). */
  focus(): void {
    this.input.focus();
    this.input.select();
  }

  /** Stops a search still waiting for the typing pause (the view is replaced). */
  dispose(): void {
    window.clearTimeout(this.timer);
  }

  /** Empties the box, and the selection when the box made it (Escape). */
  private clear(): void {
    window.clearTimeout(this.timer);
    this.input.value = "";
    this.search();
  }

  private key(e: KeyboardEvent): void {
    if (e.key === "Enter") {
      e.preventDefault();
      if (!e.altKey) this.step(e.shiftKey ? -1 : 1);
      // A changed query's search selects all it finds itself.
      else if (this.dirty()) this.search();
      else this.selectAll();
    } else if (e.key === "Escape") {
      // The view's own Escape (the window's) then clears any other selection and the tooltip.
      this.clear();
    }
  }

  private dirty(): boolean {
    return this.input.value.trim() !== this.searched;
  }

  /**
   * Searches the box's query; with `select`, selects what it finds (or, when the query is empty,
   * wrong or finds nothing, drops the selection this box made).
   */
  private search(select = true): void {
    window.clearTimeout(this.timer);
    const query = this.input.value.trim();
    this.searched = query;
    this.onQuery(query);
    this.at = -1;
    this.found = null;
    if (!query) {
      this.say("", false);
    } else {
      const parsed = parseSearch(query, this.vocabulary);
      if (!parsed.ok) this.say(parsed.error, true);
      else {
        this.found = matchImages(this.data, parsed.terms);
        this.say(this.found.length ? imagesCountText(this.found.length) : "No image matches", false);
      }
    }
    this.enableSteps();
    if (!select) return;
    if (this.found?.length) this.selectAll();
    else if (this.selection.current !== null && this.selection.current === this.made) this.selection.set(null, true);
  }

  /** Every image found, selected together (what typing does; Alt+Enter and All again after steps). */
  private selectAll(): void {
    if (!this.found?.length) return;
    this.at = -1;
    this.pick(this.found, `search: ${this.searched}`);
    this.say(imagesCountText(this.found.length), false);
  }

  /** The next (or previous) image found, selected alone; the search runs first if the query changed. */
  private step(by: 1 | -1): void {
    if (this.dirty()) this.search(false);
    const found = this.found;
    if (!found) {
      // An empty box says how to search; a wrong one keeps saying what is wrong.
      if (!this.searched) this.say(parseSearchError(this.vocabulary), true);
      return;
    }
    if (found.length === 0) return;
    this.at = this.at < 0 ? (by > 0 ? 0 : found.length - 1) : (this.at + by + found.length) % found.length;
    const image = found[this.at];
    const title = imageTitle(this.data.results, image);
    this.pick([image], title);
    this.say(`${grouped(this.at + 1)} of ${imagesCountText(found.length)}: ${title}`, false);
  }

  private pick(images: Iterable<number>, label: string): void {
    this.picking = true;
    try {
      this.selection.pick(images, label, false);
    } finally {
      this.picking = false;
    }
    this.made = this.selection.current;
  }

  private enableSteps(): void {
    const none = !this.found?.length;
    this.previous.disabled = none;
    this.next.disabled = none;
    this.all.disabled = none;
  }

  private say(text: string, wrong: boolean): void {
    this.status.textContent = text;
    this.status.classList.toggle("mtq-search-error", wrong);
    if (wrong) this.input.setAttribute("aria-invalid", "true");
    else this.input.removeAttribute("aria-invalid");
  }
}

/** What an empty query is told: the parser's own words. */
function parseSearchError(vocabulary: SearchVocabulary): string {
  const parsed = parseSearch("", vocabulary);
  return parsed.ok ? "" : parsed.error;
}
