// The findings in a few lines a person reads in a terminal or a notification.
import { className, classNoun, classNounPlural, classPlural } from "../shared/classNames";
import type { Results } from "../shared/results";
import { silhouetteNote } from "../shared/silhouetteNote";

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function summaryText(results: Results): string {
  const f = results.findings;
  const name = (label: number | string) => className(results, label);
  const digits = results.classes.map(name).join(" vs ");
  const injected = results.images.injected.filter(Boolean).length;
  const lines = [
    `${results.experiment.name}: ${digits}, ${results.images.count - injected} images${injected ? ` + ${injected} injected` : ""} ` +
      (results.imported ? `(signatures imported, no model ran; clustered on ${results.backend})` : `(backend ${results.backend})`),
    `${results.imported ? "imported predictions right" : "accuracy"}: ${results.imported ? "kept" : "train"} ${pct(f.accuracy.train)}, held-out ` +
      (f.accuracy.test === null ? "not measured (no image left to hold out)" : `${pct(f.accuracy.test)} on ${results.testCount} images`),
  ];
  f.layers.forEach((l, i) => {
    const note = silhouetteNote(results.layers[i]);
    const purity = results.classes.map((d) => `${name(d)}: ${pct(l.purity[d])} in cluster ${l.dominantCluster[d]}`).join(", ");
    lines.push(`layer ${i + 1} (${l.size} units): k = ${l.k}, silhouette ${l.silhouette.toFixed(2)}${note}; ${purity}`);
  });
  const kept = `the kept ${classNounPlural(results)}`;
  lines.push(
    f.separationLayer === null ? `${kept} never get a cluster of their own` : `the model separates ${kept} from layer ${f.separationLayer}`,
  );
  if (f.separationEpoch) {
    const epochs = f.separationEpoch.map((e, i) => `layer ${i + 1} ${e === null ? "not by the end" : `from epoch ${e}`}`);
    const recorded = [...(results.snapshots ?? []).map((s) => s.epoch), results.experiment.training.epochs].join(", ");
    lines.push(`while training (epochs ${recorded} recorded), each layer separates them for good: ${epochs.join(", ")}`);
  }
  for (const [d, inj] of Object.entries(f.injected)) {
    const follows = Object.entries(inj.followsPathOf)
      .map(([k, s]) => `${pct(s)} follow the ${classPlural(results, k)}`)
      .join(", ");
    lines.push(`injected ${classPlural(results, d)} (${inj.count}): ${follows}; path entropy ${inj.pathEntropy.toFixed(2)} bits`);
  }
  const offPath = f.outliers.filter((o) => o.reasons.includes("off-path")).length;
  const wrong = f.outliers.filter((o) => o.reasons.includes("misclassified")).length;
  lines.push(`outliers: ${f.outliers.length} (${offPath} off their ${classNoun(results)}'s path, ${wrong} misclassified)`);
  return lines.join("\n");
}
