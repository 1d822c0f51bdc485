// Point, node and link colours. Digits keep one colour everywhere (maps, Sankey, legend, charts);
// theme colours come from VS Code's CSS variables so canvas drawing follows the theme too.
import { interpolateSinebow, schemeObservable10 } from "d3";

export type ColorBy = "digit" | "cluster";

/** Ordered so the report's digits (1 vs 7, then the injected 4s and 3s) get the most distinct hues. */
const DIGIT_COLORS: Record<number, string> = {
  0: "#76b7b2",
  1: "#4e79a7",
  2: "#edc949",
  3: "#e15759",
  4: "#59a14f",
  5: "#af7aa1",
  6: "#ff9da7",
  7: "#f28e2c",
  8: "#9c755f",
  9: "#bab0ab",
};

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
