// The kept images worth a look, ranked. Three things can be strange about an image, each one a
// point a reader can check: its path (its cluster in every hidden layer) is one almost no image of
// its class takes; it sits far from its cluster's centroid in the last hidden layer; the model is
// unsure of it or wrong. The prediction is left out of the path, and doubt and error share one
// point, so that one misclassification does not count two or three times (a wrong prediction made
// every misclassified image's path rare). A point is whole at its threshold (OUTLIER_THRESHOLDS)
// and partial on the way there, so images with the same reasons still rank; the list holds the
// images scoring OUTLIER_SCORE (two of the three, or as much), highest first.
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
  /** How many kept images of its class take its path, itself included, and their share of the class. */
  pathCount: number;
  pathShare: number;
  /** How many kept images its class has. */
  classCount: number;
  distanceRatio: number;
  confidence?: number;
  misclassified: boolean;
}

/**
 * Its score, 0-3: the path's point (rarePathImages / pathCount: whole at that many images, half
 * at twice as many), the distance's ((ratio - 1) / (threshold - 1), nothing nearer than the median),
 * and the output's (1 when misclassified, else (1 - confidence) / (1 - threshold)).
 */
export function outlierScore(s: OutlierSignals): number {
  const t = OUTLIER_THRESHOLDS;
  const rare = Math.min(1, rarePathImages(s.classCount) / s.pathCount);
  const far = Math.min(1, Math.max(0, (s.distanceRatio - 1) / (t.farFromCluster - 1)));
  const unsure = s.confidence === undefined ? 0 : Math.min(1, (1 - s.confidence) / (1 - t.unsure));
  return rare + far + (s.misclassified ? 1 : unsure);
}

/**
 * How few images of a class make a path rare: `rarePath`, or `rarePathShare` of the class when that
 * is fewer, so that in a class of 100 a path of 5 (5%) is not rare while one of 2 is.
 */
export function rarePathImages(classCount: number): number {
  return Math.min(OUTLIER_THRESHOLDS.rarePath, OUTLIER_THRESHOLDS.rarePathShare * classCount);
}

/** The signals at their thresholds, in the order the views list them. */
export function outlierReasons(s: OutlierSignals): OutlierReason[] {
  const t = OUTLIER_THRESHOLDS;
  const reasons: OutlierReason[] = [];
  if (s.pathCount <= rarePathImages(s.classCount)) reasons.push("rare-path");
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
  const pathOf = (i: number) => `${input.labels[i]}:${input.assignments.map((a) => a[i]).join(">")}`;
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
    const pathCount = pathCounts.get(pathOf(i))!;
    const classCount = classCounts.get(input.labels[i])!;
    return {
      pathCount,
      pathShare: pathCount / classCount,
      classCount,
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
      pathCount: s.pathCount,
      pathShare: round4(s.pathShare),
      // Infinity has no JSON; 1e4 reads as "as far as it gets" and survives the file.
      distanceRatio: round4(Math.min(s.distanceRatio, 1e4)),
      ...(s.confidence !== undefined && { confidence: round4(s.confidence) }),
      ...(offPathLayers.length > 0 && { offPathLayers }),
    });
  });
  return listed.sort((a, b) => b.score - a.score || a.image - b.image);
}
