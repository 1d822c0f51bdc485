// The colour legend's entries, as the maps draw their points: by digit (or class), the injected
// ones hollow, or by a layer's clusters. One list for the header's legend and the SVG and PNG
// exports, so a saved figure explains its colours the way the view does.
import { labelAndName } from "../src/shared/classNames";
import { INJECTED } from "../src/shared/imageName";
import type { LayerResult } from "../src/shared/results";
import { clusterColor, digitColor } from "./colors";
import type { ViewData } from "./data";

export interface LegendEntry {
  color: string;
  /** Drawn as a ring: the injected images' points are. */
  hollow: boolean;
  label: string;
}

/** One entry per digit present, kept then injected; a digit with injected images is hollow. */
export function digitLegend(data: ViewData): LegendEntry[] {
  const injected = new Set(data.injectedDigits);
  return data.digits.map((digit) => {
    // The number stays beside a class name: the experiment's `digits` and `inject` use it.
    const name = labelAndName(data.results, digit);
    const hollow = injected.has(digit);
    return { color: digitColor(digit), hollow, label: hollow ? `${name} (${INJECTED})` : name };
  });
}

/**
 * By cluster, an injected image's ring has its cluster's colour: with injected images, one ring in
 * `color` (the text's) says what rings are; none without.
 */
export function injectedLegend(data: ViewData, color: string): LegendEntry[] {
  return data.injectedDigits.length > 0 ? [{ color, hollow: true, label: INJECTED }] : [];
}

/** One entry per cluster of the layer, with its images (kept and injected), as its chip under the map says it. */
export function clusterLegend(layer: LayerResult): LegendEntry[] {
  return layer.clusters.map((c) => ({
    color: clusterColor(c.id, layer.k),
    hollow: false,
    label: `c${c.id} · ${c.size + c.injectedCount}`,
  }));
}
