// Two results side by side (`mtq compare`, MTQ: Compare Results): how one's clusters map onto the
// other's per layer, the images whose path changed, and both findings. Images are matched by
// (split, sourceIndex): the same source image, whichever position it has in each file.
import type { Findings } from "./results";

export interface ComparedSide {
  /** The results file as given. */
  file: string;
  name: string;
  seed: number;
  /** "dense 32-64", "cnn", "saved": what made the signatures. */
  model: string;
  classes: number[];
  imageCount: number;
  layerNames: string[];
  findings: Findings;
}

export interface LayerComparison {
  /** 0-based: layer i of A is compared with layer i of B. */
  layer: number;
  kA: number;
  kB: number;
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
  /** 1-based layers where its B cluster is not the one A's cluster corresponds to. */
  layers: number[];
  predictionA: number;
  predictionB: number;
}

export interface Comparison {
  a: ComparedSide;
  b: ComparedSide;
  /** Matched images: matched.a[n] in A is matched.b[n] in B. */
  matched: { a: number[]; b: number[] };
  /** Per compared layer (as many as the shallower model has). */
  layers: LayerComparison[];
  /** Matched images whose path differs: another cluster than the corresponding one in some layer, or another prediction. */
  changed: ChangedPath[];
  /** What the reader must know before trusting the figures (few shared images, different depths). */
  notes: string[];
}
