// One UMAP map per hidden layer, drawn on canvas so 10,000 points stay smooth. An SVG overlay
// on top takes the pointer (lasso, pan and zoom) and draws the lasso and the hover ring.
import { polygonContains, quadtree, select, zoom, zoomIdentity, type Quadtree, type ZoomBehavior, type ZoomTransform } from "d3";
import { EXACT_LIMIT } from "../src/shared/figures";
import { describeImage, imagesWhere, type ViewData } from "./data";
import { clusterColor, digitColor, isHighContrast, type ColorBy } from "./colors";
import { button, el, svgEl } from "./dom";
import { clusterLegend } from "./legend";
import type { SelectionModel } from "./selection";
import { ariText, clusterStabilityText, isUnstable, kTallyText, layerStabilityTitle } from "./stability";
import { thumbnailGrid } from "./thumbnails";
import type { Tooltip } from "./tooltip";

export type Tool = "lasso" | "pan";

export interface MapContext {
  data: ViewData;
  selection: SelectionModel;
  tooltip: Tooltip;
  colorBy(): ColorBy;
  tool(): Tool;
}

interface Batch {
  color: string;
  hollow: boolean;
  alpha: number;
  radius: number;
  images: number[];
}

interface ColorGroup {
  color: string;
  kept: number[];
  injected: number[];
}

const PAD = 12;
const KEY_PAN = 40;

export class UmapMap {
  readonly element = el("figure", "mtq-map");
  private readonly plot = el("div", "mtq-map-plot");
  private readonly canvas = el("canvas", "mtq-map-canvas");
  private readonly overlay = svgEl("svg", { class: "mtq-map-overlay" });
  private readonly lassoPath = svgEl("path", { class: "mtq-lasso" });
  private readonly hoverRing = svgEl("circle", { class: "mtq-hover-ring", r: 6 });
  private readonly chips = el("div", "mtq-cluster-chips");
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  /** Each point's position in CSS pixels before zoom. */
  private base: Float32Array = new Float32Array(0);
  private tree: Quadtree<number> = quadtree<number>();
  private groups: { by: ColorBy; groups: ColorGroup[] } | null = null;
  private width = 0;
  private height = 0;
  private hovered: number | null = null;

