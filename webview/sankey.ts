// The Sankey of paths: digit -> cluster in each hidden layer -> prediction, laid out by
// d3-sankey. Selected images are drawn as a bright band inside each link and node, so a lasso on
// a map shows exactly where those images go.
import { linkHorizontal } from "d3";
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from "d3-sankey";
import type { Cluster, FlowLink, FlowNode } from "../src/shared/results";
import { className, classNoun } from "../src/shared/classNames";
import { classLabel } from "../src/shared/imageName";
import { clusterColor, digitColor, type ColorBy } from "./colors";
import { digitCounts, digitMix, type ViewData } from "./data";
import { actAsButton, el, svgEl } from "./dom";
import { Bitset } from "./bitset";
import type { SelectionModel } from "./selection";
import { clusterStabilityText, isUnstable } from "./stability";
import { thumbnailGrid } from "./thumbnails";
import type { Tooltip } from "./tooltip";

interface NodeExtra {
  id: string;
  flow: FlowNode;
}

interface LinkExtra {
  flow: FlowLink;
  /** Its place in the flows' links, and so in `selectedPerLink`. */
  index: number;
  color: string;
}

type LaidNode = SankeyNode<NodeExtra, LinkExtra>;
type LaidLink = SankeyLink<NodeExtra, LinkExtra>;

export interface SankeyContext {
  data: ViewData;
  selection: SelectionModel;
  tooltip: Tooltip;
  colorBy(): ColorBy;
}

const MARGIN = { top: 24, right: 8, bottom: 8, left: 8 };
const HOVER_THUMBS = 24;

export class SankeyView {
  readonly element = el("figure", "mtq-sankey");
  private readonly svg = svgEl("svg", { class: "mtq-sankey-svg" });
  private nodes: LaidNode[] = [];
  private links: LaidLink[] = [];
  private width = 0;
  /** Per pair of adjacent columns, each image's link between them (-1: none). */
  private readonly linkOf: Int32Array[];
  /** Per node, the links whose images are its own: those into it (out of it for a digit node). */
  private readonly nodeLinks = new Map<string, number[]>();
  /** Per link, its selected images, for the selection `counted`. */
  private readonly selectedPerLink: Int32Array;
  private counted: Bitset;
  /**
   * What the layout drew, in `links`' order: each link's path and its band of selected images
   * (hidden when none), the selected count each shows (-1: not yet shown), and each node's
   * selected part with the count it shows: a new selection touches only those whose count changed.
   */
  private linkPaths: SVGPathElement[] = [];
  private bands: SVGPathElement[] = [];
  private shownPerLink = new Int32Array(0);
  private nodeParts: { node: LaidNode; item: SVGGElement; rect: SVGRectElement; shown: number }[] = [];
  /** Whether the links and nodes show a selection (all dimmed, the selected bands and node parts over them). */
  private shownDimmed: boolean | null = null;
  /**
   * The link hovered (else the one focused) drawn again over the veil that dims the links under a
   * selection (theme.css), as bright as a hovered link is without one; hidden when there is none.
   */
  private readonly lifted = svgEl("path", { class: "mtq-link-lifted", display: "none" });
  private hoveredLink: SVGPathElement | null = null;
  private focusedLink: SVGPathElement | null = null;
  /** Per link (by its index in the flows), its images' digits, most frequent first: counted once, the links' colours and their nodes' read them. */
  private readonly digitsPerLink: ([number, number][] | undefined)[] = [];
  /** Per node, its majority digit (merged from its links' counts): the layout's node sort asks it at every comparison. */
  private readonly majority = new Map<string, number>();

  constructor(private readonly ctx: SankeyContext) {
    const { images } = ctx.data.results;
    const { flows } = ctx.data.state;
    const columnOf = new Map(flows.nodes.map((n) => [n.id, n.column]));
    this.linkOf = Array.from({ length: ctx.data.state.layers.length + 1 }, () => new Int32Array(images.count).fill(-1));
    flows.links.forEach((link, l) => {
      const out = this.linkOf[columnOf.get(link.source) ?? 0];
      // Indexed, not for-of: a fresh page runs this cold, where each step of an iterator was an
      // object (2.9 MB of them at 70,000 images, and the scavenges they made).
      const { images: linked } = link;
      for (let k = 0; k < linked.length; k++) out[linked[k]] = l;
      for (const node of columnOf.get(link.source) === 0 ? [link.source, link.target] : [link.target])
        this.nodeLinks.set(node, [...(this.nodeLinks.get(node) ?? []), l]);
    });
    this.selectedPerLink = new Int32Array(flows.links.length);
    this.counted = new Bitset(images.count);
    this.element.append(
      el("figcaption", "mtq-section-title", `Paths: ${classNoun(ctx.data.results)} → cluster in each layer → prediction`),
      this.svg,
    );
    this.element.dataset.images = String(images.count);
    this.element.dataset.links = String(flows.links.length);
    this.svg.setAttribute("role", "group");
    this.svg.setAttribute("aria-label", "Sankey diagram of every image's path. Tab to a node or link, Enter selects its images.");
    new ResizeObserver(() => this.fit()).observe(this.element);
  }

