// An image's true neighbours drawn on a layer's map (on its SVG overlay, and in the SVG/PNG
// export): a link from the image to each and a ring around each, so a neighbour in the layer that
// the map puts far away shows as a long line; dashed where the map does not keep it among the
// image's nearest there.
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

/** Screen place of an image on the map (CSS pixels of the overlay). */
type Place = (image: number) => [number, number];
type Attrs = Record<string, string | number>;

const RING = 4;
const DASH = "4 3";

export class NeighbourLinks {
  readonly element = svgEl("g", { class: "mtq-neighbour-links" });
  private shown: ShownNeighbours | null = null;

  show(shown: ShownNeighbours | null): void {
    this.shown = shown;
    if (!shown) delete this.element.dataset.image;
  }

  /** Draws the links at the images' places now (after a zoom, pan, resize or new neighbours). */
  place(at: Place): void {
    this.element.replaceChildren(...this.drawn(at, false));
    if (this.shown) this.element.dataset.image = String(this.shown.image);
  }

  /**
   * The links for the export, inside an SVG viewport the map's size (which clips a link to a
   * neighbour off the map where the map's frame ends), in the theme's colours written out; null
   * when there are none.
   */
  exported(at: Place, width: number, height: number): SVGSVGElement | null {
    if (!this.shown) return null;
    const box = svgEl("svg", { class: "mtq-export-neighbours", width, height, overflow: "hidden" });
    box.append(...this.drawn(at, true));
    return box;
  }

  private drawn(at: Place, inline: boolean): SVGElement[] {
    const { shown } = this;
    if (!shown) return [];
    const line = inline ? themeColor("--vscode-focusBorder", "#007fd4") : null;
    const halo = inline ? themeColor("--vscode-editor-background", "#1e1e1e") : null;
    const [x0, y0] = at(shown.image);
    // Every halo under every link: the links meet at the image, where a later halo would hide an earlier link.
    const [halos, links, rings]: SVGElement[][] = [[], [], []];
    shown.neighbours.forEach((j, q) => {
      const [x, y] = at(j);
      const ends = { x1: x0.toFixed(1), y1: y0.toFixed(1), x2: x.toFixed(1), y2: y.toFixed(1) };
      const paint = (colour: string | null, width: number): Attrs =>
        colour ? { stroke: colour, "stroke-width": width, fill: "none" } : {};
      const dash: Attrs = shown.kept[q] ? {} : { "stroke-dasharray": DASH };
      halos.push(svgEl("line", { class: "mtq-neighbour-halo", ...ends, ...paint(halo, 3.5) }));
      links.push(svgEl("line", { class: "mtq-neighbour-link", ...ends, ...paint(line, 1.5), ...dash, "data-neighbour": j }));
      rings.push(svgEl("circle", { class: "mtq-neighbour-ring", cx: x.toFixed(1), cy: y.toFixed(1), r: RING, ...paint(line, 1.5) }));
    });
    return [...halos, ...links, ...rings];
  }
}
