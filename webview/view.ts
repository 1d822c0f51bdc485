// The results view: header, one map per layer, the Sankey, the selection, the saved selections and
// the findings, all showing one shared selection.
import type { PixelStore } from "./pixels";
import type { ZoomTransform } from "d3";
import type { ExportFormat, MapKind, SavedSelections, Selection } from "../src/shared/protocol";
import type { ModelState, Results } from "../src/shared/results";
import type { ColorBy } from "./colors";
import { mapKinds, viewDataFrom, type ViewData } from "./data";
import { el } from "./dom";
import type { EpochControl } from "./epochs";
import { pngFromSvg, viewSvg } from "./export";
import { findingsPanel } from "./findings";
import { post } from "./host";
import { UmapMap, type Tool } from "./maps";
import { hasKept } from "./keptColors";
import { NeighboursPanel, type NeighbourStore } from "./neighbours";
import { SankeyView } from "./sankey";
import { SavedSelectionsPanel } from "./savedSelections";
import { SearchBox } from "./search";
import { SelectionModel } from "./selection";
import type { Bitset } from "./bitset";
import { SelectionPanel } from "./selectionPanel";
import { header } from "./toolbar";
import { Tooltip } from "./tooltip";

/** A selection as a bitset and its label: what a view is opened with. */
export interface LabelledBits {
  bits: Bitset;
  label: string;
}

export interface ViewOptions {
  colorBy: ColorBy;
  selection: LabelledBits | null;
  /** The named selections saved beside the results. */
  saved: SavedSelections;
  /** Every selection change; `byUser` when picked in this view; `bits`, the selection as a bitset. */
  onSelection(selection: Selection | null, byUser: boolean, bits: Bitset): void;
  onColorBy(colorBy: ColorBy): void;
  /** The map kind chosen (UMAP or PCA); drawn where the state shown has it, else UMAP. */
  mapKind: MapKind;
  onMapKind(mapKind: MapKind): void;
  /** The search box's query, and each query it searches (kept across hide/show, reload and epochs). */
  search: string;
  onSearch(query: string): void;
  /** With training snapshots: the epoch slider's state and actions. */
  epochs?: EpochControl;
  /** The drag tool and each map's zoom of the view this one replaces (another epoch of the same results). */
  carried?: Carried;
  /** The results' pixels, asked of the host as thumbnails show them; kept across epochs. */
  pixels: PixelStore;
  /** The results' stored neighbours, asked of the host for an image selected alone. */
  neighbours: NeighbourStore;
}

export interface Carried {
  tool: Tool;
  zooms: ZoomTransform[];
}

export class ResultsView {
  readonly selection: SelectionModel;
  private readonly data: ViewData;
  private readonly tooltip = new Tooltip();
  private readonly maps: UmapMap[];
  private readonly sankey: SankeyView;
  private readonly savedPanel: SavedSelectionsPanel;
  private readonly search: SearchBox;
  private colorBy: ColorBy;
  private tool: Tool;
  private mapKind: MapKind;

