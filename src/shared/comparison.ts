// Two results side by side (`mtq compare`, MTQ: Compare Results): how one's clusters map onto the
// other's per layer, the images whose path changed, and both findings. Images are matched by
// (split, sourceIndex): the same source image, whichever position it has in each file.
import { className, classPlural } from "./classNames";
import type { Findings } from "./results";

export interface ComparedSide {
  /** The results file as given. */
  file: string;
  name: string;
  seed: number;
  /** "dense 32-64", "cnn", "saved": what made the signatures. */
  model: string;
  classes: number[];
  /** The results' class names, if any. */
  classNames?: Record<string, string>;
  imageCount: number;
  layerNames: string[];
  findings: Findings;
}

export interface LayerComparison {
  /** 0-based: this layer of A is compared with this layer of B (by position when the depths are equal, else counted from the output). */
  layerA: number;
  layerB: number;
  kA: number;
  kB: number;
  /** Per matched image (in `matched` order): its cluster in A and in B. */
  clusters: { a: number[]; b: number[] };
  /** contingency[i][j]: matched images in A's cluster i and B's cluster j. */
  contingency: number[][];
  /** Adjusted Rand index of the two clusterings on the matched images: 1 = the same partition, ~0 = chance; null under 2 images. */
  ari: number | null;
  /** Per A cluster: the B cluster holding most of its matched images (-1 when it holds none). */
  correspondence: number[];
}

export interface ChangedPath {
  /** The image's index in A's images and in B's. */
  a: number;
  b: number;
  /** 1-based positions in the comparison's `layers` where its B cluster is not the one its A cluster corresponds to. */
  layers: number[];
  predictionA: number;
  predictionB: number;
}

export interface Comparison {
  a: ComparedSide;
  b: ComparedSide;
  /** Matched images: matched.a[n] in A is matched.b[n] in B. */
  matched: { a: number[]; b: number[] };
  /** Per compared pair of layers (as many as the shallower model has). */
  layers: LayerComparison[];
  /** Matched images whose path differs: another cluster than the corresponding one in some layer, or another prediction. */
  changed: ChangedPath[];
  /** What the reader must know before trusting the figures (few shared images, different depths). */
  notes: string[];
}

/** "layer 2", or "A's layer 1 / B's layer 2" when the pair's positions differ. */
export function layerPairName({ layerA, layerB }: LayerComparison): string {
  return layerA === layerB ? `layer ${layerA + 1}` : `A's layer ${layerA + 1} / B's layer ${layerB + 1}`;
}

const percent = (x: number | null | undefined) => (x === null || x === undefined ? "-" : `${Math.round(x * 100)}%`);

/** [what, in A, in B] for the findings worth setting side by side (the CLI's table and the view's). */
export function findingsSideBySide({ a, b }: Comparison): [string, string, string][] {
  const [fa, fb] = [a.findings, b.findings];
  const rows: [string, string, string][] = [
    ["train accuracy", percent(fa.accuracy.train), percent(fb.accuracy.train)],
    ["held-out accuracy", percent(fa.accuracy.test), percent(fb.accuracy.test)],
    ["separates from layer", String(fa.separationLayer ?? "never"), String(fb.separationLayer ?? "never")],
  ];
  for (let l = 0; l < Math.max(fa.layers.length, fb.layers.length); l++) {
    for (const d of a.classes)
      rows.push([`layer ${l + 1} purity of ${className(a, d)}`, percent(fa.layers[l]?.purity[d]), percent(fb.layers[l]?.purity[d])]);
  }
  for (const d of new Set([...Object.keys(fa.injected), ...Object.keys(fb.injected)])) {
    for (const k of a.classes)
      rows.push([
        `injected ${classPlural(a, d)} follow the ${classPlural(a, k)}`,
        percent(fa.injected[d]?.followsPathOf[k]),
        percent(fb.injected[d]?.followsPathOf[k]),
      ]);
  }
  rows.push(["outliers", String(fa.outliers.length), String(fb.outliers.length)]);
  return rows;
}
