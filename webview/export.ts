// Exports, sent to the host to save: the current maps and Sankey as one SVG (or PNG rendered from
// it in the browser) and the selection as CSV.
import { className } from "../src/shared/classNames";
import { imageSource } from "../src/shared/imageSource";
import type { Selection } from "../src/shared/protocol";
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

/** A CSV field: class names come from folder names or the experiment, so they may hold commas or quotes. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One row per selected image (every image when nothing is selected): its label ("digit", or with
 * class names "label" and a "class" column beside it), where it comes from (`split` and
 * `source_index`, and `source` as the views say it: "MNIST train #173", "four/img_003.png"), its
 * clusters and its prediction.
 */
export function selectionCsv(data: ViewData, selection: Selection | null): string {
  const { images, classNames } = data.results;
  const { predictions, confidence, layers } = data.state;
  const ids = selection?.images ?? Array.from({ length: images.count }, (_, i) => i);
  const named = (column: string, nameColumn: string) => (classNames ? [column, nameColumn] : [column]);
  const labelled = (label: number) => (classNames ? [label, csvField(className(data.results, label))] : [label]);
  const header = [
    "image",
    ...(classNames ? ["label", "class"] : ["digit"]),
    "injected",
    "split",
    "source_index",
    "source",
    ...layers.map((l, i) => `cluster_l${i + 1}_${l.name.replace(/\W+/g, "_")}`),
    ...named("prediction", "predicted_class"),
    "confidence",
  ];
  const rows = ids.map((i) =>
    [
      i,
      ...labelled(images.labels[i]),
      images.injected[i],
      images.split[i],
      images.sourceIndex[i],
      csvField(imageSource(data.results, i)),
      ...layers.map((l) => l.assignments[i]),
      ...labelled(predictions[i]),
      // Empty when unknown (imported predictions).
      confidence?.[i].toFixed(4) ?? "",
    ].join(","),
  );
  return `${[header.join(","), ...rows].join("\n")}\n`;
}
