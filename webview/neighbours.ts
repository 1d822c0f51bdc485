// An image's true neighbours: for the image selected alone, its nearest in each layer's own space
// as the run stored them (asked of the host, which keeps them out of what it posts: two thirds of a
// million images' columns), listed per layer in the side panel with thumbnails and distances, and
// whether each stays among the image's nearest on the map shown; each map draws them as links.
import { EXACT_LIMIT } from "../src/shared/figures";
import { imageTitle } from "../src/shared/imageName";
import type { LayerNeighbours, MapKind } from "../src/shared/protocol";
import type { LayerResult } from "../src/shared/results";
import { mapColumns, type ViewData } from "./data";
import { el } from "./dom";
import type { ShownNeighbours } from "./neighbourLinks";
import type { SelectionModel } from "./selection";
import { thumbnailGrid } from "./thumbnails";
import { grouped } from "../src/shared/imageCount";

type Reply = (LayerNeighbours | null)[];

/** The neighbours the host sent, by image and epoch; asked once each while the view's results stay. */
export class NeighbourStore {
  private readonly kept = new Map<string, Reply>();
  private readonly waiting = new Map<string, ((reply: Reply) => void)[]>();

  /** `ask` posts the host a `neighbours` request. */
  constructor(private readonly ask: (image: number, epoch: number | undefined) => void) {}

  /** Image `image`'s neighbours per layer at `epoch` (the final model when undefined), asking the host when not here. */
  get(image: number, epoch: number | undefined): Promise<Reply> {
    const key = `${epoch ?? ""}:${image}`;
    const known = this.kept.get(key);
    if (known) return Promise.resolve(known);
    return new Promise((done) => {
      const waiting = this.waiting.get(key);
      if (waiting) return waiting.push(done);
      this.waiting.set(key, [done]);
      this.ask(image, epoch);
    });
  }

  /** The host's reply. */
  receive(image: number, epoch: number | undefined, layers: Reply): void {
    const key = `${epoch ?? ""}:${image}`;
    this.kept.set(key, layers);
    for (const done of this.waiting.get(key) ?? []) done(layers);
    this.waiting.delete(key);
  }
}

/** What a layer's neighbours are: exact up to EXACT_LIMIT images, from the partitioned search above. */
function neighboursKind(layer: Pick<LayerResult, "approximateNeighbours">): string {
  return layer.approximateNeighbours
    ? `approximate: over ${grouped(EXACT_LIMIT)} images they come from a partitioned search, which can miss a few`
    : "exact: every image measured against every other";
}

/**
 * Of `neighbours`, which are among image `image`'s `k` nearest other images on `positions`
 * ([x0, y0, ...], as the map draws them: float32): nearest first, ties to the lower image number,
 * as the run counts its neighbours kept (src/pipeline/mapNeighbours.ts).
 */
export function keptOnMap(positions: ArrayLike<number>, image: number, k: number, neighbours: readonly number[]): boolean[] {
  const x = Math.fround(positions[2 * image]);
  const y = Math.fround(positions[2 * image + 1]);
  const best: { j: number; d: number }[] = [];
  for (let j = 0; j < positions.length / 2; j++) {
    if (j === image) continue;
    const d = (Math.fround(positions[2 * j]) - x) ** 2 + (Math.fround(positions[2 * j + 1]) - y) ** 2;
    if (best.length === k && d >= best[k - 1].d) continue;
    let q = Math.min(best.length, k - 1);
    while (q > 0 && best[q - 1].d > d) q--;
    best.splice(q, 0, { j, d });
    if (best.length > k) best.pop();
  }
  const near = new Set(best.map((b) => b.j));
  return neighbours.map((j) => near.has(j));
}

export interface NeighboursContext {
  data: ViewData;
  selection: SelectionModel;
  store: NeighbourStore;
  /** The epoch shown (the final model when undefined). */
  epoch: number | undefined;
  mapKind(): MapKind;
  /** Draw (or, with null, clear) layer `layer`'s links on its map. */
  onLinks(layer: number, shown: ShownNeighbours | null): void;
}

export class NeighboursPanel {
  readonly element = el("section", "mtq-neighbours");
  private readonly heading = el("h2", "mtq-section-title", "Nearest in each layer");
  private readonly body = el("div", "mtq-neighbours-body");
  /** The image whose neighbours are shown (or asked), and what the host sent for it. */
  private image: number | null = null;
  private reply: Reply | null = null;

  constructor(private readonly ctx: NeighboursContext) {
    this.element.setAttribute("aria-live", "polite");
    this.element.append(this.heading, this.body);
    this.element.hidden = true;
  }