  constructor(
    private readonly ctx: MapContext,
    private readonly layer: number,
  ) {
    const info = ctx.data.state.layers[layer];
    const caption = el("figcaption", "mtq-map-title", info.name);
    caption.append(
      el("span", "mtq-muted", ` ${info.size} units · k = ${info.k}${info.approximateNeighbours ? " · approximate neighbours" : ""}`),
    );
    // With stability runs (final model only): how far this layer's clustering holds over resamples.
    if (info.stability) {
      const stability = el("span", "mtq-muted mtq-layer-stability", ` · ${ariText(info.stability)} · ${kTallyText(info.stability)}`);
      stability.title = layerStabilityTitle(info.stability);
      caption.append(stability);
    }
    if (info.approximateNeighbours)
      caption.title =
        `Over ${EXACT_LIMIT.toLocaleString("en")} images, the map is built from approximate nearest neighbours ` +
        "(a partitioned search that finds 95-98% of the exact ones on MNIST).";
    this.element.dataset.layer = String(layer + 1);
    this.element.dataset.points = "0";
    this.overlay.append(this.lassoPath, this.hoverRing);
    this.overlay.setAttribute("tabindex", "0");
    this.overlay.setAttribute("role", "img");
    this.overlay.setAttribute(
      "aria-label",
      `UMAP map of layer ${layer + 1}, ${ctx.data.results.images.count} images. ` +
        "Drag to lasso (Shift adds), wheel zooms; arrow keys pan, + and - zoom, 0 resets.",
    );
    this.hoverRing.setAttribute("visibility", "hidden");
    this.plot.append(this.canvas, this.overlay);
    this.element.append(caption, this.plot, this.chips);

    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.5, 40])
      .filter((e: MouseEvent | WheelEvent) => e.type === "wheel" || (ctx.tool() === "pan" ? e.button === 0 : e.button === 1))
      .on("zoom", (e: { transform: ZoomTransform }) => {
        this.transform = e.transform;
        this.element.dataset.zoom = e.transform.k.toFixed(2);
        this.ctx.tooltip.hide();
        this.draw();
      });
    select(this.overlay).call(this.zoomer).on("dblclick.zoom", null);
    this.listenForLasso();
    this.listenForHover();
    this.listenForKeys();
    new ResizeObserver(() => this.fit()).observe(this.plot);
    this.renderChips();
  }

  /** Redraws after the colouring or the theme changed. */
  refresh(): void {
    this.groups = null;
    this.renderChips();
    this.draw();
  }

  resetZoom(): void {
    this.zoomTo(zoomIdentity);
  }

  /** The current zoom, carried over to this layer's map at another epoch. */
  get zoomTransform(): ZoomTransform {
    return this.transform;
  }

  zoomTo(transform: ZoomTransform): void {
    select(this.overlay).call(this.zoomer.transform, transform);
  }

  /** The map as SVG (for export): the same batches, colours and selection as on screen. */
  toSvg(): SVGGElement {
    const g = svgEl("g", { class: "mtq-export-map" });
    for (const b of this.batches()) {
      const r = b.radius;
      const d = b.images
        .map((i) => this.screen(i))
        .filter(([x, y]) => x >= 0 && y >= 0 && x <= this.width && y <= this.height)
        .map(([x, y]) => `M${(x - r).toFixed(1)},${y.toFixed(1)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`)
        .join("");
      if (d) g.append(svgEl("path", { d, fill: b.hollow ? "none" : b.color, stroke: b.hollow ? b.color : "none", opacity: b.alpha }));
    }
    return g;
  }

  get size(): [number, number] {
    return [this.width, this.height];
  }

  get title(): string {
    return this.element.querySelector("figcaption")?.textContent ?? "";
  }

  /** Sizes the canvas to its box; called once attached (so the first frame is drawn at once) and on resize. */
  fit(): void {
    this.resize(this.plot.clientWidth, this.plot.clientHeight);
  }

  private resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.base = this.fittedPositions();
    this.tree = quadtree<number>()
      .x((i) => this.base[2 * i])
      .y((i) => this.base[2 * i + 1])
      .addAll(Array.from({ length: this.ctx.data.results.images.count }, (_, i) => i));
    this.draw();
  }

  /** UMAP coordinates scaled into the plot, same scale on both axes so distances keep their shape. */
  private fittedPositions(): Float32Array {
    const pos = this.ctx.data.positions[this.layer];
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < pos.length; i += 2) {
      x0 = Math.min(x0, pos[i]);
      x1 = Math.max(x1, pos[i]);
      y0 = Math.min(y0, pos[i + 1]);
      y1 = Math.max(y1, pos[i + 1]);
    }
    const scale = Math.min((this.width - 2 * PAD) / (x1 - x0 || 1), (this.height - 2 * PAD) / (y1 - y0 || 1));
    const ox = (this.width - (x1 - x0) * scale) / 2;
    const oy = (this.height - (y1 - y0) * scale) / 2;
    const out = new Float32Array(pos.length);
    for (let i = 0; i < pos.length; i += 2) {
      out[i] = ox + (pos[i] - x0) * scale;
      out[i + 1] = oy + (pos[i + 1] - y0) * scale;
    }
    return out;
  }

  private screen(i: number): [number, number] {
    const { k, x, y } = this.transform;
    return [this.base[2 * i] * k + x, this.base[2 * i + 1] * k + y];
  }

  /** Small points when the map is crowded, growing gently as the user zooms in. */
  private radius(): number {
    const n = Math.max(1, this.ctx.data.results.images.count);
    const r = Math.min(3.2, Math.max(1.3, Math.sqrt((this.width * this.height) / n) / 5));
    return r * Math.min(3, Math.sqrt(this.transform.k)) * (isHighContrast() ? 1.2 : 1);
  }

  private colorGroups(): ColorGroup[] {
    const by = this.ctx.colorBy();
    if (this.groups?.by === by) return this.groups.groups;
    const { images } = this.ctx.data.results;
    const { layers } = this.ctx.data.state;
    const layer = layers[this.layer];
    const byColor = new Map<string, ColorGroup>();
    for (let i = 0; i < images.count; i++) {
      const color = by === "digit" ? digitColor(images.labels[i]) : clusterColor(layer.assignments[i], layer.k);
      let group = byColor.get(color);
      if (!group) byColor.set(color, (group = { color, kept: [], injected: [] }));
      (images.injected[i] ? group.injected : group.kept).push(i);
    }
    this.groups = { by, groups: [...byColor.values()] };
    return this.groups.groups;
  }

  /** Unselected points first and faint when there is a selection, then the selected ones on top. */
  private batches(): Batch[] {
    const { mask } = this.ctx.selection;
    const r = this.radius();
    const out: Batch[] = [];
    for (const pass of this.ctx.selection.current ? [0, 1] : [-1]) {
      for (const group of this.colorGroups()) {
        for (const [list, hollow] of [
          [group.kept, false],
          [group.injected, true],
        ] as const) {
          out.push({
            color: group.color,
            hollow,
            alpha: pass === 0 ? 0.18 : 0.9,
            radius: pass === 1 ? r * 1.35 : r,
            images: pass < 0 ? list : list.filter((i) => mask[i] === pass),
          });
        }
      }
    }
    return out;
  }

  draw(): void {
    if (this.width === 0) return;
    const g = this.canvas.getContext("2d")!;
    const dpr = this.canvas.width / this.width;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.width, this.height);
    let drawn = 0;
    for (const b of this.batches()) {
      const r = b.radius;
      g.globalAlpha = b.alpha;
      g.fillStyle = b.color;
      g.strokeStyle = b.color;
      g.lineWidth = r > 2 ? 1.5 : 1.1;
      g.beginPath();
      for (const i of b.images) {
        const [x, y] = this.screen(i);
        if (x < -r || y < -r || x > this.width + r || y > this.height + r) continue;
        g.moveTo(x + r, y);
        g.arc(x, y, r, 0, 2 * Math.PI);
      }
      if (b.hollow) g.stroke();
      else g.fill();
      drawn += b.images.length;
    }
    this.element.dataset.points = String(drawn);
    this.element.dataset.selected = String(this.ctx.selection.current?.images.length ?? 0);
    this.placeHoverRing();
  }

  private renderChips(): void {
    const layer = this.ctx.data.state.layers[this.layer];
    const byCluster = this.ctx.colorBy() === "cluster";
    const legend = clusterLegend(layer);
    this.chips.replaceChildren(
      ...layer.clusters.map((c, i) => {
        const stability = clusterStabilityText(c);
        const chip = button(
          isUnstable(c) ? "mtq-chip mtq-unstable" : "mtq-chip",
          "",
          `Select cluster ${c.id} of layer ${this.layer + 1}: ${c.size} images${c.injectedCount ? ` + ${c.injectedCount} injected` : ""}` +
            (stability ? `; ${stability}` : ""),
          (e) =>
            this.ctx.selection.pick(
              imagesInCluster(this.ctx.data, this.layer, c.id),
              `cluster ${c.id} of layer ${this.layer + 1}`,
              e.shiftKey,
            ),
        );
        if (byCluster) {
          const swatch = el("span", "mtq-swatch");
          swatch.style.backgroundColor = legend[i].color;
          chip.append(swatch);
        }
        chip.append(legend[i].label);
        return chip;
      }),
    );
  }

  private listenForLasso(): void {
    let points: [number, number][] | null = null;
    this.overlay.addEventListener("pointerdown", (e) => {
      if (this.ctx.tool() !== "lasso" || e.button !== 0) return;
      this.overlay.setPointerCapture(e.pointerId);
      points = [this.local(e)];
      this.ctx.tooltip.hide();
    });
    this.overlay.addEventListener("pointermove", (e) => {
      if (!points) return;
      points.push(this.local(e));
      this.lassoPath.setAttribute("d", `M${points.join("L")}Z`);
    });
    const finish = (e: PointerEvent) => {
      if (!points) return;
      const polygon = points;
      points = null;
      this.lassoPath.setAttribute("d", "");
      this.selectInLasso(polygon, e.shiftKey);
    };
    this.overlay.addEventListener("pointerup", finish);
    this.overlay.addEventListener("pointercancel", () => {
      points = null;
      this.lassoPath.setAttribute("d", "");
    });
  }

  /** A drag selects what it encloses; a click (a drag of almost no area) selects the point under it. */
  private selectInLasso(polygon: [number, number][], add: boolean): void {
    const [bx0, by0] = this.transform.invert([Math.min(...polygon.map((p) => p[0])), Math.min(...polygon.map((p) => p[1]))]);
    const [bx1, by1] = this.transform.invert([Math.max(...polygon.map((p) => p[0])), Math.max(...polygon.map((p) => p[1]))]);
    const layerLabel = `layer ${this.layer + 1}`;
    if ((bx1 - bx0) * this.transform.k < 4 && (by1 - by0) * this.transform.k < 4) {
      const hit = this.pointAt(polygon[0]);
      if (hit !== null) this.ctx.selection.pick([hit], `image #${hit}`, add);
      return;
    }
    const local = polygon.map((p) => this.transform.invert(p));
    const inside: number[] = [];
    this.tree.visit((node, x0, y0, x1, y1) => {
      if (x0 > bx1 || y0 > by1 || x1 < bx0 || y1 < by0) return true;
      if (!("length" in node)) {
        for (let leaf: typeof node | undefined = node; leaf; leaf = leaf.next) {
          if (polygonContains(local, [this.base[2 * leaf.data], this.base[2 * leaf.data + 1]])) inside.push(leaf.data);
        }
      }
      return false;
    });
    this.ctx.selection.pick(inside, `lasso on ${layerLabel}`, add);
  }

  private listenForHover(): void {
    this.overlay.addEventListener("pointermove", (e) => {
      if (e.buttons) return;
      const hit = this.pointAt(this.local(e));
      this.hovered = hit;
      this.placeHoverRing();
      if (hit === null) return this.ctx.tooltip.hide();
      this.ctx.tooltip.show(e.clientX, e.clientY, describeImage(this.ctx.data, hit), [thumbnailGrid(this.ctx.data, [hit], 1, 3)]);
    });
    this.overlay.addEventListener("pointerleave", () => {
      this.hovered = null;
      this.placeHoverRing();
      this.ctx.tooltip.hide();
    });
  }

  private placeHoverRing(): void {
    if (this.hovered === null) return this.hoverRing.setAttribute("visibility", "hidden");
    const [x, y] = this.screen(this.hovered);
    this.hoverRing.setAttribute("cx", String(x));
    this.hoverRing.setAttribute("cy", String(y));
    this.hoverRing.setAttribute("r", String(this.radius() + 3));
    this.hoverRing.setAttribute("visibility", "visible");
  }

  private pointAt([x, y]: [number, number]): number | null {
    const [bx, by] = this.transform.invert([x, y]);
    return this.tree.find(bx, by, (this.radius() + 4) / this.transform.k) ?? null;
  }

  private local(e: PointerEvent): [number, number] {
    const box = this.overlay.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  }

  private listenForKeys(): void {
    const pans: Record<string, [number, number]> = {
      ArrowLeft: [KEY_PAN, 0],
      ArrowRight: [-KEY_PAN, 0],
      ArrowUp: [0, KEY_PAN],
      ArrowDown: [0, -KEY_PAN],
    };
    this.overlay.addEventListener("keydown", (e) => {
      const target = select(this.overlay);
      const k = this.transform.k;
      if (pans[e.key]) target.call(this.zoomer.translateBy, pans[e.key][0] / k, pans[e.key][1] / k);
      else if (e.key === "+" || e.key === "=") target.call(this.zoomer.scaleBy, 1.5);
      else if (e.key === "-") target.call(this.zoomer.scaleBy, 1 / 1.5);
      else if (e.key === "0") this.resetZoom();
      else return;
      e.preventDefault();
    });
  }
}

function imagesInCluster(data: ViewData, layer: number, cluster: number): number[] {
  const { assignments } = data.state.layers[layer];
  return imagesWhere(data, (i) => assignments[i] === cluster);
}
