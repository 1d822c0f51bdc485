// The comparison view: two results side by side. Per layer, the contingency matrix of their
// clusters with its adjusted Rand index; the images whose path changed, as thumbnails; the
// findings in two columns. Selections hold A's image numbers; "Show in A/B" selects them in
// that results view.
import { className } from "../src/shared/classNames";
import { findingsSideBySide, layerPairName, type ChangedPath, type Comparison } from "../src/shared/comparison";
import { imageTitle } from "../src/shared/imageName";
import type { Selection } from "../src/shared/protocol";
import type { Results } from "../src/shared/results";
import { contingencyTable } from "./contingency";
import { describeImage, viewDataFrom, type ViewData } from "./data";
import { button, el } from "./dom";
import { post } from "./host";
import { SelectionModel } from "./selection";
import { SelectionPanel } from "./selectionPanel";
import type { PixelStore } from "./pixels";
import { imageAt, thumbnailGrid } from "./thumbnails";
import { Tooltip } from "./tooltip";
import { grouped } from "../src/shared/imageCount";

const SHOWN_CHANGED = 400;
const PER_ROW = 20;

function changeText(p: ChangedPath, a: Pick<Results, "classNames">, comparison: Comparison): string {
  const where =
    p.layers.length > 0 ? `other cluster in ${p.layers.map((n) => layerPairName(comparison.layers[n - 1])).join(", ")}` : "same clusters";
  return `${where}; predicted ${className(a, p.predictionA)} in A, ${className(a, p.predictionB)} in B`;
}

export class CompareView {
  readonly selection: SelectionModel;
  private readonly data: ViewData;
  private readonly tooltip = new Tooltip();
  private readonly panel: SelectionPanel;

  /** `selection` (A's image numbers) is shown at once: the one kept across hide/show and reload. */
  constructor(
    root: HTMLElement,
    private readonly comparison: Comparison,
    a: Results,
    pixels: PixelStore,
    selection: Selection | null = null,
  ) {
    this.data = viewDataFrom(a, pixels);
    this.selection = new SelectionModel(a.images.count);
    this.panel = new SelectionPanel(this.data, this.tooltip);
    const left = el("div", "mtq-left mtq-compare");
    const layers = el("div", "mtq-compare-layers");
    layers.append(...comparison.layers.map((l) => contingencyTable(comparison, l, this.selection)));
    left.append(layers, this.changedPaths());
    const side = el("aside", "mtq-side");
    side.append(this.panel.element, this.findings());
    const main = el("div", "mtq-main");
    main.append(left, side);
    root.dataset.images = String(a.images.count);
    root.replaceChildren(this.header(), main, this.tooltip.element);
    this.selection.onChange((selection) => this.panel.show(selection));
    this.selection.set(selection, false);
  }

  /** Thumbnails take the theme's ink: redrawn when the theme changes. */
  redraw(): void {
    this.panel.show(this.selection.current);
  }

  escape(): void {
    this.tooltip.hide();
    this.selection.clear();
  }

  private header(): HTMLElement {
    const { a, b, matched, notes } = this.comparison;
    const head = el("header", "mtq-header");
    head.append(el("h1", "mtq-title", `${a.name} vs ${b.name}`));
    for (const [tag, s] of [
      ["A", a],
      ["B", b],
    ] as const) {
      head.append(
        el("p", "mtq-muted mtq-description", `${tag}: ${s.name}, seed ${s.seed}, ${s.model}, ${grouped(s.imageCount)} images · ${s.file}`),
      );
    }
    head.append(el("p", "", `${grouped(matched.a.length)} images in both (matched by split and source index).`));
    for (const note of notes) head.append(el("p", "mtq-note", note));
    const bar = el("div", "mtq-toolbar");
    bar.setAttribute("role", "toolbar");
    const show = (side: "a" | "b") => () => {
      // A's images, listed or as a bitset when that is shorter, as every selection goes to the host.
      const selection = this.selection.posted();
      if (selection) post({ type: "showInResults", side, selection });
    };
    bar.append(
      button("mtq-button", "Show in A", "Select these images in A's results view", show("a")),
      button("mtq-button", "Show in B", "Select these images in B's results view", show("b")),
      button("mtq-button", "Clear", "Clear the selection (Escape)", () => this.selection.clear()),
    );
    head.append(bar);
    return head;
  }

  private changedPaths(): HTMLElement {
    const { changed, matched, layers } = this.comparison;
    const section = el("section", "mtq-changed");
    section.dataset.count = String(changed.length);
    const heading = el("h3");
    const all = changed.map((p) => p.a);
    heading.append(
      button("mtq-link", `${changed.length} of ${matched.a.length} images changed path`, "Select every image whose path changed", (e) =>
        this.selection.pick(all, "changed paths", e.shiftKey),
      ),
    );
    section.append(heading);
    const byLayer = el("p", "mtq-muted");
    for (const [n, l] of layers.entries()) {
      const moved = changed.filter((p) => p.layers.includes(n + 1)).map((p) => p.a);
      const name = layerPairName(l);
      byLayer.append(
        button("mtq-link", `${name}: ${moved.length}`, `Select the images in another cluster of ${name}`, (e) =>
          this.selection.pick(moved, `changed in ${name}`, e.shiftKey),
        ),
        " ",
      );
    }
    const predicted = changed.filter((p) => p.predictionA !== p.predictionB).map((p) => p.a);
    byLayer.append(
      button("mtq-link", `prediction: ${predicted.length}`, "Select the images predicted differently", (e) =>
        this.selection.pick(predicted, "changed prediction", e.shiftKey),
      ),
    );
    section.append(
      byLayer,
      el(
        "p",
        "mtq-muted",
        "A path changed when, in some layer, an image is not in the B cluster that holds most of its A cluster, or when its prediction differs.",
      ),
    );
    if (changed.length === 0) return section;
    const shown = changed.slice(0, SHOWN_CHANGED);
    const grid = thumbnailGrid(
      this.data,
      shown.map((p) => p.a),
      PER_ROW,
      2,
    );
    const at = (e: PointerEvent) => {
      const image = imageAt(
        grid,
        e,
        this.data,
        shown.map((p) => p.a),
      );
      return shown.find((p) => p.a === image);
    };
    grid.addEventListener("pointermove", (e) => {
      const p = at(e);
      if (!p) return this.tooltip.hide();
      this.tooltip.show(e.clientX, e.clientY, [...describeImage(this.data, p.a), changeText(p, this.data.results, this.comparison)]);
    });
    grid.addEventListener("pointerleave", () => this.tooltip.hide());
    grid.addEventListener("click", (e) => {
      const p = at(e);
      if (p) this.selection.pick([p.a], imageTitle(this.data.results, p.a), e.shiftKey);
    });
    section.append(grid);
    if (changed.length > SHOWN_CHANGED)
      section.append(el("p", "mtq-muted", `first ${SHOWN_CHANGED} of ${changed.length} (all selected by the heading)`));
    return section;
  }

  private findings(): HTMLElement {
    const section = el("section", "mtq-findings");
    section.append(el("h2", "mtq-section-title", "Findings side by side"));
    const table = el("table", "mtq-side-by-side");
    const head = el("tr");
    head.append(el("th", "", ""), el("th", "", "A"), el("th", "", "B"));
    table.append(head);
    for (const [what, x, y] of findingsSideBySide(this.comparison)) {
      const row = el("tr", x === y ? "" : "mtq-differs");
      row.append(el("th", "", what), el("td", "", x), el("td", "", y));
      table.append(row);
    }
    section.append(table);
    return section;
  }
}