  /** Lays out at the box's width; called once attached (so the first frame is drawn at once) and on resize. */
  fit(): void {
    const width = this.element.clientWidth;
    if (Math.abs(width - this.width) < 1) return;
    this.width = width;
    this.render();
  }

  /** Height grows with the busiest column so that nodes keep readable labels. */
  private height(): number {
    const perColumn = new Map<number, number>();
    for (const n of this.ctx.data.state.flows.nodes) perColumn.set(n.column, (perColumn.get(n.column) ?? 0) + 1);
    return Math.min(640, Math.max(260, 36 * Math.max(...perColumn.values())));
  }

  render(): void {
    if (this.width === 0) return;
    const { flows, layers } = this.ctx.data.state;
    const height = this.height();
    const columns = layers.length + 2;
    const layout = sankey<NodeExtra, LinkExtra>()
      .nodeId((n) => n.id)
      .nodeAlign((n) => n.flow.column)
      .nodeSort((a, b) => this.order(a.flow) - this.order(b.flow))
      .nodeWidth(14)
      .nodePadding(Math.max(6, Math.min(14, height / 40)))
      .extent([
        [MARGIN.left, MARGIN.top],
        [this.width - MARGIN.right, height - MARGIN.bottom],
      ]);
    const graph = layout({
      nodes: flows.nodes.map((flow) => ({ id: flow.id, flow })),
      links: flows.links.map((flow, index) => ({
        source: flow.source,
        target: flow.target,
        value: flow.count,
        flow,
        index,
        color: digitColor(this.linkDigits(index)[0]?.[0] ?? 0),
      })),
    });
    this.nodes = graph.nodes;
    this.links = graph.links;
    this.svg.setAttribute("viewBox", `0 0 ${this.width} ${height}`);
    this.svg.setAttribute("width", String(this.width));
    this.svg.setAttribute("height", String(height));
    const links = this.linkGroup();
    this.bands = this.links.map(() => svgEl("path", { display: "none" }));
    this.shownPerLink = new Int32Array(this.links.length).fill(-1);
    this.shownDimmed = null;
    const bands = svgEl("g", { class: "mtq-links-selected" });
    bands.append(...this.bands);
    const nodes = this.nodeGroup();
    const parts = svgEl("g", { class: "mtq-nodes-selected" });
    parts.append(...this.nodeParts.map((part) => part.rect));
    // The selected bands and node parts are the only things a new selection redraws: in a layer of
    // their own (theme.css), chromium re-rasters them alone, not the links and labels under and over them.
    const selected = svgEl("g", { class: "mtq-sankey-selected" });
    // A selection dims the links with a veil in the page's colour over them (shown by the class
    // highlight() sets), in this layer: its start or end repaints this layer, not every link and
    // label in the page's layer under it, as restyling each link did.
    const veil = svgEl("rect", {
      class: "mtq-links-veil",
      x: MARGIN.left,
      y: MARGIN.top,
      width: Math.max(0, this.width - MARGIN.left - MARGIN.right),
      height: Math.max(0, height - MARGIN.top - MARGIN.bottom),
    });
    this.lift({ hovered: null, focused: null });
    selected.append(veil, this.lifted, bands, parts);
    this.svg.replaceChildren(this.columnTitles(columns), links, selected, nodes);
    this.highlight();
  }

  /**
   * Counts each link's selected images: from the last count, over the images that changed, when
   * fewer changed than are selected (a Shift-lasso added to a large selection); else afresh.
   */
  private countSelected(): void {
    const { bits, previous, changed } = this.ctx.selection;
    if (this.counted === bits) return;
    const perLink = this.selectedPerLink;
    if (this.counted === previous && changed.count < bits.count) {
      // The changed images walked once, each added or removed as the selection has it or not: no
      // sets of the added and the removed made and walked apart.
      const columns = this.linkOf;
      const changedWords = changed.words;
      const selectedWords = bits.words;
      for (let w = 0; w < changedWords.length; w++) {
        let word = changedWords[w];
        const selected = selectedWords[w];
        while (word !== 0) {
          const low = word & -word;
          const i = (w << 5) + 31 - Math.clz32(low);
          const by = (selected & low) === 0 ? -1 : 1;
          for (let c = 0; c < columns.length; c++) {
            const link = columns[c][i];
            if (link >= 0) perLink[link] += by;
          }
          word ^= low;
        }
      }
    } else {
      perLink.fill(0);
      for (const links of this.linkOf) bits.tally(links, perLink, 1);
    }
    this.counted = bits;
  }

