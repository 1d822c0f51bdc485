// What the views need from a results file and the model state they show (the final model's or a
// training snapshot's), computed once per view: each map's points and each Sankey node's images;
// the pixels are asked of the host as they are shown (PixelStore).
import { className } from "../src/shared/classNames";
import { imageTitle } from "../src/shared/imageName";
import { imageSource } from "../src/shared/imageSource";
import { labelGroups } from "../src/shared/labelGroups";
import type { Column } from "../src/shared/columns";
import type { MapKind } from "../src/shared/protocol";
import type { LayerResult, ModelState, Results } from "../src/shared/results";
import type { PixelStore } from "./pixels";

/** The results file without the final model's state: a view reads the state it shows from `ViewData.state`, never from here. */
export type RunInfo = Omit<Results, keyof ModelState>;

export interface ViewData {
  results: RunInfo;
  /** The model state shown: the final model's (the results' own) or a training snapshot's. */
  state: ModelState;
  /** With training snapshots: from which recorded epoch each layer separates the digits for good, a finding over the whole training. */
  separationEpoch?: (number | null)[];
  /** The images' pixels as far as asked: rows*cols bytes an image, or rows*cols*3 (red, green, blue in turn) when `results.images.channels` is 3. */
  pixels: PixelStore;
  /** Flow node id -> the images through it, ascending. */
  nodeImages: Map<string, Int32Array>;
  /** The digits present (kept then injected), ascending within each group. */
  digits: number[];
  /** The digits of the injected images, ascending. */
  injectedDigits: number[];
}

export function viewDataFrom(results: Results, pixels: PixelStore, state: ModelState = results): ViewData {
  const { kept, injected } = labelGroups(results.images);
  return {
    results,
    state,
    ...(results.findings.separationEpoch && { separationEpoch: results.findings.separationEpoch }),
    pixels,
    nodeImages: imagesPerNode(state, results.images.count),
    digits: [...kept, ...injected.filter((d) => !kept.includes(d))],
    injectedDigits: injected,
  };
}

/** The map kinds every layer of `state` has: UMAP always, PCA when the run stored it for each layer (files before it have none). */
export function mapKinds(state: ModelState): MapKind[] {
  return state.layers.every((l) => l.pca) ? ["umap", "pca"] : ["umap"];
}

/**
 * The columns of the map a layer draws as `kind`: its PCA map's where it has one, else its UMAP
 * map's (files before PCA have none): the points' places, and how many of each image's neighbours
 * the map keeps (the UMAP map's counts where the PCA map has none).
 */
export function mapColumns(layer: LayerResult, kind: MapKind): { positions: Column; kept: Column | undefined } {
  return kind === "pca" && layer.pca
    ? { positions: layer.pca, kept: layer.pcaKept ?? layer.umapKept }
    : { positions: layer.umap, kept: layer.umapKept };
}

/** A layer's points on its `kind` of map as [x0, y0, x1, y1, ...]: what the map draws, indexes, rings and exports. */
export function mapPositions(layer: LayerResult, kind: MapKind): Float32Array {
  return Float32Array.from(mapColumns(layer, kind).positions);
}

/**
 * A node's images are those of the links into it; digit nodes have none in, so those out. Per
 * column each image's node first, then each node's images in one ascending pass: no sort (sorting
 * each node's merged links took 0.48 s of a million images' view build at load 13, this 0.09 s).
 */
function imagesPerNode({ flows }: ModelState, count: number): Map<string, Int32Array> {
  const byNode = new Map<string, Int32Array>();
  const columnOf = new Map(flows.nodes.map((n) => [n.id, n.column]));
  const nodeOf = new Int32Array(count);
  for (const column of new Set(flows.nodes.map((n) => n.column))) {
    const nodes = flows.nodes.filter((n) => n.column === column);
    const index = new Map(nodes.map((n, k) => [n.id, k]));
    nodeOf.fill(-1);
    for (const link of flows.links) {
      const node =
        columnOf.get(link.target) === column ? link.target : columnOf.get(link.source) === column && column === 0 ? link.source : null;
      if (node === null) continue;
      const k = index.get(node)!;
      const { images } = link;
      for (let j = 0; j < images.length; j++) nodeOf[images[j]] = k;
    }
    const sizes = new Int32Array(nodes.length);
    for (let i = 0; i < count; i++) if (nodeOf[i] >= 0) sizes[nodeOf[i]]++;
    const lists = nodes.map((_, k) => new Int32Array(sizes[k]));
    sizes.fill(0);
    for (let i = 0; i < count; i++) if (nodeOf[i] >= 0) lists[nodeOf[i]][sizes[nodeOf[i]]++] = i;
    nodes.forEach((n, k) => byNode.set(n.id, lists[k]));
  }
  return byNode;
}

/** The images for which `test` holds, ascending. */
export function imagesWhere(data: ViewData, test: (image: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.results.images.count; i++) if (test(i)) out.push(i);
  return out;
}

/** [digit, count] among `images`, most frequent first. */
export function digitCounts(data: ViewData, images: ArrayLike<number>): [number, number][] {
  return classCounts(data.results.images.labels, images);
}

/** [class, count] among `images` by `classes` (each image's label, or its prediction), most frequent first, then by class. */
export function classCounts(classes: ArrayLike<number>, images: ArrayLike<number>): [number, number][] {
  // Counted in an array indexed by class (small whole numbers), not a Map: it is called per Sankey link and node.
  const counts: number[] = [];
  for (let k = 0; k < images.length; k++) {
    const d = classes[images[k]];
    counts[d] = (counts[d] ?? 0) + 1;
  }
  const out: [number, number][] = [];
  counts.forEach((n, d) => out.push([d, n]));
  return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

/** "96 × 1, 4 × 7" ("96 × one, 4 × seven" with class names): the digits among `images`, most frequent first. */
export function digitMix(data: ViewData, images: ArrayLike<number>): string {
  return digitCounts(data, images)
    .map(([d, n]) => `${n} × ${className(data.results, d)}`)
    .join(", ");
}

/** What a tooltip says about one image. */
export function describeImage(data: ViewData, i: number): string[] {
  const { predictions, confidence, layers } = data.state;
  return [
    imageTitle(data.results, i),
    // Imported predictions come without the model's probabilities.
    `predicted ${className(data.results, predictions[i])} (${confidence ? `${Math.round(confidence[i] * 100)}%` : "confidence not known"})`,
    `clusters: ${layers.map((l, n) => `L${n + 1} c${l.assignments[i]}`).join(" → ")}`,
    imageSource(data.results, i),
  ];
}
