// An image's true neighbours drawn on a layer's map (on its SVG overlay, and in the SVG/PNG
// export): a ring around each and a link to it from the image's own ring, so a neighbour in the
// layer that the map puts far away shows as a long line; dashed where the map does not keep it
// among the image's nearest there. Links and rings stay off the image's ring: its point stays uncovered.
import { themeColor } from "./colors";
import { svgEl } from "./dom";

/** One image's neighbours in a layer, as its map draws them. */
export interface ShownNeighbours {
  image: number;
  /** Nearest first. */
  neighbours: readonly number[];
  /** Per neighbour: among the image's nearest on the map drawn. */
  kept: readonly boolean[];
}

/** Where the map draws now: each image's place on the overlay (CSS pixels), the image's ring's radius and a neighbour's. */
export interface LinkLayout {
  at(image: number): [number, number];
  from: number;
  to: number;
}

type Attrs = Record<string, string | number>;

const DASH = "4 3";

export class NeighbourLinks {
  readonly element = svgEl("g", { class: "mtq-neighbour-links" });
  private shown: ShownNeighbours | null = null;

  show(shown: ShownNeighbours | null): void {
    this.shown = shown;
    if (!shown) delete this.element.dataset.image;
  }

  /** Draws the links at the images' places now (after a zoom, pan, resize or new neighbours). */
  place(layout: LinkLayout): void {
    this.element.replaceChildren(...this.drawn(layout, false));
    if (this.shown) this.element.dataset.image = String(this.shown.image);
  }

  /**
   * The links for the export, inside an SVG viewport the map's size (which clips a link to a
   * neighbour off the map where the map's frame ends), in the theme's colours written out; null
   * when there are none.
   */
  exported(layout: LinkLayout, width: number, height: number): SVGSVGElement | null {
    if (!this.shown) return null;
    const box = svgEl("svg", { class: "mtq-export-neighbours", width, height, overflow: "hidden" });
    box.append(...this.drawn(layout, true));
    return box;
  }

  private drawn({ at, from, to }: LinkLayout, inline: boolean): SVGElement[] {
    const { shown } = this;
    if (!shown) return [];
    const line = inline ? themeColor("--vscode-focusBorder", "#007fd4") : null;
    const halo = inline ? themeColor("--vscode-editor-background", "#1e1e1e") : null;
    const paint = (colour: string | null, width: number): Attrs => (colour ? { stroke: colour, "stroke-width": width, fill: "none" } : {});
    const [x0, y0] = at(shown.image);
    // Every halo under every link: links meet near the image, where a later halo would hide an earlier link.
    const [halos, links, rings]: SVGElement[][] = [[], [], []];
    shown.neighbours.forEach((j, q) => {
      const [x, y] = at(j);
      const length = Math.hypot(x - x0, y - y0);
      // A neighbour nearer than the two rings' radii is left unmarked: its ring would cover the image's point, beside which it lies.
      if (length <= from + to) return;
      const place = { cx: x.toFixed(1), cy: y.toFixed(1), r: to.toFixed(1) };
      const kept = { "data-neighbour": j, "data-kept": String(shown.kept[q]) };
      rings.push(svgEl("circle", { class: "mtq-neighbour-ring", ...place, ...paint(line, 1.5), ...kept }));
      const [ux, uy] = [(x - x0) / length, (y - y0) / length];
      const ends = {
        x1: (x0 + ux * from).toFixed(1),
        y1: (y0 + uy * from).toFixed(1),
        x2: (x - ux * to).toFixed(1),
        y2: (y - uy * to).toFixed(1),
      };
      const dash: Attrs = shown.kept[q] ? {} : { "stroke-dasharray": DASH };
      halos.push(svgEl("line", { class: "mtq-neighbour-halo", ...ends, ...paint(halo, 3.5) }));
      links.push(svgEl("line", { class: "mtq-neighbour-link", ...ends, ...paint(line, 1.5), ...dash, "data-neighbour": j }));
    });
    return [...halos, ...links, ...rings];
  }
}
