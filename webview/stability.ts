// The stability runs' figures in words, as every view that shows a layer's clusters states them:
// a cluster under UNSTABLE_JACCARD is "unstable", a layer has its ARI to the main clustering and
// how often each k was chosen again.
import { UNSTABLE_JACCARD } from "../src/shared/figures";
import type { Cluster, LayerStability } from "../src/shared/results";

const two = (x: number) => x.toFixed(2);

/** Whether the stability runs flag the cluster: its mean Jaccard is under UNSTABLE_JACCARD. */
export function isUnstable(cluster: Pick<Cluster, "stability">): boolean {
  return cluster.stability !== undefined && cluster.stability < UNSTABLE_JACCARD;
}

/** "unstable (Jaccard 0.42)" or "stable (Jaccard 0.91)"; undefined without stability runs. */
export function clusterStabilityText(cluster: Pick<Cluster, "stability">): string | undefined {
  if (cluster.stability === undefined) return undefined;
  return `${isUnstable(cluster) ? "unstable" : "stable"} (Jaccard ${two(cluster.stability)})`;
}

/** "k = 9 in 12 runs, 10 in 8": the k tally, most chosen first. */
export function kTallyText(stability: LayerStability): string {
  const tally = Object.entries(stability.kChosen).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));
  return `k = ${tally.map(([k, n], i) => `${k} in ${n}${i === 0 ? ` of ${stability.runs}` : ""}`).join(", ")} runs`;
}

/** "ARI 0.93 [0.88–0.97]": the layer's agreement with its main clustering over the runs. */
export function ariText(stability: LayerStability): string {
  const [low, high] = stability.ari.interval;
  return `ARI ${two(stability.ari.mean)} [${two(low)}–${two(high)}]`;
}

/** The longer reading, for a title or an accessible label. */
export function layerStabilityTitle(stability: LayerStability): string {
  return (
    `Over ${stability.runs} bootstrap resamples of the kept images, each clustered again as this layer was: ` +
    `adjusted Rand index to this clustering ${two(stability.ari.mean)} on average (sd ${two(stability.ari.sd)}, ` +
    `2.5th–97.5th percentiles ${two(stability.ari.interval[0])}–${two(stability.ari.interval[1])}); ${kTallyText(stability)}. ` +
    `A cluster whose mean Jaccard to its best match in the runs is under ${UNSTABLE_JACCARD} is marked unstable.`
  );
}
