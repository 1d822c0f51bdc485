// How a share with its interval, and a p-value, are written: "89% [82–94%]", "p = 0.001". One
// wording for the CLI summary, the tree and the findings panel; shared with the webview's bundle.
import type { Interval } from "./results";

/** "89%". */
export function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** "[82–94%]". */
export function intervalText([low, high]: Interval): string {
  return `[${Math.round(low * 100)}–${percent(high)}]`;
}

/** "89% [82–94%]"; the share alone when its interval is missing (a results file from before intervals). */
export function shareText(share: number, interval: Interval | undefined): string {
  return interval ? `${percent(share)} ${intervalText(interval)}` : percent(share);
}

/** "p = 0.034", "p = 2.1e-9": small p-values in powers of ten rather than rounded to 0. */
export function pValueText(p: number): string {
  return `p = ${p >= 0.001 ? Number(p.toPrecision(2)).toString() : p.toExponential(1)}`;
}