  /** Follows the selection: an image selected alone gets its neighbours, anything else none. */
  show(): void {
    const { bits, current } = this.ctx.selection;
    const image = bits.count === 1 && current ? current.images[0] : null;
    if (image === this.image) return;
    const hadFocus = this.element.contains(document.activeElement);
    this.image = image;
    this.reply = null;
    this.render();
    if (image === null) return;
    void this.ctx.store.get(image, this.ctx.epoch).then((reply) => {
      if (this.image !== image) return;
      this.reply = reply;
      this.render();
      // A neighbour picked with Enter: the keyboard stays in the list, on the new image's nearest.
      if (hadFocus) this.body.querySelector<HTMLElement>(".mtq-neighbour")?.focus();
    });
  }

  /** Redraws after the map kind changed: which neighbours a map keeps is the map's. */
  refresh(): void {
    this.render();
  }

  private render(): void {
    const { image, reply } = this;
    const layers = this.ctx.data.state.layers;
    this.element.hidden = image === null;
    delete this.element.dataset.image;
    if (image === null || !reply) {
      layers.forEach((_, l) => this.ctx.onLinks(l, null));
      this.body.replaceChildren(...(image === null ? [] : [el("p", "mtq-muted", "Reading its neighbours…")]));
      return;
    }
    this.element.dataset.image = String(image);
    this.heading.textContent = `Nearest to ${imageTitle(this.ctx.data.results, image)}`;
    if (reply.every((r) => r === null)) {
      layers.forEach((_, l) => this.ctx.onLinks(l, null));
      this.body.replaceChildren(
        el(
          "p",
          "mtq-muted mtq-no-neighbours",
          "This results file stores no neighbours per layer (it was written before they were): run its experiment again to list them.",
        ),
      );
      return;
    }
    void this.ctx.data.pixels.load(reply.flatMap((r) => r?.images ?? []));
    this.body.replaceChildren(...layers.map((layer, l) => this.layerList(layer, l, image, reply[l] ?? null)));
  }

  private layerList(layer: LayerResult, l: number, image: number, near: LayerNeighbours | null): HTMLElement {
    const box = el("div", "mtq-neighbour-layer");
    box.dataset.layer = String(l + 1);
    const title = el("h3", "mtq-neighbour-title", layer.name);
    box.append(title);
    if (!near) {
      this.ctx.onLinks(l, null);
      box.append(el("p", "mtq-muted", "No neighbours stored for this layer."));
      return box;
    }
    const kind = this.ctx.mapKind();
    const mapName = kind === "pca" ? "PCA" : "UMAP";
    const kept = keptOnMap(mapColumns(layer, kind).positions, image, near.images.length, near.images);
    const keptCount = kept.filter(Boolean).length;
    this.ctx.onLinks(l, { image, neighbours: near.images, kept });
    const note = el(
      "p",
      "mtq-muted mtq-neighbour-note",
      `${near.images.length} nearest in the layer, ${layer.approximateNeighbours ? "approximate" : "exact"} · ` +
        `${keptCount} of ${near.images.length} among its nearest on the ${mapName} map`,
    );
    note.title =
      `The neighbours are ${neighboursKind(layer)}. Each is linked to the image on the layer's map; ` +
      `a dashed link is one the ${mapName} map does not keep among the image's ${near.images.length} nearest there.`;
    note.dataset.kept = String(keptCount);
    const list = el("ol", "mtq-neighbour-list");
    list.setAttribute("aria-label", `${layer.name}: the image's ${near.images.length} nearest in the layer`);
    near.images.forEach((j, q) => list.append(this.row(j, near.distances[q], kept[q], mapName)));
    box.append(note, list);
    return box;
  }

  private row(image: number, distance: number, kept: boolean, mapName: string): HTMLElement {
    const name = imageTitle(this.ctx.data.results, image);
    const row = el("li", "mtq-neighbour");
    row.tabIndex = 0;
    row.dataset.image = String(image);
    row.dataset.kept = String(kept);
    row.title = `Select ${name} (Enter; the arrows move along the list)`;
    const keptText = kept ? `kept on ${mapName}` : `not near on ${mapName}`;
    row.setAttribute("aria-label", `${name}, distance ${distance.toPrecision(3)}, ${keptText}`);
    row.append(
      thumbnailGrid(this.ctx.data, [image], 1, 1),
      el("span", "mtq-neighbour-name", name),
      el("span", "mtq-neighbour-distance", distance.toPrecision(3)),
      el("span", kept ? "mtq-neighbour-kept" : "mtq-neighbour-kept mtq-neighbour-lost", keptText),
    );
    const pick = (add: boolean) => this.ctx.selection.pick([image], name, add);
    row.addEventListener("click", (e) => pick(e.shiftKey));
    row.addEventListener("keydown", (e) => {
      // The arrows, Home and End move along every layer's rows; Enter selects (Shift adds).
      const rows = [...this.body.querySelectorAll<HTMLElement>(".mtq-neighbour")];
      const at = rows.indexOf(row);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[e.key];
      if (to !== undefined) rows[to]?.focus();
      else if (e.key === "Enter") pick(e.shiftKey);
      else return;
      e.preventDefault();
    });
    return row;
  }
}
