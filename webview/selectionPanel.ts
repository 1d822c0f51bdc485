// The selection panel: what is selected, its digit mix and the digit images themselves, so a
// user sees why (say) four 7s sit with the 1s.
import { className } from "../src/shared/classNames";
import type { Selection } from "../src/shared/protocol";
import { classCounts, describeImage, digitMix, type ViewData } from "./data";
import { el } from "./dom";
import { imageAt, thumbnailGrid } from "./thumbnails";
import type { Tooltip } from "./tooltip";

const SHOWN = 300;
const PER_ROW = 10;

export class SelectionPanel {
  readonly element = el("section", "mtq-selection");
  private readonly heading = el("h2", "mtq-section-title", "Selection");
  private readonly body = el("div", "mtq-selection-body");

  constructor(
    private readonly data: ViewData,
    private readonly tooltip: Tooltip,
  ) {
    this.element.setAttribute("aria-live", "polite");
    this.element.append(this.heading, this.body);
  }

  show(selection: Selection | null): void {
    this.element.dataset.count = String(selection?.images.length ?? 0);
    if (!selection) {
      this.heading.textContent = "Selection";
      this.body.replaceChildren(
        el(
          "p",
          "mtq-muted",
          "Nothing selected. Lasso points on a map, click a Sankey node or link, or a finding. Shift adds; Escape clears.",
        ),
      );
      return;
    }
    const { images } = selection;
    this.heading.textContent = `Selection: ${selection.label}`;
    const shown = images.slice(0, SHOWN);
    const grid = thumbnailGrid(this.data, shown, PER_ROW, 1);
    grid.addEventListener("pointermove", (e) => {
      const image = imageAt(grid, e, this.data, shown);
      if (image === undefined) return this.tooltip.hide();
      this.tooltip.show(e.clientX, e.clientY, describeImage(this.data, image), [thumbnailGrid(this.data, [image], 1, 3)]);
    });
    grid.addEventListener("pointerleave", () => this.tooltip.hide());
    this.body.replaceChildren(
      el("p", "", `${images.length} image${images.length === 1 ? "" : "s"}: ${digitMix(this.data, images)}`),
      el(
        "p",
        "mtq-muted",
        `predicted ${classCounts(this.data.state.predictions, images)
          .map(([p, n]) => `${className(this.data.results, p)}: ${n}`)
          .join(", ")}`,
      ),
      grid,
    );
    if (images.length > SHOWN) this.body.append(el("p", "mtq-muted", `first ${SHOWN} of ${images.length}`));
  }
}
