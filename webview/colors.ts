// Point, node and link colours. Digits keep one colour everywhere (maps, Sankey, legend, charts);
// theme colours come from VS Code's CSS variables so canvas drawing follows the theme too.
import { interpolateSinebow, schemeObservable10 } from "d3";
import { DIGIT_COLORS } from "../src/shared/digitColors";

/** By digit (or class), by the layer's cluster, or by how many of its neighbours in the layer the map keeps (keptColors.ts). */
export type ColorBy = "digit" | "cluster" | "kept";

export function digitColor(digit: number): string {
  return DIGIT_COLORS[digit] ?? interpolateSinebow((digit % 17) / 17);
}

export function clusterColor(cluster: number, k: number): string {
  return k <= schemeObservable10.length ? schemeObservable10[cluster] : interpolateSinebow(cluster / k);
}

/** A VS Code theme colour as currently resolved on the page, `fallback` outside VS Code. */
export function themeColor(variable: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || fallback;
}

export function isHighContrast(): boolean {
  return document.body.classList.contains("vscode-high-contrast") || document.body.classList.contains("vscode-high-contrast-light");
}