  /** Shows `state` (the final model's or a training snapshot's) of `results`. */
  constructor(root: HTMLElement, results: Results, state: ModelState, options: ViewOptions) {
    this.data = viewDataFrom(results, options.pixels, state);
    // Neighbours kept, chosen on a file that has them, is no colouring of one without.
    this.colorBy = options.colorBy === "kept" && !hasKept(state) ? "digit" : options.colorBy;
    this.tool = options.carried?.tool ?? "lasso";
    const kinds = mapKinds(state);
    this.mapKind = kinds.includes(options.mapKind) ? options.mapKind : "umap";
    this.selection = new SelectionModel(results.images.count);
    const context = {
      data: this.data,
      selection: this.selection,
      tooltip: this.tooltip,
      colorBy: () => this.colorBy,
      tool: () => this.tool,
      mapKind: () => this.mapKind,
    };
    this.maps = state.layers.map((_, i) => new UmapMap(context, i));
    this.sankey = new SankeyView(context);
    const panel = new SelectionPanel(this.data, this.tooltip);
    const nearest = new NeighboursPanel({
      data: this.data,
      selection: this.selection,
      store: options.neighbours,
      epoch: options.epochs?.current,
      mapKind: () => this.mapKind,
      onLinks: (layer, shown) => this.maps[layer]?.showNeighbours(shown),
    });
    this.savedPanel = new SavedSelectionsPanel(this.selection);
    this.search = new SearchBox(this.data, this.selection, options.search, options.onSearch);

    const maps = el("section", "mtq-maps");
    maps.setAttribute("aria-label", "Maps, one per hidden layer");
    maps.append(...this.maps.map((m) => m.element));
    const main = el("div", "mtq-main");
    const side = el("aside", "mtq-side");
    side.append(panel.element, nearest.element, this.savedPanel.element, findingsPanel(this.data, this.selection));
    const left = el("div", "mtq-left");
    left.append(maps, this.sankey.element);
    main.append(left, side);
    const head = header(
      this.data,
      this.colorBy,
      this.tool,
      { kind: this.mapKind, kinds },
      this.selection,
      this.search.element,
      {
        colorBy: (value) => {
          this.colorBy = value;
          options.onColorBy(value);
          this.redraw();
        },
        tool: (value) => {
          this.tool = value;
          root.dataset.tool = value;
        },
        mapKind: (value) => {
          this.mapKind = value;
          options.onMapKind(value);
          for (const m of this.maps) m.showMapKind();
          nearest.refresh();
        },
        resetZoom: () => this.maps.forEach((m) => m.resetZoom()),
        export: (format) => void this.export(format),
        exportTable: () => post({ type: "exportTable", selection: this.selection.posted(), epoch: options.epochs?.current }),
        clear: () => this.selection.clear(),
        saveSelection: () => {
          const selection = this.selection.posted();
          if (selection) post({ type: "saveSelection", selection });
        },
      },
      options.epochs,
    );
    root.dataset.tool = this.tool;
    root.dataset.images = String(results.images.count);
    root.replaceChildren(head, main, this.tooltip.element);

    this.selection.onChange((selection, byUser) => {
      for (const m of this.maps) m.showSelection();
      this.sankey.highlight();
      panel.show(selection);
      nearest.show();
      options.onSelection(selection, byUser, this.selection.bits);
    });
    // The selection and the zooms first, while the maps have no size and so draw nothing: then
    // each map draws once as it is sized, not three times (a draw of 70,000 points is not free).
    if (options.selection) this.selection.restore(options.selection.bits, options.selection.label);
    else this.selection.set(null, false);
    options.carried?.zooms.forEach((z, i) => this.maps[i]?.zoomTo(z));
    for (const m of this.maps) m.fit();
    this.sankey.fit();
    this.savedPanel.show(options.saved);
  }

  /** The named selections as the host read them again (saved, deleted, or their file changed). */
  showSaved(saved: SavedSelections): void {
    this.savedPanel.show(saved);
  }

  /** Puts the keyboard in the search box (Ctrl+F, MTQ: Find Images). */
  focusSearch(): void {
    this.search.focus();
  }

  /** What the view at another epoch keeps: the drag tool and the zooms. */
  carried(): Carried {
    return { tool: this.tool, zooms: this.maps.map((m) => m.zoomTransform) };
  }

  /** Frees what the view holds outside the page (the maps' WebGL layers, a search waiting for its typing pause) when another replaces it. */
  dispose(): void {
    this.search.dispose();
    for (const m of this.maps) m.dispose();
  }

  /** Redraws what depends on the colouring or the theme. */
  redraw(): void {
    for (const m of this.maps) m.refresh();
    this.sankey.render();
  }

  escape(): void {
    this.tooltip.hide();
    this.selection.clear();
  }

  private async export(format: ExportFormat): Promise<void> {
    const name = this.data.results.experiment.name;
    try {
      const svg = viewSvg(this.data, this.maps, this.sankey.element.querySelector("svg")!, this.colorBy);
      post({ type: "export", format, suggestedName: `${name}-paths.${format}`, data: format === "svg" ? svg.svg : await pngFromSvg(svg) });
    } catch (e) {
      post({ type: "error", message: `Export as ${format.toUpperCase()} failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}
