// The findings in a few lines a person reads in a terminal or a notification, each share with its
// 95% interval and each test with its p-value.
import { className, classNounPlural, classPlural } from "../shared/classNames";
import { INTERVAL_METHODS, UNSTABLE_JACCARD } from "../shared/figures";
import { percent as pct, pValueText, shareText } from "../shared/intervalText";
import { imageTitle } from "../shared/imageName";
import { outlierReasonText, scoreText } from "../shared/outlierText";
import type { OutlierReason, Results } from "../shared/results";
import { silhouetteNote } from "../shared/silhouetteNote";

const REASONS: readonly OutlierReason[] = ["rare-path", "far-from-cluster", "unsure", "misclassified"];
const REASON_WORDS: Record<OutlierReason, string> = {
  "rare-path": "on a rare path",
  "far-from-cluster": "far from their cluster",
  unsure: "unsure",
  misclassified: "misclassified",
};
/** How many of the highest-scoring outliers the summary names. */
const TOP_OUTLIERS = 3;

export function summaryText(results: Results): string {
  const f = results.findings;
  const name = (label: number | string) => className(results, label);
  const digits = results.classes.map(name).join(" vs ");
  let injected = 0;
  for (let i = 0; i < results.images.count; i++) if (results.images.injected[i]) injected++;
  const kept = results.images.count - injected;
  const acc = f.accuracyInterval;
  const lines = [
    `${results.experiment.name}: ${digits}, ${kept} images${injected ? ` + ${injected} injected` : ""} ` +
      (results.imported ? `(signatures imported, no model ran; clustered on ${results.backend})` : `(backend ${results.backend})`),
    `${results.imported ? "imported predictions right" : "accuracy"}: ${results.imported ? "kept" : "train"} ` +
      `${shareText(f.accuracy.train, acc?.train)}, held-out ` +
      (f.accuracy.test === null
        ? "not measured (no image left to hold out)"
        : `${shareText(f.accuracy.test, acc?.test ?? undefined)} on ${results.testCount} images`),
  ];
  f.layers.forEach((l, i) => {
    const layer = results.layers[i];
    const note = silhouetteNote(layer);
    const purity = results.classes
      .map((d) => `${name(d)}: ${shareText(l.purity[d], l.purityInterval?.[d])} in cluster ${l.dominantCluster[d]}`)
      .join(", ");
    const test = l.independence
      ? `; labels x clusters G = ${l.independence.g.toFixed(1)}, ${pValueText(l.independence.pValue)} (${l.independence.permutations} permutations)`
      : "";
    lines.push(`layer ${i + 1} (${l.size} units): k = ${l.k}, silhouette ${l.silhouette.toFixed(2)}${note}; ${purity}${test}`);
    if (l.umapNeighboursKept !== undefined && l.pcaNeighboursKept !== undefined)
      lines.push(
        `  of each image's ${l.neighbourCount} nearest in the layer${l.approximateNeighbours ? " (approximate: partitioned search)" : ""}, ` +
          `${pct(l.umapNeighboursKept)} stay among its nearest on the UMAP map, ${pct(l.pcaNeighboursKept)} on the PCA map`,
      );
    const stability = layer.stability;
    if (stability) {
      const unstable = layer.clusters.filter((c) => c.stability !== undefined && c.stability < UNSTABLE_JACCARD).map((c) => c.id);
      const chosen = Object.entries(stability.kChosen)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `k = ${k} in ${n}`)
        .join(", ");
      lines.push(
        `  over ${stability.runs} bootstrap runs: ARI to this clustering ${stability.ari.mean.toFixed(2)} ` +
          `[${stability.ari.interval[0].toFixed(2)}–${stability.ari.interval[1].toFixed(2)}], ${chosen}; ` +
          (unstable.length > 0
            ? `unstable (Jaccard < ${UNSTABLE_JACCARD}): cluster ${unstable.join(", ")}`
            : `every cluster stable (Jaccard >= ${UNSTABLE_JACCARD})`),
      );
    }
  });
  const keptNoun = `the kept ${classNounPlural(results)}`;
  lines.push(
    f.separationLayer === null
      ? `${keptNoun} never get a cluster of their own`
      : `the model separates ${keptNoun} from layer ${f.separationLayer}`,
  );
  if (f.stability) {
    const tally = Object.entries(f.stability.separationLayer)
      .sort((a, b) => b[1] - a[1])
      .map(([layer, n]) => `${layer === "none" ? "no layer" : `layer ${layer}`} in ${n}`)
      .join(", ");
    lines.push(`  over ${f.stability.runs} bootstrap runs: ${tally}`);
  }
  if (f.separationEpoch) {
    const epochs = f.separationEpoch.map((e, i) => `layer ${i + 1} ${e === null ? "not by the end" : `from epoch ${e}`}`);
    const recorded = [...(results.snapshots ?? []).map((s) => s.epoch), results.experiment.training.epochs].join(", ");
    lines.push(`while training (epochs ${recorded} recorded), each layer separates them for good: ${epochs.join(", ")}`);
  }
  for (const [d, inj] of Object.entries(f.injected)) {
    // In the kept classes' order, as ever: the README quotes these lines and a test reads them so.
    const follows = Object.entries(inj.followsPathOf)
      .map(([k, s]) => `${shareText(s, inj.followsPathOfInterval?.[k])} follow the ${classPlural(results, k)}' path`)
      .join(", ");
    const preference = inj.preference
      ? `; the ${classPlural(results, inj.preference.more)}' more than the ${classPlural(results, inj.preference.than)}' ` +
        `(exact McNemar, ${pValueText(inj.preference.pValue)})`
      : "";
    lines.push(
      `injected ${classPlural(results, d)} (${inj.count}): ${follows}${preference}; path entropy ${inj.pathEntropy.toFixed(2)} bits`,
    );
    const spread = f.stability?.followsPathOf[d];
    if (spread && f.stability) {
      const ranges = Object.entries(spread)
        .map(([k, [low, high]]) => `${classPlural(results, k)}' path ${pct(low)}–${pct(high)}`)
        .join(", ");
      lines.push(`  over ${f.stability.runs} bootstrap runs (${INTERVAL_METHODS.stability}): ${ranges}`);
    }
  }
  lines.push(outliersLine(results, kept));
  return lines.join("\n");
}

/**
 * "outliers: 12 of 10000 kept images (1 on a rare path, ...); highest: image 3 · 7 (score 2.42: rare path (...))":
 * each image named as the tree and the view name it (imageTitle).
 */
function outliersLine(results: Results, kept: number): string {
  const list = results.findings.outliers;
  const counts = REASONS.map((r) => [r, list.filter((o) => o.reasons.includes(r)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${REASON_WORDS[r]}`);
  const line = `outliers: ${list.length} of ${kept} kept images${counts.length > 0 ? ` (${counts.join(", ")})` : ""}`;
  const top = list
    .slice(0, TOP_OUTLIERS)
    .map(
      (o) =>
        `${imageTitle(results, o.image)} (score ${scoreText(o.score)}: ` +
        `${o.reasons.map((r) => outlierReasonText(results, o, r, results.predictions[o.image])).join("; ") || "no signal past its threshold alone"})`,
    );
  return top.length > 0 ? `${line}; highest: ${top.join(", ")}` : line;
}
