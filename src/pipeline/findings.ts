// The report's three questions, computed: from which layer are the classes apart, which images
// leave their digit's path, and where do unseen digits go.
import { round4, SEPARATION_PURITY } from "../shared/figures";
import type { Findings, InjectedFinding, LayerFinding, LayerResult, Outlier, OutlierReason } from "../shared/results";

export interface FindingsInput {
  classes: number[];
  labels: ArrayLike<number>;
  injected: ArrayLike<boolean>;
  predictions: ArrayLike<number>;
  layers: Pick<LayerResult, "name" | "size" | "k" | "silhouette" | "assignments" | "silhouettes">[];
  accuracy: Findings["accuracy"];
}

function counted<T>(items: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** The most frequent item, the smallest on ties (clusters are numbered, so this is stable). */
function mostFrequent(counts: Map<number, number>): [number, number] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
}

export function entropyBits(counts: Iterable<number>): number {
  const values = [...counts];
  const total = values.reduce((a, b) => a + b, 0);
  // max(0, ...) turns the -0 of a single path into 0.
  return Math.max(
    0,
    values.reduce((h, c) => (c > 0 ? h - (c / total) * Math.log2(c / total) : h), 0),
  );
}

/** Whether a layer separates the kept digits: each held together (purity >= SEPARATION_PURITY), no two in one cluster. */
export function separates(layer: LayerFinding, classes: number[]): boolean {
  return (
    classes.every((d) => layer.purity[d] >= SEPARATION_PURITY) &&
    new Set(classes.map((d) => layer.dominantCluster[d])).size === classes.length
  );
}

export function findings(input: FindingsInput): Findings {
  const n = input.labels.length;
  const keptOf = (d: number) => Array.from({ length: n }, (_, i) => i).filter((i) => !input.injected[i] && input.labels[i] === d);
  const keptByDigit = new Map(input.classes.map((d) => [d, keptOf(d)]));

  const layers: LayerFinding[] = input.layers.map((layer) => {
    const purity: Record<string, number> = {};
    const dominantCluster: Record<string, number> = {};
    for (const [d, images] of keptByDigit) {
      const [cluster, count] = mostFrequent(counted(images.map((i) => layer.assignments[i])));
      purity[d] = round4(count / images.length);
      dominantCluster[d] = cluster;
    }
    return { name: layer.name, size: layer.size, k: layer.k, silhouette: round4(layer.silhouette), purity, dominantCluster };
  });

  const separationIndex = layers.findIndex((l) => separates(l, input.classes));

  const outliers: Outlier[] = [];
  for (let i = 0; i < n; i++) {
    if (input.injected[i]) continue;
    const d = input.labels[i];
    const reasons: OutlierReason[] = [];
    const offPathLayers = layers.flatMap((l, li) => (input.layers[li].assignments[i] !== l.dominantCluster[d] ? [li + 1] : []));
    if (offPathLayers.length > 0) reasons.push("off-path");
    if (input.layers.some((l) => (l.silhouettes[i] ?? 0) < 0)) reasons.push("negative-silhouette");
    if (input.predictions[i] !== d) reasons.push("misclassified");
    if (reasons.length > 0) outliers.push({ image: i, digit: d, reasons, ...(offPathLayers.length > 0 ? { offPathLayers } : {}) });
  }

  const injected: Record<string, InjectedFinding> = {};
  const injectedDigits = [
    ...new Set(
      Array.from({ length: n }, (_, i) => i)
        .filter((i) => input.injected[i])
        .map((i) => input.labels[i]),
    ),
  ];
  for (const d of injectedDigits) {
    const images = Array.from({ length: n }, (_, i) => i).filter((i) => input.injected[i] && input.labels[i] === d);
    const followsPathOf: Record<string, number> = {};
    for (const kept of input.classes) {
      const follows = images.filter((i) => layers.every((l, li) => input.layers[li].assignments[i] === l.dominantCluster[kept]));
      followsPathOf[kept] = round4(follows.length / images.length);
    }
    const paths = counted(images.map((i) => [...input.layers.map((l) => l.assignments[i]), input.predictions[i]].join(">")));
    const predicted: Record<string, number> = {};
    for (const [p, c] of counted(images.map((i) => input.predictions[i]))) predicted[p] = round4(c / images.length);
    injected[d] = { count: images.length, followsPathOf, pathEntropy: round4(entropyBits(paths.values())), predicted };
  }

  return {
    accuracy: { train: round4(input.accuracy.train), test: input.accuracy.test === null ? null : round4(input.accuracy.test) },
    layers,
    separationLayer: separationIndex < 0 ? null : separationIndex + 1,
    injected,
    outliers,
  };
}