  /**
   * Reflects the current selection: each link and node gets a band as wide as its selected share.
   * A selection dims all the links and nodes at once (a class on the SVG), so that a lasso after a
   * lasso changes only the bands and node parts.
   */
  highlight(): void {
    this.countSelected();
    const dimmed = this.ctx.selection.current !== null;
    if (dimmed !== this.shownDimmed) this.svg.classList.toggle("mtq-dimmed", dimmed);
    this.shownDimmed = dimmed;
    const perLink = this.selectedPerLink;
    let selectedLinks = 0;
    this.links.forEach((link, j) => {
      const n = perLink[link.index];
      if (n > 0) selectedLinks++;
      if (n === this.shownPerLink[j]) return;
      this.shownPerLink[j] = n;
      this.linkPaths[j].dataset.selected = String(n);
      const band = this.bands[j];
      if (n === 0) return band.setAttribute("display", "none");
      // At least a pixel, as the link: no wider than the link, and a stroke of one pixel is drawn as
      // a hairline by chromium's software raster, several times faster than 1.5 (most of a lasso's
      // bands are at this floor, crossing the diagram).
      const width = Math.max(1, linkWidth(link) * (n / link.flow.count));
      const top = (y: number) => y - linkWidth(link) / 2 + width / 2;
      const source = link.source as LaidNode;
      const target = link.target as LaidNode;
      band.setAttribute(
        "d",
        linkHorizontal()({ source: [source.x1 ?? 0, top(link.y0 ?? 0)], target: [target.x0 ?? 0, top(link.y1 ?? 0)] }) ?? "",
      );
      band.setAttribute("stroke-width", String(width));
      band.setAttribute("stroke", link.color);
      band.removeAttribute("display");
    });
    for (const part of this.nodeParts) {
      const { node, item, rect } = part;
      const n = (this.nodeLinks.get(node.id) ?? []).reduce((sum, l) => sum + perLink[l], 0);
      if (n === part.shown) continue;
      part.shown = n;
      const height = ((node.y1 ?? 0) - (node.y0 ?? 0)) * (node.flow.count ? n / node.flow.count : 0);
      rect.setAttribute("height", String(height));
      item.dataset.selected = String(n);
    }
    this.element.dataset.selectedLinks = String(selectedLinks);
  }

  private columnTitles(columns: number): SVGGElement {
    const g = svgEl("g", { class: "mtq-column-titles" });
    const names = [classNoun(this.ctx.data.results), ...this.ctx.data.state.layers.map((l) => l.name), "prediction"];
    for (let c = 0; c < columns; c++) {
      const node = this.nodes.find((n) => n.flow.column === c);
      if (!node) continue;
      const anchor = c === 0 ? "start" : c === columns - 1 ? "end" : "middle";
      const x = c === 0 ? (node.x0 ?? 0) : c === columns - 1 ? (node.x1 ?? 0) : ((node.x0 ?? 0) + (node.x1 ?? 0)) / 2;
      const text = svgEl("text", { x, y: MARGIN.top - 10, "text-anchor": anchor });
      text.textContent = names[c];
      g.append(text);
    }
    return g;
  }

  private linkGroup(): SVGGElement {
    const g = svgEl("g", { class: "mtq-links" });
    const path = sankeyLinkHorizontal<NodeExtra, LinkExtra>();
    this.linkPaths = [];
    for (const link of this.links) {
      const p = svgEl("path", { d: path(link) ?? "", "stroke-width": linkWidth(link), stroke: link.color });
      const label = `${this.nodeLabel((link.source as LaidNode).flow)} → ${this.nodeLabel((link.target as LaidNode).flow)}`;
      p.dataset.source = link.flow.source;
      p.dataset.target = link.flow.target;
      p.dataset.count = String(link.flow.count);
      actAsButton(p, `${label}: ${link.flow.count} images`, (e) => this.ctx.selection.pick(link.flow.images, label, e.shiftKey));
      this.hoverShows(
        p,
        () => [`${label}: ${link.flow.count} images`, digitMix(this.ctx.data, link.flow.images)],
        () => link.flow.images,
      );
      p.addEventListener("pointerenter", () => this.lift({ hovered: p }));
      p.addEventListener("pointerleave", () => this.lift({ hovered: null }));
      p.addEventListener("focus", () => this.lift({ focused: p.matches(":focus-visible") ? p : null }));
      p.addEventListener("blur", () => this.lift({ focused: null }));
      g.append(p);
      this.linkPaths.push(p);
    }
    return g;
  }

