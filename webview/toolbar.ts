// The header: what is shown, the controls (epoch, colouring, map kind, tool, zoom, clear, save the selection,
// the search box, exports) and the legend.
import { SHOWN_MARK } from "./afterPaint";
import { classNoun } from "../src/shared/classNames";
import type { ExportFormat, MapKind } from "../src/shared/protocol";
import type { ColorBy } from "./colors";
import type { ViewData } from "./data";
import { button, el } from "./dom";
import { epochSlider, type EpochControl } from "./epochs";
import { hasKept, keptLegend } from "./keptColors";
import { digitLegend, injectedLegend, type LegendEntry } from "./legend";
import type { Tool } from "./maps";
import type { SelectionModel } from "./selection";
import { grouped } from "../src/shared/imageCount";

export interface ToolbarActions {
  colorBy(value: ColorBy): void;
  tool(value: Tool): void;
  mapKind(value: MapKind): void;
  resetZoom(): void;
  export(format: ExportFormat): void;
  /** The tidy table (CSV or Parquet), written by the host. */
  exportTable(): void;
  clear(): void;
  saveSelection(): void;
}

export function header(
  data: ViewData,
  colorBy: ColorBy,
  tool: Tool,
  /** The map kind drawn and those the results have: the Map toggle shows only with a choice. */
  map: { kind: MapKind; kinds: MapKind[] },
  selection: SelectionModel,
  search: HTMLElement,
  actions: ToolbarActions,
  epochs?: EpochControl,
): HTMLElement {
  const { experiment, images } = data.results;
  const head = el("header", "mtq-header");
  const title = el("h1", "mtq-title", experiment.name);
  title.setAttribute("elementtiming", SHOWN_MARK);
  title.append(el("span", "mtq-muted", ` · ${grouped(images.count)} images`));
  const bar = el("div", "mtq-toolbar");
  bar.setAttribute("role", "toolbar");
  const save = button("mtq-button", "Save selection…", "Keep the selection under a name, beside the results", actions.saveSelection);
  const enableSave = () => (save.disabled = selection.current === null);
  selection.onChange(enableSave);
  enableSave();
  const key = legend(data, colorBy);
  bar.append(
    toggleGroup(
      "Colour by",
      [
        ["digit", classNoun(data.results) === "class" ? "Class" : "Digit"],
        ["cluster", "Cluster"],
        ...(hasKept(data.state) ? [["kept", "Neighbours kept"] as [ColorBy, string]] : []),
      ],
      colorBy,
      (value) => {
        actions.colorBy(value);
        showLegend(key, data, value);
      },
    ),
    ...(map.kinds.length > 1
      ? [
          toggleGroup(
            "Map",
            map.kinds.map((kind): [MapKind, string] => [kind, kind === "pca" ? "PCA" : "UMAP"]),
            map.kind,
            actions.mapKind,
          ),
        ]
      : []),
    toggleGroup(
      "Drag to",
      [
        ["lasso", "Lasso"],
        ["pan", "Pan"],
      ],
      tool,
      actions.tool,
    ),
    button("mtq-button", "Reset zoom", "Reset every map's zoom (0 on a focused map)", actions.resetZoom),
    button("mtq-button", "Clear", "Clear the selection (Escape)", actions.clear),
    save,
    search,
    el("span", "mtq-spacer"),
    button("mtq-button", "SVG", "Export the maps and the Sankey as SVG", () => actions.export("svg")),
    button("mtq-button", "PNG", "Export the maps and the Sankey as PNG", () => actions.export("png")),
    button(
      "mtq-button",
      "Table…",
      "Export a table of the selection or of every image (CSV or Parquet): a row per image with its clusters, paths, map positions and scores",
      actions.exportTable,
    ),
  );
  head.append(title);
  if (experiment.description) head.append(el("p", "mtq-muted mtq-description", experiment.description));
  if (epochs) bar.prepend(epochSlider(epochs));
  head.append(bar, key);
  return head;
}

function toggleGroup<T extends string>(label: string, options: [T, string][], current: T, onChange: (value: T) => void): HTMLElement {
  const group = el("div", "mtq-toggle");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", label);
  group.append(el("span", "mtq-toggle-label", label));
  const buttons = options.map(([value, text]) => {
    const b = button("mtq-button", text, `${label}: ${text.toLowerCase()}`, () => {
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === b));
      onChange(value);
    });
    b.setAttribute("aria-pressed", String(value === current));
    b.dataset.value = value;
    return b;
  });
  group.append(...buttons);
  return group;
}

function legend(data: ViewData, colorBy: ColorBy): HTMLElement {
  const box = el("div", "mtq-legend");
  box.setAttribute("role", "group");
  showLegend(box, data, colorBy);
  return box;
}

/**
 * The colours as the maps draw them: by digit (or class), one entry each; by cluster, each layer has
 * its own clusters, keyed by the chips under its map, so the legend says so and what a ring is.
 */
function showLegend(box: HTMLElement, data: ViewData, colorBy: ColorBy): void {
  box.dataset.colorBy = colorBy;
  const noun = classNoun(data.results);
  if (colorBy === "digit") {
    box.setAttribute("aria-label", `${noun === "class" ? "Class" : "Digit"} colours`);
    return box.replaceChildren(...digitLegend(data).map(legendItem));
  }
  if (colorBy === "kept") {
    const count = data.state.layers[0].neighbourCount ?? 0;
    box.setAttribute("aria-label", "Neighbours kept colours");
    return box.replaceChildren(
      el("span", "mtq-legend-note", `Coloured by how many of each image's ${count} nearest in the layer stay its nearest on the map:`),
      ...keptLegend(count).map(legendItem),
      ...injectedLegend(data, "currentColor").map(legendItem),
    );
  }
  box.setAttribute("aria-label", "Cluster colours");
  box.replaceChildren(
    el("span", "mtq-legend-note", "Coloured by cluster: each map's clusters are keyed under it"),
    ...injectedLegend(data, "currentColor").map(legendItem),
  );
}

function legendItem(entry: LegendEntry): HTMLElement {
  const item = el("span", "mtq-legend-item");
  const swatch = el("span", entry.hollow ? "mtq-swatch mtq-swatch-hollow" : "mtq-swatch");
  if (entry.hollow) swatch.style.borderColor = entry.color;
  else swatch.style.backgroundColor = entry.color;
  item.append(swatch, entry.label);
  return item;
}
