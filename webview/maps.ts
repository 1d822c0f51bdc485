// One map per hidden layer (its UMAP projection, or its PCA one where the run stored it), drawn
// with WebGL (glPoints.ts) so 70,000 points and more pan, zoom and follow a lasso smoothly; on a
// 2-D canvas where the browser has no WebGL. An SVG overlay on top takes the pointer (lasso, pan
// and zoom) and draws the lasso, the hover ring, and the ring around an image selected alone
// (drawn larger), which each map pans into view when it is off it.
import { afterPaint } from "./afterPaint";
import { color, select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from "d3";
import { EXACT_LIMIT } from "../src/shared/figures";
import { imageTitle } from "../src/shared/imageName";
import { Bitset } from "./bitset";
import { dotRadius, drawOnCanvas, pointBatches, selectedScale, type Batch, type ColorGroup } from "./canvasPoints";
import type { MapKind } from "../src/shared/protocol";
import { describeImage, imagesWhere, mapPositions, type ViewData } from "./data";
import { clusterColor, digitColor, isHighContrast, themeColor, type ColorBy } from "./colors";
import { button, el, svgEl } from "./dom";
import { GlPoints, INJECTED, SELECTED, type GlFrame } from "./glPoints";
import { keptColor, keptOf } from "./keptColors";
import { NeighbourLinks, type LinkLayout, type ShownNeighbours } from "./neighbourLinks";
import { PointGrid } from "./pointGrid";
import { PointRaster, rehearseLassos } from "./raster";
import { pointsInPolygon } from "./lasso";
import { clusterLegend } from "./legend";
import type { SelectionModel } from "./selection";
import { ariText, clusterStabilityText, isUnstable, kTallyText, layerStabilityTitle } from "./stability";
import { thumbnailGrid } from "./thumbnails";
import type { Tooltip } from "./tooltip";
import { grouped } from "../src/shared/imageCount";

export type Tool = "lasso" | "pan";

export interface MapContext {
  data: ViewData;
  selection: SelectionModel;
  tooltip: Tooltip;
  colorBy(): ColorBy;
  tool(): Tool;
  /** The map kind drawn: one the shown state has (mapKinds). */
  mapKind(): MapKind;
}

/**
 * The colouring of every point: each point's RGBA (what the raster and WebGL draw) and its colour's
 * index in `colors`; the colour groups (kept and injected images per colour) listed when first
 * asked (the 2-D canvas and the export draw them): a list per colour of every image was made at
 * each load, for each map, that neither the raster nor WebGL reads.
 */
interface Coloring {
  by: ColorBy;
  rgba: Uint8Array;
  colorOf: Uint16Array;
  colors: string[];
  groups: ColorGroup[] | null;
}

const PAD = 12;
const KEY_PAN = 40;
/**
 * Maps of more points than this are rasterised in JS (raster.ts), not drawn as WebGL sprites: where
 * WebGL runs on the CPU (SwiftShader, no GPU) the raster keeps up better from about here (npm run
 * bench:webgl, one map, load 12-19: a pan/zoom frame of 10,000 points 28 ms with WebGL against 36,
 * of 20,000 34 against 26, of 70,000 93 against 29, a selection of 70,000 painted in 128 against 35
 * ms; idle, a later round: a selection of 10,000 painted in 27.0 ms with WebGL against 35.0, of
 * 20,000 30.3 against 28.8, both frames at the display's rate there, of 70,000 36.8 against 16.7).
 * Its image goes on a 2-D canvas, so it draws the same without WebGL.
 */
const RASTER_ABOVE = 20_000;
/**
 * A rasterised map whose last drawing took longer than this (ms) is not rasterised again at each
 * frame of a pan or zoom gesture: its last image is moved and scaled instead (a drawImage), and the
 * points rasterised afresh once no gesture event came for SETTLE_MS. At a million points a raster
 * frame took 56 ms (npm run bench:webview, load 1.9-2.3).
 */
const FRAME_MS = 16;
const SETTLE_MS = 120;

export class UmapMap {
  readonly element = el("figure", "mtq-map");
  private readonly plot = el("div", "mtq-map-plot");
  private canvas = el("canvas", "mtq-map-canvas");
  private readonly overlay = svgEl("svg", { class: "mtq-map-overlay" });
  private readonly lassoPath = svgEl("path", { class: "mtq-lasso" });
  private readonly hoverRing = svgEl("circle", { class: "mtq-hover-ring", r: 6 });
  /** Around the image selected alone: a halo in the background's colour under a ring in the focus colour, seen on any point. */
  private readonly focusRing = svgEl("g", { class: "mtq-focus-ring" });
  private readonly chips = el("div", "mtq-cluster-chips");
  /** The image selected alone's true neighbours in this layer, linked to it (neighbours.ts). */
  private readonly links = new NeighbourLinks();
  /** In the caption: which map this is and how far it can be trusted. */
  private readonly figure = el("span", "mtq-muted mtq-map-kept");
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  /** The WebGL layer; null where the browser has none (or lost it), or the map is rasterised: the 2-D canvas draws then. */
  private gl: GlPoints | null;
  /** For maps of more than RASTER_ABOVE points: the points drawn into one image, put on the 2-D canvas. */
  private readonly raster: PointRaster | null;
  /** Map coordinates to CSS pixels before zoom: x * scale + offset[0], y * scale + offset[1]. */
  private scale = 1;
  private offset: [number, number] = [0, 0];
  /** The points on the map drawn (mapPositions), and their bounds [x0, y0, x1, y1]. */
  private positions: Float32Array;
  private bounds: [number, number, number, number];
  /** Per point: INJECTED, and SELECTED as the selection says (what the WebGL layer reads). */
  private readonly flags: Uint8Array;
  /** The selection `flags` show. */
  private flagged: Bitset;
  private uploaded = { colors: false, flags: false };
  /** The points in map coordinates, for hover and click; built when first needed (or when the page is idle). */
  private grid: PointGrid | null = null;
  private coloring: Coloring | null = null;
  private width = 0;
  private height = 0;
  private hovered: number | null = null;
  /** The raster's last drawing: how long it took (ms) and at which zoom; while a gesture moves it, a copy of it, and the timer that draws afresh. */
  private rasterMs = 0;
  private drawnAt: ZoomTransform = zoomIdentity;
  private still: HTMLCanvasElement | null = null;
  private settle: number | undefined;
  /** A lasso's selection staged in the raster (stageSelection), as flags and as bits; none since the selection was last shown. */
  private staged: { flags: Uint8Array; bits: Bitset } | null = null;
  /** Whether the canvas shows the raster's last image (not resized, nor a gesture's moved copy since): a draw then puts only what it changed. */
  private canvasHoldsRaster = false;
  /** While a key's pan or zoom runs (d3 gives it no source event). */
  private keyed = false;

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
    caption.append(this.figure);
    if (info.approximateNeighbours)
      caption.title =
        `Over ${grouped(EXACT_LIMIT)} images, the map is built from approximate nearest neighbours ` +
        "(a partitioned search; npm run bench:umap measures how many of the exact ones it finds).";
    this.element.dataset.layer = String(layer + 1);
    this.element.dataset.points = "0";
    this.focusRing.append(svgEl("circle", { class: "mtq-focus-halo" }), svgEl("circle", { class: "mtq-focus-line" }));
    this.overlay.append(this.lassoPath, this.links.element, this.hoverRing, this.focusRing);
    this.overlay.setAttribute("tabindex", "0");
    this.overlay.setAttribute("role", "img");
    this.hoverRing.setAttribute("visibility", "hidden");
    this.focusRing.setAttribute("visibility", "hidden");
    this.positions = mapPositions(info, ctx.mapKind());
    this.bounds = boundsOf(this.positions);
    this.describeMap();
    const { injected } = ctx.data.results.images;
    this.flags = new Uint8Array(injected.length);
    this.flagged = new Bitset(injected.length);
    for (let i = 0; i < injected.length; i++) if (injected[i]) this.flags[i] = INJECTED;
    this.raster = injected.length > RASTER_ABOVE ? new PointRaster() : null;
    if (this.raster) ctx.selection.onStage((bits) => this.stageSelection(bits));
    this.gl = this.raster ? null : GlPoints.create(this.canvas);
    if (this.gl) this.gl.setPositions(this.positions);
    // Not after dispose(), which loses the context on purpose.
    this.canvas.addEventListener("webglcontextlost", () => this.gl && this.useCanvas());
    this.element.dataset.renderer = this.raster ? "raster" : this.gl ? "webgl" : "canvas";
    this.plot.append(this.canvas, this.overlay);
    this.element.append(caption, this.plot, this.chips);

    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.5, 40])
      .filter((e: MouseEvent | WheelEvent) => e.type === "wheel" || (ctx.tool() === "pan" ? e.button === 0 : e.button === 1))
      .on("zoom", (e: { transform: ZoomTransform; sourceEvent: Event | null }) => {
        this.transform = e.transform;
        this.element.dataset.zoom = e.transform.k.toFixed(2);
        this.ctx.tooltip.hide();
        // A wheel, a drag or a key moves the map as a gesture; a zoom set by the view (reset, an image brought into view) draws at once.
        if ((e.sourceEvent || this.keyed) && this.raster && this.rasterMs > FRAME_MS) this.drawMoved();
        else this.draw();
      });
    select(this.overlay).call(this.zoomer).on("dblclick.zoom", null);
    this.listenForLasso();
    this.listenForHover();
    this.listenForKeys();
    new ResizeObserver(() => this.fit()).observe(this.plot);
    this.renderChips();
    afterPaint(() => requestIdleCallback(() => this.index()));
    if (this.raster) afterPaint(rehearseLassos);
  }

  /** Redraws after the colouring or the theme changed. */
  refresh(): void {
    this.coloring = null;
    this.renderChips();
    this.draw();
  }

  /** Draws the points at their places on the map kind now chosen, the whole map in view; the selection and colouring stay. */
  showMapKind(): void {
    this.positions = mapPositions(this.ctx.data.state.layers[this.layer], this.ctx.mapKind());
    this.bounds = boundsOf(this.positions);
    this.grid = null;
    // Coloured by neighbours kept, the colours are the map's own.
    if (this.ctx.colorBy() === "kept") this.coloring = null;
    this.gl?.setPositions(this.positions);
    this.describeMap();
    this.place();
    // d3's zoom.transform fires the "zoom" handler, which hides the tooltip and draws.
    this.resetZoom();
  }

  /** Shows a new selection: only the points whose state changed are updated; an image selected alone is panned into view. */
  showSelection(): void {
    const { bits, previous, changed } = this.ctx.selection;
    const { flags } = this;
    if (this.flagged !== previous) for (let i = 0; i < flags.length; i++) flags[i] &= ~SELECTED;
    (this.flagged === previous ? changed : bits).toggleIn(flags, SELECTED);
    this.flagged = bits;
    this.staged = null;
    this.uploaded.flags = false;
    // Panning draws (the zoom's handler); else draw here.
    if (!this.bringIntoView()) this.draw();
  }

  /** Links the image selected alone to its neighbours in the layer (null: none). */
  showNeighbours(shown: ShownNeighbours | null): void {
    this.links.show(shown);
    this.links.place(this.linkLayout());
  }

  /** Frees the WebGL layer: the view is replaced (another epoch or file). */
  dispose(): void {
    window.clearTimeout(this.settle);
    this.gl?.dispose();
    this.gl = null;
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

  /** The map as SVG (for export): the same batches, colours, selection and ring as on screen. */
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
    const ring = this.ringAt();
    if (ring) {
      const circle = { cx: ring.x.toFixed(1), cy: ring.y.toFixed(1), r: ring.r.toFixed(1), fill: "none" };
      g.append(
        svgEl("circle", { ...circle, stroke: themeColor("--vscode-editor-background", "#1e1e1e"), "stroke-width": 4 }),
        svgEl("circle", { ...circle, stroke: themeColor("--vscode-focusBorder", "#007fd4"), "stroke-width": 2 }),
      );
    }
    return g;
  }

  /** Where the neighbours' links go now: from the ring of the image selected alone to a ring around each neighbour's point. */
  private linkLayout(): LinkLayout {
    return { at: (i) => this.screen(i), from: this.radius() * selectedScale(1) + 4, to: this.radius() + 3 };
  }

  /** The links of the image selected alone to its neighbours, for the export (drawn over the map's points and ring), or null. */
  neighboursSvg(): SVGSVGElement | null {
    return this.links.exported(this.linkLayout(), this.width, this.height);
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
    this.canvasHoldsRaster = false;
    this.overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.place();
    if (!this.bringIntoView()) this.draw();
  }

  /** Fits the points' bounds to the map's box. */
  private place(): void {
    const { width, height } = this;
    // Same scale on both axes, so that distances keep their shape.
    const [x0, y0, x1, y1] = this.bounds;
    this.scale = Math.min((width - 2 * PAD) / (x1 - x0 || 1), (height - 2 * PAD) / (y1 - y0 || 1));
    this.offset = [(width - (x1 - x0) * this.scale) / 2 - x0 * this.scale, (height - (y1 - y0) * this.scale) / 2 - y0 * this.scale];
  }

  /**
   * The caption's figure for the map drawn: on a PCA map, the variance its two axes hold; on either,
   * the run's share of each image's nearest in the layer that stay its nearest here.
   */
  private describeMap(): void {
    const info = this.ctx.data.state.layers[this.layer];
    const pca = this.ctx.mapKind() === "pca";
    const kept = pca ? info.pcaNeighboursKept : info.umapNeighboursKept;
    const percent = (share: number) => `${Math.round(100 * share)}%`;
    const parts: string[] = [];
    const titles: string[] = [];
    if (pca && info.pcaExplained) {
      const [x, y] = info.pcaExplained.map(percent);
      parts.push(`PCA: ${x} + ${y} of the variance`);
      titles.push(
        `The layer's signatures projected on their first two principal components, which hold ${x} and ${y} of the kept images' variance: ` +
          "a linear map, fast and faithful to the largest spreads, blind to the rest.",
      );
    }
    if (kept !== undefined) {
      parts.push(`${percent(kept)} of neighbours kept`);
      titles.push(
        `Of each image's ${info.neighbourCount} nearest in the layer's own space, ${percent(kept)} ` +
          "on average stay among its nearest on this map: points close here are not always close in the layer.",
      );
    }
    this.figure.textContent = parts.map((p) => ` · ${p}`).join("");
    this.figure.title = titles.join("\n");
    this.element.dataset.mapKind = this.ctx.mapKind();
    this.overlay.setAttribute("aria-label", this.label(this.focused()));
  }

  /** An image's place before the zoom, in CSS pixels. */
  private placed(i: number): [number, number] {
    const pos = this.positions;
    return [pos[2 * i] * this.scale + this.offset[0], pos[2 * i + 1] * this.scale + this.offset[1]];
  }

  private screen(i: number): [number, number] {
    return this.transform.apply(this.placed(i));
  }

  /** The image selected alone, or null (none, or several). */
  private focused(): number | null {
    const { bits, current } = this.ctx.selection;
    return bits.count === 1 && current ? current.images[0] : null;
  }

  /** Where the ring around the image selected alone goes on screen, or null when there is none or it is off the map. */
  private ringAt(): { x: number; y: number; r: number } | null {
    const image = this.focused();
    if (image === null || this.width === 0) return null;
    const [x, y] = this.screen(image);
    const r = this.radius() * selectedScale(1) + 4;
    return x < -r || y < -r || x > this.width + r || y > this.height + r ? null : { x, y, r };
  }

  /**
   * Pans the map, keeping its zoom, to centre the image selected alone when its enlarged dot is
   * not wholly on the map (a selection made in the tree, the Sankey or another map; a point
   * clicked on this one is in view, so the map stays put). True when it panned (the zoom's
   * handler then draws).
   */
  private bringIntoView(): boolean {
    const image = this.focused();
    if (image === null || this.width === 0) return false;
    const [x, y] = this.screen(image);
    const margin = Math.min(this.radius() * selectedScale(1), this.width / 4, this.height / 4);
    if (x >= margin && y >= margin && x <= this.width - margin && y <= this.height - margin) return false;
    select(this.overlay).call(this.zoomer.translateTo, ...this.placed(image));
    return true;
  }

  /** A point on screen in map coordinates. */
  private toData([sx, sy]: [number, number]): [number, number] {
    const [bx, by] = this.transform.invert([sx, sy]);
    return [(bx - this.offset[0]) / this.scale, (by - this.offset[1]) / this.scale];
  }

  /** Small points when the map is crowded, growing gently as the user zooms in; larger in high contrast. */
  private radius(): number {
    return dotRadius(this.width, this.height, this.ctx.data.results.images.count, this.transform.k) * (isHighContrast() ? 1.2 : 1);
  }

  private colors(): Coloring {
    const by = this.ctx.colorBy();
    if (this.coloring?.by === by) return this.coloring;
    const { images } = this.ctx.data.results;
    const layer = this.ctx.data.state.layers[this.layer];
    const byColor = new Map<string, { index: number; rgb: [number, number, number] }>();
    const rgba = new Uint8Array(4 * images.count);
    const colorIndex = new Uint16Array(images.count);
    // Each point's key (by neighbours kept: the map drawn's counts), its colour made once per key.
    const kept = by === "kept" ? keptOf(layer, this.ctx.mapKind()) : null;
    const keys = kept ?? (by === "digit" ? images.labels : layer.assignments);
    const colorOfKey = (key: number) =>
      kept ? keptColor(key, layer.neighbourCount ?? 0) : by === "digit" ? digitColor(key) : clusterColor(key, layer.k);
    // Keys are small whole numbers (a label, a cluster, a count): an array indexed by them, not a Map.
    const byKey: ({ index: number; rgb: [number, number, number] } | undefined)[] = [];
    for (let i = 0; i < images.count; i++) {
      const key = keys[i];
      let shade = byKey[key];
      if (!shade) {
        const c = colorOfKey(key);
        shade = byColor.get(c);
        if (!shade) {
          const { r, g, b } = color(c)?.rgb() ?? { r: 128, g: 128, b: 128 };
          byColor.set(c, (shade = { index: byColor.size, rgb: [r, g, b] }));
        }
        byKey[key] = shade;
      }
      const { rgb } = shade;
      colorIndex[i] = shade.index;
      rgba[4 * i] = rgb[0];
      rgba[4 * i + 1] = rgb[1];
      rgba[4 * i + 2] = rgb[2];
    }
    this.coloring = { by, rgba, colorOf: colorIndex, colors: [...byColor.keys()], groups: null };
    this.uploaded.colors = false;
    return this.coloring;
  }

  /** The images of each colour, kept and injected apart, ascending, in the colours' order. */
  private colorGroups(): ColorGroup[] {
    const coloring = this.colors();
    if (!coloring.groups) {
      const { injected, count } = this.ctx.data.results.images;
      const groups: ColorGroup[] = coloring.colors.map((c) => ({ color: c, kept: [], injected: [] }));
      for (let i = 0; i < count; i++) {
        const group = groups[coloring.colorOf[i]];
        (injected[i] ? group.injected : group.kept).push(i);
      }
      coloring.groups = groups;
    }
    return coloring.groups;
  }

  private batches(): Batch[] {
    return pointBatches(this.colorGroups(), this.ctx.selection.bits, this.radius());
  }

  draw(): void {
    if (this.width === 0) return;
    window.clearTimeout(this.settle);
    this.settle = undefined;
    delete this.element.dataset.moving;
    const coloring = this.colors();
    const frame = this.frame(this.ctx.selection.bits.count);
    if (this.raster) {
      const { raster } = this;
      const start = performance.now();
      raster.draw(this.positions, coloring.rgba, this.flags, frame);
      // Only the box composed since the last put (a lasso's as it was drawn too), when the canvas holds the raster's last image: the
      // compositor then draws again only that of it.
      const box = raster.takeComposedBox();
      const { x, y, width, height } = this.canvasHoldsRaster ? box : { x: 0, y: 0, width: raster.width, height: raster.height };
      if (width > 0)
        this.canvas
          .getContext("2d", { alpha: true })!
          .putImageData(new ImageData(raster.pixels, raster.width, raster.height), 0, 0, x, y, width, height);
      this.canvasHoldsRaster = true;
      this.rasterMs = performance.now() - start;
      this.drawnAt = this.transform;
      this.still = null;
      this.element.dataset.points = String(this.positions.length / 2);
    } else if (this.gl) {
      if (!this.uploaded.colors) this.gl.setColors(coloring.rgba);
      if (!this.uploaded.flags) this.gl.setFlags(this.flags);
      this.uploaded = { colors: true, flags: true };
      this.gl.draw(frame);
      this.element.dataset.points = String(this.gl.pointCount);
    } else {
      this.element.dataset.points = String(drawOnCanvas(this.canvas, this.width, this.height, this.batches(), (i) => this.screen(i)));
    }
    this.element.dataset.selected = String(this.ctx.selection.bits.count);
    this.placeHoverRing();
    this.placeFocusRing();
    this.links.place(this.linkLayout());
  }

  /** The map as drawn now, with `selected` points selected. */
  private frame(selected: number): GlFrame {
    const { k, x, y } = this.transform;
    const s = this.scale * k;
    return {
      sx: s,
      sy: s,
      tx: this.offset[0] * k + x,
      ty: this.offset[1] * k + y,
      width: this.width,
      height: this.height,
      dpr: this.canvas.width / this.width,
      radius: this.radius(),
      selected,
    };
  }

  /**
   * A lasso's selection as it is drawn, drawn in the raster ahead of the pick (raster.ts's `redraw`)
   * but not put on the canvas: the pick's draw then has only what changed since left, and puts it
   * all. The maps' flags stay the selection's; the staged ones are a copy.
   */
  private stageSelection(bits: Bitset): void {
    if (!this.raster || this.width === 0 || this.still) return;
    const staged = (this.staged ??= { flags: this.flags.slice(), bits: this.flagged });
    staged.bits.xor(bits).toggleIn(staged.flags, SELECTED);
    staged.bits = bits;
    this.raster.redraw(this.positions, this.colors().rgba, staged.flags, this.frame(bits.count));
  }

  /**
   * A frame of a gesture on a raster too slow to redraw at each: the last drawing moved and scaled
   * to the zoom now (what was off it stays empty meanwhile), the points drawn afresh once the
   * gesture settles. The rings, links and hover follow the zoom at once (they are SVG).
   */
  private drawMoved(): void {
    const g = this.canvas.getContext("2d", { alpha: true })!;
    if (!this.still) {
      this.still = el("canvas");
      this.still.width = this.canvas.width;
      this.still.height = this.canvas.height;
      this.still.getContext("2d")!.drawImage(this.canvas, 0, 0);
    }
    const dpr = this.canvas.width / this.width;
    const r = this.transform.k / this.drawnAt.k;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvasHoldsRaster = false;
    g.setTransform(r, 0, 0, r, dpr * (this.transform.x - r * this.drawnAt.x), dpr * (this.transform.y - r * this.drawnAt.y));
    g.drawImage(this.still, 0, 0);
    g.setTransform(1, 0, 0, 1, 0, 0);
    this.element.dataset.moving = "";
    this.placeHoverRing();
    this.placeFocusRing();
    this.links.place(this.linkLayout());
    window.clearTimeout(this.settle);
    this.settle = window.setTimeout(() => this.draw(), SETTLE_MS);
  }

  /** WebGL lost (the GPU reset, or too many contexts): the map goes on on a fresh 2-D canvas. */
  private useCanvas(): void {
    this.gl = null;
    const canvas = el("canvas", "mtq-map-canvas");
    canvas.width = this.canvas.width;
    canvas.height = this.canvas.height;
    this.canvas.replaceWith(canvas);
    this.canvas = canvas;
    this.element.dataset.renderer = "canvas";
    this.draw();
  }

  private index(): PointGrid {
    this.grid ??= new PointGrid(this.positions, this.bounds);
    return this.grid;
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
    /** What the lasso enclosed with its first `corners` corners at zoom `at`, found while it was drawn; and whether a task to find it is queued. */
    let found: { corners: number; at: ZoomTransform; inside: Bitset } | null = null;
    let queued = false;
    // A task after the move, not in its handler: moves come faster than a million points are tested, and the path is drawn first.
    const stage = (add: boolean) => {
      queued = false;
      if (!points || !this.isLasso(points)) return;
      found = { corners: points.length, at: this.transform, inside: this.inLasso(points) };
      this.ctx.selection.stage(found.inside, add);
    };
    this.overlay.addEventListener("pointerdown", (e) => {
      if (this.ctx.tool() !== "lasso" || e.button !== 0) return;
      this.overlay.setPointerCapture(e.pointerId);
      points = [this.local(e)];
      found = null;
      this.ctx.tooltip.hide();
    });
    this.overlay.addEventListener("pointermove", (e) => {
      if (!points) return;
      points.push(this.local(e));
      this.lassoPath.setAttribute("d", `M${points.join("L")}Z`);
      if (this.raster && !queued) {
        queued = true;
        window.setTimeout(() => stage(e.shiftKey));
      }
    });
    const finish = (e: PointerEvent) => {
      if (!points) return;
      const polygon = points;
      points = null;
      this.lassoPath.setAttribute("d", "");
      // Found at the zoom of the release (a wheel may zoom the map under a lasso being drawn) with every corner.
      const inside = found && found.corners === polygon.length && found.at === this.transform ? found.inside : undefined;
      this.selectInLasso(polygon, e.shiftKey, inside);
    };
    this.overlay.addEventListener("pointerup", finish);
    this.overlay.addEventListener("pointercancel", () => {
      points = null;
      this.lassoPath.setAttribute("d", "");
    });
  }

  /**
   * A drag selects what it encloses (`inside`, when found as it was drawn); a click (a drag of almost
   * no area) selects the point under it.
   */
  private selectInLasso(polygon: [number, number][], add: boolean, inside?: Bitset): void {
    if (!this.isLasso(polygon)) {
      const hit = this.pointAt(polygon[0]);
      if (hit !== null) this.ctx.selection.pick([hit], imageTitle(this.ctx.data.results, hit), add);
      return;
    }
    this.ctx.selection.pickBits(inside ?? this.inLasso(polygon), `lasso on layer ${this.layer + 1}`, add);
  }

  /** Whether a drag through `polygon` is a lasso, not a click: 4 pixels wide or tall at least. */
  private isLasso(polygon: [number, number][]): boolean {
    const xs = polygon.map((p) => p[0]);
    const ys = polygon.map((p) => p[1]);
    return Math.max(...xs) - Math.min(...xs) >= 4 || Math.max(...ys) - Math.min(...ys) >= 4;
  }

  /** The images `polygon` (screen pixels) encloses on the map. */
  private inLasso(polygon: [number, number][]): Bitset {
    return pointsInPolygon(
      this.positions,
      polygon.map((p) => this.toData(p)),
      this.ctx.data.results.images.count,
    );
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

  /** What a screen reader says of the map: what it shows, how to use it, and the image selected alone, if any. */
  private label(image: number | null = null): string {
    const selected = image === null ? "" : ` Selected: ${imageTitle(this.ctx.data.results, image)}, ringed.`;
    return (
      `${this.ctx.mapKind() === "pca" ? "PCA" : "UMAP"} map of layer ${this.layer + 1}, ${this.ctx.data.results.images.count} images.${selected} ` +
      "Drag to lasso (Shift adds), wheel zooms; arrow keys pan, + and - zoom, 0 resets."
    );
  }

  private placeFocusRing(): void {
    const ring = this.ringAt();
    const image = this.focused();
    if (String(image ?? "") !== (this.element.dataset.focus ?? "")) this.overlay.setAttribute("aria-label", this.label(image));
    if (image === null) delete this.element.dataset.focus;
    else this.element.dataset.focus = String(image);
    if (!ring) return this.focusRing.setAttribute("visibility", "hidden");
    for (const circle of this.focusRing.children) {
      circle.setAttribute("cx", ring.x.toFixed(1));
      circle.setAttribute("cy", ring.y.toFixed(1));
      circle.setAttribute("r", ring.r.toFixed(1));
    }
    this.focusRing.setAttribute("visibility", "visible");
  }

  private pointAt(at: [number, number]): number | null {
    const [x, y] = this.toData(at);
    return this.index().nearest(x, y, (this.radius() + 4) / (this.transform.k * this.scale));
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
      // A key pans or zooms as a gesture, as a wheel does (drawMoved); 0 resets at once.
      this.keyed = true;
      try {
        if (pans[e.key]) target.call(this.zoomer.translateBy, pans[e.key][0] / k, pans[e.key][1] / k);
        else if (e.key === "+" || e.key === "=") target.call(this.zoomer.scaleBy, 1.5);
        else if (e.key === "-") target.call(this.zoomer.scaleBy, 1 / 1.5);
        else if (e.key === "0") {
          this.keyed = false;
          this.resetZoom();
        } else return;
      } finally {
        this.keyed = false;
      }
      e.preventDefault();
    });
  }
}

function imagesInCluster(data: ViewData, layer: number, cluster: number): number[] {
  const { assignments } = data.state.layers[layer];
  return imagesWhere(data, (i) => assignments[i] === cluster);
}

/** [x0, y0, x1, y1] of positions given as [x0, y0, x1, y1, ...]. */
function boundsOf(pos: Float32Array): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < pos.length; i += 2) {
    if (pos[i] < x0) x0 = pos[i];
    if (pos[i] > x1) x1 = pos[i];
    if (pos[i + 1] < y0) y0 = pos[i + 1];
    if (pos[i + 1] > y1) y1 = pos[i + 1];
  }
  return [x0, y0, x1, y1];
}