  private nodeGroup(): SVGGElement {
    const g = svgEl("g", { class: "mtq-nodes" });
    const last = this.ctx.data.state.layers.length + 1;
    // A digit's or a prediction's label shares the space between two columns with the links (and
    // the next column's cluster labels): a long class name is cut to 60% of it, whole in the
    // node's tooltip and its name for screen readers.
    const gap = (this.width - MARGIN.left - MARGIN.right) / last - 14;
    const fit = labelFitter(this.svg, Math.max(48, 0.6 * gap));
    this.nodeParts = [];
    for (const node of this.nodes) {
      const { flow } = node;
      // Made when first asked (Enter, a click or a hover): a node's list of images is not needed to draw it.
      const images = () => this.ctx.data.nodeImages.get(node.id) ?? [];
      const [x0, x1, y0, y1] = [node.x0 ?? 0, node.x1 ?? 0, node.y0 ?? 0, node.y1 ?? 0];
      const cluster = this.clusterOf(flow);
      const unstable = cluster !== undefined && isUnstable(cluster);
      const item = svgEl("g", { class: `mtq-node mtq-node-${flow.kind}${unstable ? " mtq-unstable" : ""}` });
      item.dataset.id = flow.id;
      item.dataset.count = String(flow.count);
      if (cluster?.stability !== undefined) item.dataset.stability = String(cluster.stability);
      const fill = this.nodeColor(flow);
      // Its selected part is drawn under it, with the bands (render() puts it there).
      const selectedPart = svgEl("rect", { class: "mtq-node-selected", x: x0, y: y0, width: x1 - x0, height: 0, fill });
      this.nodeParts.push({ node, item, rect: selectedPart, shown: -1 });
      item.append(svgEl("rect", { class: "mtq-node-box", x: x0, y: y0, width: x1 - x0, height: Math.max(1, y1 - y0), fill }));
      const right = flow.column !== last;
      const label = svgEl("text", { x: right ? x1 + 5 : x0 - 5, y: (y0 + y1) / 2, dy: "0.35em", "text-anchor": right ? "start" : "end" });
      // The column titles name the layer, so a cluster's label is short enough not to run into the next column.
      label.textContent = flow.kind === "cluster" ? `c${flow.value} (${flow.count})` : fit(this.nodeLabel(flow), ` (${flow.count})`);
      item.append(label);
      const name = this.nodeName(flow);
      const stability = cluster && clusterStabilityText(cluster);
      actAsButton(item, `${name}: ${flow.count} images${stability ? `, ${stability}` : ""}`, (e) =>
        this.ctx.selection.pick(images(), name, e.shiftKey),
      );
      this.hoverShows(item, () => this.describeNode(flow, images()), images);
      g.append(item);
    }
    return g;
  }

  /** Draws the link hovered, else the one focused, over the veil (`lifted`), after `change`; hides it when neither. */
  private lift(change: { hovered?: SVGPathElement | null; focused?: SVGPathElement | null }): void {
    if (change.hovered !== undefined) this.hoveredLink = change.hovered;
    if (change.focused !== undefined) this.focusedLink = change.focused;
    const link = this.hoveredLink ?? this.focusedLink;
    if (!link) return this.lifted.setAttribute("display", "none");
    for (const name of ["d", "stroke", "stroke-width"]) this.lifted.setAttribute(name, link.getAttribute(name) ?? "");
    this.lifted.removeAttribute("display");
  }

  /** Digits and predictions in numeric order; clusters by their majority digit, so paths cross least. */
  private order(flow: FlowNode): number {
    const key = flow.kind === "cluster" ? this.majorityDigit(flow.id) : flow.value;
    return key * 1000 + flow.value;
  }

  /** "3 (injected)", "predicted 7", "layer 1 · cluster 0": a digit's label said as every view says it (results written before say "unseen"). */
  private nodeLabel(flow: FlowNode): string {
    if (flow.kind !== "digit") return flow.label;
    // A digit's node holds every image of that label, so it has injected ones when the digit is among theirs.
    return classLabel(this.ctx.data.results, flow.value, this.ctx.data.injectedDigits.includes(flow.value));
  }

