// How an outlier's reasons and score are worded, with the figure behind each: one wording for the
// CLI summary, the tree and the findings panel. Shared with the webview's browser bundle, so it
// imports only types and figures.
import { className, classNoun, classPlural } from "./classNames";
import { OUTLIER_SCORE, OUTLIER_THRESHOLDS } from "./figures";
import type { Outlier, OutlierReason, Results } from "./results";

type Named = Pick<Results, "classNames">;

const pct = (x: number) => `${x < 0.01 && x > 0 ? (x * 100).toFixed(2) : Math.round(x * 100)}%`;
/** A confidence to a tenth of a point, rounded down: 0.4996 is under the 50% threshold and must not read "50%". */
const confidencePct = (x: number) => `${Math.floor(x * 1000) / 10}%`;

/** "rare path (3 of the 7s take it, 0.04%)", "misclassified as 9 (41%)": a reason with its figure. */
export function outlierReasonText(named: Named, o: Outlier, reason: OutlierReason, predicted: number): string {
  switch (reason) {
    case "rare-path":
      return `rare path (${o.pathCount} of the ${classPlural(named, o.digit)} take${o.pathCount === 1 ? "s" : ""} it, ${pct(o.pathShare)})`;
    case "far-from-cluster":
      return `far from its cluster (${o.distanceRatio >= 1e4 ? "far past" : `${o.distanceRatio.toFixed(1)}x`} its median distance, last layer)`;
    case "unsure":
      return `unsure (${confidencePct(o.confidence ?? 0)} for ${className(named, predicted)})`;
    case "misclassified":
      return `misclassified as ${className(named, predicted)}${o.confidence === undefined ? "" : ` (${confidencePct(o.confidence)})`}`;
  }
}

/** "2.99": a score to 2 decimals, rounded down, so that one just short of 3 (a point and two near-points) never reads "3.00". */
export function scoreText(score: number): string {
  return (Math.floor(score * 100 + 1e-9) / 100).toFixed(2);
}

/** Every reason of an outlier, "; "-separated. */
export function outlierReasonsText(named: Named, o: Outlier, predicted: number): string {
  return o.reasons.map((r) => outlierReasonText(named, o, r, predicted)).join("; ");
}

/** The rule, as the views state it, from the figures the pipeline applies. */
export function outlierRule(named: Named): string {
  const t = OUTLIER_THRESHOLDS;
  return (
    `score 0-3, a point each for a rare path (its cluster in every layer taken by at most ${t.rarePath} images of its ${classNoun(named)}, ` +
    `or ${pct(t.rarePathShare)} of it when fewer), ` +
    `for sitting far from its cluster (at least ${t.farFromCluster}x the cluster's median distance to its centroid, last layer) ` +
    `and for the model being unsure (confidence under ${pct(t.unsure)}) or wrong; part of a point on the way; listed from ${OUTLIER_SCORE}`
  );
}
