// The kept images worth a look, ranked: each image gets up to one point per signal a reader can
// check for themselves (how few of its class take its path, how far it sits from its cluster in the
// last hidden layer, how unsure the model is, whether the model is wrong), and the list holds the
// images whose points reach OUTLIER_SCORE. A point is whole once the signal reaches its threshold
// (OUTLIER_THRESHOLDS) and partial on the way there, so images with the same reasons still rank.
import { OUTLIER_SCORE, OUTLIER_THRESHOLDS, round4 } from "../shared/figures";
import type { Outlier, OutlierReason } from "../shared/results";

export interface OutliersInput {
  labels: ArrayLike<number>;
  injected: ArrayLike<boolean>;
  predictions: ArrayLike<number>;
  /** Per image, the model's probability for its prediction; absent when unknown (imported predictions). */
  confidence?: ArrayLike<number>;
  /** Per hidden layer, each image's cluster. */
  assignments: ArrayLike<number>[];
  /** Per image, its distance to its cluster's centroid in the last hidden layer. */
  lastLayerDistances: ArrayLike<number>;
  /** Per hidden layer, kept class -> its dominant cluster: an image's off-path layers are where it is elsewhere. */
  dominantCluster: Record<string, number>[];
}

/** The signals of one kept image, before any threshold. */
export interface OutlierSignals {
  pathShare: number;
  distanceRatio: number;
  confidence?: number;
  misclassified: boolean;
}

/**
 * Its points: 1 per signal at its threshold, and on the way there the share of the way (the path's
 * rarity as threshold / share, the distance as (ratio - 1) / (threshold - 1), the doubt as
 * (1 - confidence) / (1 - threshold)), so a 2% path with a 1% threshold counts half.
 */
export function outlierScore(s: OutlierSignals): number {
  const t = OUTLIER_THRESHOLDS;
  const rare = Math.min(1, t.rarePath / s.pathShare);
  const far = Math.min(1, Math.max(0, (s.distanceRatio - 1) / (t.farFromCluster - 1)));
  const unsure = s.confidence === undefined ? 0 : Math.min(1, (1 - s.confidence) / (1 - t.unsure));
  return rare + far + unsure + (s.misclassified ? 1 : 0);
}

export function outlierReasons(s: OutlierSignals): OutlierReason[] {
  const t = OUTLIER_THRESHOLDS;
  const reasons: OutlierReason[] = [];
  if (s.pathShare <= t.rarePath) reasons.push("rare-path");
  if (s.distanceRatio >= t.farFromCluster) reasons.push("far-from-cluster");
  if (s.confidence !== undefined && s.confidence < t.unsure) reasons.push("unsure");
  if (s.misclassified) reasons.push("misclassified");
  return reasons;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Every kept image's signals, in image order (injected images: undefined). */
export function outlierSignals(input: OutliersInput): (OutlierSignals | undefined)[] {
  const n = input.labels.length;
  const kept = (i: number) => !input.injected[i];
  const pathOf = (i: number) => `${input.labels[i]}:${input.assignments.map((a) => a[i]).join(">")}>${input.predictions[i]}`;
  const pathCounts = new Map<string, number>();
  const classCounts = new Map<number, number>();
  const last = input.assignments[input.assignments.length - 1];
  const distancesByCluster = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!kept(i)) continue;
    const path = pathOf(i);
    pathCounts.set(path, (pathCounts.get(path) ?? 0) + 1);
    classCounts.set(input.labels[i], (classCounts.get(input.labels[i]) ?? 0) + 1);
    const c = last[i];
    if (!distancesByCluster.has(c)) distancesByCluster.set(c, []);
    distancesByCluster.get(c)!.push(input.lastLayerDistances[i]);
  }
  const medians = new Map([...distancesByCluster].map(([c, d]) => [c, median(d)]));
  return Array.from({ length: n }, (_, i) => {
    if (!kept(i)) return undefined;
    const med = medians.get(last[i])!;
    const distance = input.lastLayerDistances[i];
    return {
      pathShare: pathCounts.get(pathOf(i))! / classCounts.get(input.labels[i])!,
      // A cluster of identical signatures has median 0: any distance from it is as far as it gets.
      distanceRatio: med > 0 ? distance / med : distance > 0 ? Infinity : 1,
      ...(input.confidence && { confidence: input.confidence[i] }),
      misclassified: input.predictions[i] !== input.labels[i],
    };
  });
}

/** The kept images scoring at least OUTLIER_SCORE, highest score first (then by image, for stable files). */
export function outliers(input: OutliersInput): Outlier[] {
  const listed: Outlier[] = [];
  outlierSignals(input).forEach((s, i) => {
    if (!s) return;
    const score = outlierScore(s);
    if (score < OUTLIER_SCORE) return;
    const d = input.labels[i];
    const offPathLayers = input.dominantCluster.flatMap((dominant, l) => (input.assignments[l][i] !== dominant[d] ? [l + 1] : []));
    listed.push({
      image: i,
      digit: d,
      score: round4(score),
      reasons: outlierReasons(s),
      pathShare: round4(s.pathShare),
      // Infinity has no JSON; 1e4 reads as "as far as it gets" and survives the file.
      distanceRatio: round4(Math.min(s.distanceRatio, 1e4)),
      ...(s.confidence !== undefined && { confidence: round4(s.confidence) }),
      ...(offPathLayers.length > 0 && { offPathLayers }),
    });
  });
  return listed.sort((a, b) => b.score - a.score || a.image - b.image);
}
