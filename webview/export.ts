// Exports, sent to the host to save: the current maps and Sankey as one SVG (or PNG rendered from
// it in the browser). The table (CSV or Parquet) is the host's: it writes it from the results.
import type { ViewData } from "./data";
import { themeColor } from "./colors";
import { svgEl } from "./dom";
import type { UmapMap } from "./maps";

const GAP = 16;
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
];

/** The maps side by side above the Sankey, as a standalone SVG document in the theme's colours. */
export function viewSvg(data: ViewData, maps: UmapMap[], sankey: SVGSVGElement): { svg: string; width: number; height: number } {
  const foreground = themeColor("--vscode-foreground", "#cccccc");
  const mapsHeight = Math.max(...maps.map((m) => m.size[1])) + 24;
  const width = Math.max(
    maps.reduce((w, m) => w + m.size[0] + GAP, GAP),
    sankey.clientWidth + 2 * GAP,
  );
  const height = 40 + mapsHeight + GAP + sankey.clientHeight + GAP;
  const root = svgEl("svg", { xmlns: "http://www.w3.org/2000/svg", width, height, viewBox: `0 0 ${width} ${height}`, color: foreground });
  root.setAttribute("font-family", themeColor("--vscode-font-family", "sans-serif"));
  root.setAttribute("font-size", "12");
  root.append(svgEl("rect", { width, height, fill: themeColor("--vscode-editor-background", "#1e1e1e") }));
  const title = svgEl("text", { x: GAP, y: 24, fill: foreground, "font-size": 15, "font-weight": 600 });
  title.textContent = `${data.results.experiment.name}: ${data.results.images.count} images`;
  root.append(title);
  let x = GAP;
  for (const map of maps) {
    const g = svgEl("g", { transform: `translate(${x},40)` });
    const caption = svgEl("text", { x: 0, y: 14, fill: foreground });
    caption.textContent = map.title;
    const frame = svgEl("g", { transform: "translate(0,24)" });
    frame.append(
      svgEl("rect", { width: map.size[0], height: map.size[1], fill: "none", stroke: foreground, "stroke-opacity": 0.25 }),
      map.toSvg(),
    );
    g.append(caption, frame);
    root.append(g);
    x += map.size[0] + GAP;
  }
  const sankeyCopy = svgWithInlineStyles(sankey);
  sankeyCopy.setAttribute("x", String(GAP));
  sankeyCopy.setAttribute("y", String(40 + mapsHeight + GAP));
  root.append(sankeyCopy);
  return { svg: new XMLSerializer().serializeToString(root), width, height };
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
