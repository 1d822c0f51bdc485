// Colour by: Neighbours kept. Each point coloured by how many of its nearest in the layer's own
// space stay among its nearest on the map drawn (the run's umapKept or pcaKept), so the places
// where a map misleads show as red: none of its neighbourhood kept; blue: all of it.
import { interpolateRdYlBu } from "d3";
import type { MapKind } from "../src/shared/protocol";
import type { LayerResult, ModelState } from "../src/shared/results";
import { mapColumns } from "./data";
import type { LegendEntry } from "./legend";

/** The red-yellow-blue scale without its darkest ends, which vanish on a dark or a light theme's background. */
const [LOW, HIGH] = [0.08, 0.92];

/** Whether every layer of `state` has its neighbours-kept counts (files before them have none): the colouring is offered then. */
export function hasKept(state: ModelState): boolean {
  return state.layers.every((l) => l.umapKept && l.neighbourCount);
}

/** Per image, how many of its neighbours the layer's `kind` map keeps (mapColumns: the UMAP map's for a file without PCA maps). */
export function keptOf(layer: LayerResult, kind: MapKind): ArrayLike<number> {
  return mapColumns(layer, kind).kept!;
}

/** The colour of an image whose map keeps `kept` of its `count` neighbours. */
export function keptColor(kept: number, count: number): string {
  return interpolateRdYlBu(LOW + (HIGH - LOW) * (count > 0 ? Math.min(1, kept / count) : 0));
}

/** The legend: every other count from none to all of `count` kept (all of them when few), as the maps colour them. */
export function keptLegend(count: number): LegendEntry[] {
  const step = count > 8 ? 2 : 1;
  const counts = Array.from({ length: Math.floor(count / step) + 1 }, (_, n) => n * step);
  if (counts.at(-1) !== count) counts.push(count);
  return counts.map((kept) => ({ color: keptColor(kept, count), hollow: false, label: `${kept} of ${count} kept` }));
}
