// What the views need from a results file and the model state they show (the final model's or a
// training snapshot's), computed once per view: each map's points and each Sankey node's images;
// the pixels are asked of the host as they are shown (PixelStore).
import { className } from "../src/shared/classNames";
import { imageTitle } from "../src/shared/imageName";
import { imageSource } from "../src/shared/imageSource";
import { labelGroups, MARKED_LABELS } from "../src/shared/labelGroups";
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
  /** Flow node id -> the images through it, ascending: made when first read (a node picked or hovered), not to draw the view. */
  readonly nodeImages: Map<string, Int32Array>;
  /** The digits present (kept then injected), ascending within each group. */
  digits: number[];
  /** The digits of the injected images, ascending. */
  injectedDigits: number[];
}

export function viewDataFrom(results: Results, pixels: PixelStore, state: ModelState = results): ViewData {
  const { kept, injected } = labelGroups(results.images);
  let nodeImages: Map<string, Int32Array> | undefined;
  return {
    results,
    state,
    ...(results.findings.separationEpoch && { separationEpoch: results.findings.separationEpoch }),
    pixels,
    get nodeImages() {
      return (nodeImages ??= imagesPerNode(state, results.images.count));
    },
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

/**
 * A layer's points on its `kind` of map as [x0, y0, x1, y1, ...]: what the map draws, indexes, rings
 * and exports. The host posts them as float32 (src/shared/columns.ts): the column itself, not a copy.
 */
export function mapPositions(layer: LayerResult, kind: MapKind): Float32Array {
  const { positions } = mapColumns(layer, kind);
  return positions instanceof Float32Array ? positions : Float32Array.from(positions);
}

/**
 * A node's images are those of the links into it; digit nodes have none in, so those out. The
 * links' images marked with their node, every column in one pass over the links, then each
 * column's nodes' images in one ascending pass: no sort (sorting each node's merged links took
 * 0.48 s of a million images' view build at load 13), and no pass per column to clear or count
 * (the marks are the node's place plus one, in arrays made zero; the sizes are the links').
 */
function imagesPerNode({ flows }: ModelState, count: number): Map<string, Int32Array> {
  const columns = [...new Set(flows.nodes.map((n) => n.column))];
  const nodes = columns.map((column) => flows.nodes.filter((n) => n.column === column));
  /** Node id -> its column's place in `columns` and its place in that column, plus one. */
  const where = new Map<string, [number, number]>();
  nodes.forEach((list, c) => list.forEach((n, k) => where.set(n.id, [c, k + 1])));
  const marks = columns.map(() => new Uint16Array(count));
  const sizes = nodes.map((list) => new Int32Array(list.length + 1));
  const first = columns.indexOf(0);
  for (const link of flows.links) {
    const { images } = link;
    const target = where.get(link.target);
    const source = where.get(link.source);
    for (const node of source?.[0] === first ? [target, source] : [target]) {
      if (!node) continue;
      const [c, k] = node;
      const mark = marks[c];
      for (let j = 0; j < images.length; j++) mark[images[j]] = k;
      sizes[c][k] += images.length;
    }
  }
  const byNode = new Map<string, Int32Array>();
  nodes.forEach((list, c) => {
    const lists = list.map((_, k) => new Int32Array(sizes[c][k + 1]));
    const filled = new Int32Array(list.length);
    const mark = marks[c];
    for (let i = 0; i < count; i++) {
      const k = mark[i] - 1;
      if (k >= 0) lists[k][filled[k]++] = i;
    }
    // An image in two links into one node (not in a file the pipeline wrote) is listed once.
    list.forEach((n, k) => byNode.set(n.id, filled[k] < lists[k].length ? lists[k].slice(0, filled[k]) : lists[k]));
  });
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
  // Counted in a typed array indexed by class (small whole numbers), grown as a class needs: it is
  // called per Sankey link and node, a million images' cluster nodes at every load (a plain list's
  // `(counts[d] ?? 0) + 1` took 4 times as long).
  let counts = new Int32Array(16);
  for (let k = 0; k < images.length; k++) {
    const d = classes[images[k]];
    // A hostile file's label of 2^31 - 1 would grow the array to 8 GB (20 s a call).
    if (!(d >= 0 && d < MARKED_LABELS && d === Math.floor(d))) return countedInMap(classes, images);
    if (d >= counts.length) {
      const grown = new Int32Array(Math.max(d + 1, 2 * counts.length));
      grown.set(counts);
      counts = grown;
    }
    counts[d]++;
  }
  const out: [number, number][] = [];
  counts.forEach((n, d) => {
    if (n > 0) out.push([d, n]);
  });
  return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
}

function countedInMap(classes: ArrayLike<number>, images: ArrayLike<number>): [number, number][] {
  const counts = new Map<number, number>();
  for (let k = 0; k < images.length; k++) counts.set(classes[images[k]], (counts.get(classes[images[k]]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
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
