// The colour legend's entries, as the maps draw their points: by digit (or class), the injected
// ones hollow, or by a layer's clusters. One list for the header's legend and the SVG and PNG
// exports, so a saved figure explains its colours the way the view does.
import { labelAndName } from "../src/shared/classNames";
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
  const { images } = data.results;
  const injected = new Set(images.labels.filter((_, i) => images.injected[i]));
  return data.digits.map((digit) => {
    // The number stays beside a class name: the experiment's `digits` and `inject` use it.
    const name = labelAndName(data.results, digit);
    const hollow = injected.has(digit);
    return { color: digitColor(digit), hollow, label: hollow ? `${name} (injected)` : name };
  });
}

/** One entry per cluster of the layer, with its images (kept and injected), as its chip under the map says it. */
export function clusterLegend(layer: LayerResult): LegendEntry[] {
  return layer.clusters.map((c) => ({
    color: clusterColor(c.id, layer.k),
    hollow: false,
    label: `c${c.id} · ${c.size + c.injectedCount}`,
  }));
}