  private nodeName(flow: FlowNode): string {
    if (flow.kind === "digit") return `${classNoun(this.ctx.data.results)} ${className(this.ctx.data.results, flow.value)}`;
    if (flow.kind === "prediction") return `predicted ${className(this.ctx.data.results, flow.value)}`;
    return `cluster ${flow.value} of layer ${flow.column}`;
  }

  private describeNode(flow: FlowNode, images: ArrayLike<number>): string[] {
    const lines = [`${this.nodeName(flow)}: ${flow.count} images`, digitMix(this.ctx.data, images)];
    const cluster = this.clusterOf(flow);
    if (cluster) {
      lines.push(`cluster size ${cluster.size}${cluster.injectedCount ? `, plus ${cluster.injectedCount} injected` : ""}`);
      const stability = clusterStabilityText(cluster);
      if (stability)
        lines.push(
          `${stability}: mean Jaccard to its best match over ${this.ctx.data.state.layers[flow.column - 1].stability?.runs} resamples`,
        );
    }
    return lines;
  }

  /** The layer's cluster a cluster node stands for. */
  private clusterOf(flow: FlowNode): Cluster | undefined {
    if (flow.kind !== "cluster") return undefined;
    return this.ctx.data.state.layers[flow.column - 1].clusters.find((c) => c.id === flow.value);
  }

  private nodeColor(flow: FlowNode): string {
    if (flow.kind !== "cluster") return digitColor(flow.value);
    if (this.ctx.colorBy() === "cluster") return clusterColor(flow.value, this.ctx.data.state.layers[flow.column - 1].k);
    return digitColor(this.majorityDigit(flow.id));
  }

  /** The digits of link `index`'s images, most frequent first (then by digit). */
  private linkDigits(index: number): [number, number][] {
    return (this.digitsPerLink[index] ??= digitCounts(this.ctx.data, this.ctx.data.state.flows.links[index].images));
  }

  /** The most frequent digit among a node's images (the smallest on a tie), from its links' counts: the node's own list is not made for it. */
  private majorityDigit(node: string): number {
    let digit = this.majority.get(node);
    if (digit === undefined) {
      const counts = new Map<number, number>();
      for (const l of this.nodeLinks.get(node) ?? []) for (const [d, n] of this.linkDigits(l)) counts.set(d, (counts.get(d) ?? 0) + n);
      digit = 0;
      let most = 0;
      for (const [d, n] of counts) if (n > most || (n === most && d < digit)) [digit, most] = [d, n];
      this.majority.set(node, digit);
    }
    return digit;
  }

  /** The tooltip's content is built once per hover, then only follows the pointer. */
  private hoverShows(target: Element, lines: () => string[], images: () => ArrayLike<number>): void {
    target.addEventListener("pointerenter", (e) => {
      const list = images();
      const extra: Node[] = [
        thumbnailGrid(
          this.ctx.data,
          Array.from({ length: Math.min(HOVER_THUMBS, list.length) }, (_, n) => list[n]),
          8,
          1.5,
        ),
      ];
      if (list.length > HOVER_THUMBS) extra.push(el("div", "mtq-muted", `first ${HOVER_THUMBS} of ${list.length}`));
      this.ctx.tooltip.show((e as PointerEvent).clientX, (e as PointerEvent).clientY, lines(), extra);
    });
    target.addEventListener("pointermove", (e) => this.ctx.tooltip.move((e as PointerEvent).clientX, (e as PointerEvent).clientY));
    target.addEventListener("pointerleave", () => this.ctx.tooltip.hide());
  }
}

/** A link's width as drawn: its images' share of its nodes' height, at least a pixel. */
function linkWidth(link: LaidLink): number {
  return Math.max(1, link.width ?? 0);
}

/**
 * Cuts a label to `width` pixels in the font `svg`'s text is drawn in, with an ellipsis, keeping
 * its `suffix` (the count) whole.
 */
function labelFitter(svg: SVGSVGElement, width: number): (text: string, suffix: string) => string {
  const sample = svg.appendChild(svgEl("text"));
  const style = getComputedStyle(sample);
  const measure = document.createElement("canvas").getContext("2d")!;
  measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  sample.remove();
  const wide = (text: string) => measure.measureText(text).width;
  return (text, suffix) => {
    if (wide(text + suffix) <= width) return text + suffix;
    let n = text.length;
    while (n > 1 && wide(`${text.slice(0, n)}…${suffix}`) > width) n--;
    return `${text.slice(0, n).trimEnd()}…${suffix}`;
  };
}
