// Exports, sent to the host to save: the current maps and Sankey as one SVG (or PNG rendered from
// it in the browser). The table (CSV or Parquet) is the host's: it writes it from the results.
import { themeColor, type ColorBy } from "./colors";
import type { ViewData } from "./data";
import { svgEl } from "./dom";
import { keptLegend } from "./keptColors";
import { clusterLegend, digitLegend, injectedLegend, type LegendEntry } from "./legend";
import type { UmapMap } from "./maps";

const GAP = 16;
const LEGEND_ROW = 18;
/** A legend swatch's radius: about a map point's, large enough to read its colour. */
const SWATCH = 5;
const INLINED = [
  "fill",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-linejoin",
  "fill-opacity",
  "opacity",
  "paint-order",
  "font-size",
  "font-family",
  "font-weight",
  "visibility",
  "display",
];

/**
 * The maps side by side above the Sankey, as a standalone SVG document in the theme's colours:
 * titled with the experiment's name, and with the legend of the colours as the view draws them,
 * by digit (one legend under the title) or by cluster (each map's clusters under it).
 */
export function viewSvg(
  data: ViewData,
  maps: UmapMap[],
  sankey: SVGSVGElement,
  colorBy: ColorBy,
): { svg: string; width: number; height: number } {
  const foreground = themeColor("--vscode-foreground", "#cccccc");
  const fontFamily = themeColor("--vscode-font-family", "sans-serif");
  const width = Math.max(
    maps.reduce((w, m) => w + m.size[0] + GAP, GAP),
    sankey.clientWidth + 2 * GAP,
  );
  const key = legendMaker(foreground, fontFamily);
  const rings = injectedLegend(data, foreground);
  const titleKey =
    colorBy === "digit"
      ? key(digitLegend(data), width - 2 * GAP, "digit")
      : colorBy === "kept"
        ? key([...keptLegend(data.state.layers[0].neighbourCount ?? 0), ...rings], width - 2 * GAP, "kept")
        : null;
  const mapKeys = maps.map((m, l) =>
    colorBy === "cluster" ? key([...clusterLegend(data.state.layers[l]), ...rings], m.size[0], `layer ${l + 1}`) : null,
  );
  const mapsTop = 40 + (titleKey ? titleKey.height + GAP / 2 : 0);
  const mapsHeight = Math.max(...maps.map((m, l) => 24 + m.size[1] + (mapKeys[l] ? GAP / 2 + mapKeys[l].height : 0)));
  const sankeyTop = mapsTop + mapsHeight + GAP;
  const height = sankeyTop + sankey.clientHeight + GAP;
  const root = svgEl("svg", { xmlns: "http://www.w3.org/2000/svg", width, height, viewBox: `0 0 ${width} ${height}`, color: foreground });
  root.setAttribute("font-family", fontFamily);
  root.setAttribute("font-size", "12");
  root.append(svgEl("rect", { width, height, fill: themeColor("--vscode-editor-background", "#1e1e1e") }));
  const title = svgEl("text", { x: GAP, y: 24, fill: foreground, "font-size": 15, "font-weight": 600 });
  title.textContent = `${data.results.experiment.name}: ${data.results.images.count} images`;
  root.append(title);
  if (titleKey) {
    titleKey.g.setAttribute("transform", `translate(${GAP},40)`);
    root.append(titleKey.g);
  }
  let x = GAP;
  maps.forEach((map, l) => {
    const g = svgEl("g", { transform: `translate(${x},${mapsTop})` });
    const caption = svgEl("text", { x: 0, y: 14, fill: foreground });
    caption.textContent = map.title;
    const frame = svgEl("g", { transform: "translate(0,24)" });
    frame.append(
      svgEl("rect", { width: map.size[0], height: map.size[1], fill: "none", stroke: foreground, "stroke-opacity": 0.25 }),
      map.toSvg(),
    );
    const links = map.neighboursSvg();
    if (links) frame.append(links);
    g.append(caption, frame);
    const mapKey = mapKeys[l];
    if (mapKey) {
      mapKey.g.setAttribute("transform", `translate(0,${24 + map.size[1] + GAP / 2})`);
      g.append(mapKey.g);
    }
    root.append(g);
    x += map.size[0] + GAP;
  });
  const sankeyCopy = svgWithInlineStyles(sankey);
  sankeyCopy.setAttribute("x", String(GAP));
  sankeyCopy.setAttribute("y", String(sankeyTop));
  root.append(sankeyCopy);
  return { svg: new XMLSerializer().serializeToString(root), width, height };
}

/**
 * Draws legends as rows of swatches and labels wrapped at a width: a filled dot, or a ring for
 * injected images, as the maps draw them. Labels are measured with the SVG's own font.
 */
function legendMaker(foreground: string, fontFamily: string) {
  const measure = document.createElement("canvas").getContext("2d")!;
  measure.font = `12px ${fontFamily}`;
  return (entries: LegendEntry[], maxWidth: number, of: string): { g: SVGGElement; height: number } => {
    const g = svgEl("g", { "data-legend": of });
    let x = 0;
    let y = 0;
    for (const entry of entries) {
      const itemWidth = 2 * SWATCH + 6 + measure.measureText(entry.label).width;
      if (x > 0 && x + itemWidth > maxWidth) {
        x = 0;
        y += LEGEND_ROW;
      }
      const item = svgEl("g", { transform: `translate(${x},${y})`, "data-color": entry.color, "data-hollow": String(entry.hollow) });
      const swatch: Record<string, string | number> = entry.hollow
        ? { fill: "none", stroke: entry.color, "stroke-width": 1.5 }
        : { fill: entry.color, stroke: "none" };
      const label = svgEl("text", { x: 2 * SWATCH + 6, y: 12, fill: foreground });
      label.textContent = entry.label;
      item.append(svgEl("circle", { cx: SWATCH, cy: 8, r: SWATCH - 0.75, ...swatch }), label);
      g.append(item);
      x += itemWidth + 14;
    }
    return { g, height: y + LEGEND_ROW };
  };
}

/** A copy whose look no longer depends on the page's stylesheet (theme variables, classes). */
function svgWithInlineStyles(source: SVGSVGElement): SVGSVGElement {
  const copy = source.cloneNode(true) as SVGSVGElement;
  const from = [source, ...source.querySelectorAll("*")];
  const to = [copy, ...copy.querySelectorAll("*")];
  from.forEach((node, i) => {
    const style = getComputedStyle(node);
    for (const prop of INLINED) to[i].setAttribute(prop, style.getPropertyValue(prop));
    for (const attr of ["tabindex", "role", "class"]) to[i].removeAttribute(attr);
  });
  return copy;
}

/** The SVG rendered to a PNG data URL at twice its size, for sharp images on high-DPI screens. */
export function pngFromSvg({ svg, width, height }: { svg: string; width: number; height: number }): Promise<string> {
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  return new Promise<string>((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width * 2;
      canvas.height = height * 2;
      canvas.getContext("2d")!.drawImage(image, 0, 0, canvas.width, canvas.height);
      resolve(canvas.toDataURL("image/png"));
    };
    image.onerror = () => reject(new Error("the browser could not render the SVG to PNG"));
    image.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}
