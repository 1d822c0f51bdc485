// One hidden layer's analysis as the results file holds it: figures rounded to 4 decimals, no
// silhouette for injected images, and each cluster's digit mix.
import { round4 } from "../shared/figures";
import type { LayerResult } from "../shared/results";
import type { LayerOutput } from "./layer";

function clustersOf(k: number, assignments: number[], labels: number[], injected: boolean[]): LayerResult["clusters"] {
  return Array.from({ length: k }, (_, id) => {
    const members = assignments.flatMap((c, i) => (c === id ? [i] : []));
    const digitCounts: Record<string, number> = {};
    for (const i of members) digitCounts[labels[i]] = (digitCounts[labels[i]] ?? 0) + 1;
    const injectedCount = members.filter((i) => injected[i]).length;
    return { id, size: members.length - injectedCount, digitCounts, injectedCount };
  });
}

/** `labels` and `injected` cover every image, kept first, as the layer's signatures did. */
export function layerResult(output: LayerOutput, name: string, size: number, labels: number[], injected: boolean[]): LayerResult {
  const assignments = Array.from(output.assignments);
  const injectedCount = injected.filter(Boolean).length;
  return {
    name,
    size,
    k: output.k,
    kValues: output.kValues,
    silhouetteCurve: output.silhouetteCurve.map(round4),
    inertiaCurve: output.inertiaCurve.map(round4),
    silhouette: round4(output.silhouette),
    ...(output.silhouetteSample !== undefined && { silhouetteSample: output.silhouetteSample }),
    ...(output.approximateNeighbours && { approximateNeighbours: true as const }),
    assignments,
    silhouettes: [...Array.from(output.silhouettes, round4), ...new Array<null>(injectedCount).fill(null)],
    clusters: clustersOf(output.k, assignments, labels, injected),
    umap: Array.from(output.umap, round4),
  };
}
