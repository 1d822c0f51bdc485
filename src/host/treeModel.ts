// The clusters tree without VS Code: which nodes a results file gives (experiment -> layer ->
// cluster -> images, the outliers, and the named selections saved beside the results), how each is
// labelled, the selection each stands for, and
// back from a selection made in the results view to the node to reveal. A cluster or the outliers
// list at most IMAGE_CAP images, then one "… and N more" item standing for the whole set: VS Code
// would otherwise get a list of tens of thousands of thumbnails on all of MNIST.
import { className, classNounPlural } from "../shared/classNames";
import { silhouetteOf } from "../shared/columns";
import { imageTitle } from "../shared/imageName";
import { imageSource } from "../shared/imageSource";
import type { SavedSelections, Selection } from "../shared/protocol";
import { INTERVAL_METHODS, UNSTABLE_JACCARD } from "../shared/figures";
import { intervalText, pValueText, shareText } from "../shared/intervalText";
import { outlierReasonsText, outlierRule, scoreText } from "../shared/outlierText";
import type { Cluster, Outlier, Results } from "../shared/results";
import { silhouetteNote } from "../shared/silhouetteNote";
import { imageCountText } from "../shared/imageCount";

type ClusterNode = { kind: "cluster"; id: string; file: string; layer: number; cluster: number };
type OutliersNode = { kind: "outliers"; id: string; file: string };

export type TreeNode =
  | { kind: "experiment"; id: string; file: string }
  | { kind: "layer"; id: string; file: string; layer: number }
  | ClusterNode
  | { kind: "image"; id: string; file: string; layer: number; cluster: number; image: number }
  | OutliersNode
  | { kind: "outlier"; id: string; file: string; image: number }
  /** The named selections saved beside the results (NAME.selections.json). */
  | { kind: "selections"; id: string; file: string }
  | { kind: "selection"; id: string; file: string; name: string }
  /** The last child of a cluster or the outliers listing only their first `listed` images: the rest. */
  | { kind: "more"; id: string; file: string; parent: ClusterNode | OutliersNode; listed: number };

/** No named selections: a results file without a selections file. */
export const NONE_SAVED: SavedSelections = { selections: [] };

/** How many images a cluster or the outliers list, in image order, before their "… and N more" item. */
export const IMAGE_CAP = 500;

/** How a node looks: the VS Code side maps this onto a TreeItem. */
export interface NodeLook {
  label: string;
  description?: string;
  tooltip: string;
  expandable: boolean;
  /** A codicon id, or the image whose thumbnail is the icon. */
  icon: { codicon: string } | { image: number };
}

export function experimentNode(file: string): TreeNode {
  return { kind: "experiment", id: file, file };
}

function layerNode(file: string, layer: number): TreeNode {
  return { kind: "layer", id: `${file}|layer:${layer}`, file, layer };
}

function clusterNode(file: string, layer: number, cluster: number): ClusterNode {
  return { kind: "cluster", id: `${file}|layer:${layer}|cluster:${cluster}`, file, layer, cluster };
}

function imageNode(file: string, layer: number, cluster: number, image: number): TreeNode {
  return { kind: "image", id: `${file}|layer:${layer}|cluster:${cluster}|image:${image}`, file, layer, cluster, image };
}

function outliersNode(file: string): OutliersNode {
  return { kind: "outliers", id: `${file}|outliers`, file };
}

function outlierNode(file: string, image: number): TreeNode {
  return { kind: "outlier", id: `${file}|outliers|image:${image}`, file, image };
}

function selectionsNode(file: string): TreeNode {
  return { kind: "selections", id: `${file}|selections`, file };
}

function selectionNode(file: string, name: string): TreeNode {
  return { kind: "selection", id: `${file}|selections|${name}`, file, name };
}

function moreNode(parent: ClusterNode | OutliersNode, listed: number): TreeNode {
  return { kind: "more", id: `${parent.id}|more`, file: parent.file, parent, listed };
}

/** What the nodes look up, made once per results: no item scans every image or outlier. */
interface TreeIndex {
  /** Per layer: cluster id -> the cluster. */
  clusters: Map<number, Cluster>[];
  /** Per layer: cluster id -> its images (injected ones included), ascending. */
  members: Map<number, number[]>[];
  /** Image -> its outlier record. */
  outliers: Map<number, Outlier>;
  /** The outliers' images, ascending. */
  outlierImages: number[];
  /** The outliers' images, highest score first. */
  outlierRanked: number[];
}

const indexes = new WeakMap<Results, TreeIndex>();

function indexOf(results: Results): TreeIndex {
  let index = indexes.get(results);
  if (!index) {
    const members = results.layers.map((layer) => {
      const byCluster = new Map<number, number[]>(layer.clusters.map((c) => [c.id, []]));
      for (let i = 0; i < layer.assignments.length; i++) {
        let images = byCluster.get(layer.assignments[i]);
        if (!images) byCluster.set(layer.assignments[i], (images = []));
        images.push(i);
      }
      return byCluster;
    });
    index = {
      clusters: results.layers.map((layer) => new Map(layer.clusters.map((c) => [c.id, c]))),
      members,
      outliers: new Map(results.findings.outliers.map((o) => [o.image, o])),
      outlierImages: results.findings.outliers.map((o) => o.image).sort((a, b) => a - b),
      outlierRanked: results.findings.outliers.map((o) => o.image),
    };
    indexes.set(results, index);
  }
  return index;
}

/** The images of a cluster of a layer (injected ones included), ascending. Shared: do not modify. */
export function clusterImages(results: Results, layer: number, cluster: number): readonly number[] {
  return indexOf(results).members[layer]?.get(cluster) ?? [];
}

/** The images a cluster or the outliers node stands for, ascending. Shared: do not modify. */
function imagesOf(node: ClusterNode | OutliersNode, results: Results): readonly number[] {
  return node.kind === "cluster" ? clusterImages(results, node.layer, node.cluster) : indexOf(results).outlierImages;
}

/** A node's first `cap` images, then a "more" node when there are more. */
function capped(parent: ClusterNode | OutliersNode, images: readonly number[], cap: number, item: (image: number) => TreeNode): TreeNode[] {
  const listed = images.slice(0, cap).map(item);
  return images.length > cap ? [...listed, moreNode(parent, cap)] : listed;
}

/**
 * A node's children; a cluster or the outliers list their first `cap` images, then a "more" node.
 * The named selections (`saved`) show under the results once there are some, or when their file
 * cannot be read (to say why).
 */
export function childrenOf(node: TreeNode, results: Results, saved = NONE_SAVED, cap = IMAGE_CAP): TreeNode[] {
  const { file } = node;
  switch (node.kind) {
    case "experiment":
      return [
        ...results.layers.map((_, i) => layerNode(file, i)),
        ...(results.findings.outliers.length > 0 ? [outliersNode(file)] : []),
        ...(saved.selections.length > 0 || saved.problem ? [selectionsNode(file)] : []),
      ];
    case "layer":
      return results.layers[node.layer].clusters.map((c) => clusterNode(file, node.layer, c.id));
    case "cluster":
      return capped(node, clusterImages(results, node.layer, node.cluster), cap, (i) => imageNode(file, node.layer, node.cluster, i));
    case "outliers":
      // Ranked, as the findings hold them: the first listed are the ones most worth a look.
      return capped(node, indexOf(results).outlierRanked, cap, (i) => outlierNode(file, i));
    case "selections":
      return saved.selections.map((s) => selectionNode(file, s.name));
    case "image":
    case "outlier":
    case "selection":
    case "more":
      return [];
  }
}

/** The parent, from the node alone: TreeView.reveal walks up with it. */
export function parentOf(node: TreeNode): TreeNode | undefined {
  const { file } = node;
  switch (node.kind) {
    case "experiment":
      return undefined;
    case "layer":
    case "outliers":
    case "selections":
      return experimentNode(file);
    case "cluster":
      return layerNode(file, node.layer);
    case "image":
      return clusterNode(file, node.layer, node.cluster);
    case "outlier":
      return outliersNode(file);
    case "selection":
      return selectionsNode(file);
    case "more":
      return node.parent;
  }
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** "96 x 1, 4 x 7" ("96 x one, 4 x seven" with class names): a cluster's digits, most frequent first. */
export function digitMix(digitCounts: Record<string, number>, results: Pick<Results, "classNames">): string {
  return Object.entries(digitCounts)
    .filter(([, n]) => n > 0)
    .sort(([da, a], [db, b]) => b - a || Number(da) - Number(db))
    .map(([d, n]) => `${n} x ${className(results, d)}`)
    .join(", ");
}

/** The predicted class's probability; imported predictions come without the model's probabilities. */
function confidenceText(results: Results, image: number): string {
  return results.confidence ? percent(results.confidence[image]) : "confidence not known";
}

/** "image 85 · 3 (injected)\nMNIST train #370\npredicted 3 (97.0%)": the row's name, where the image comes from, the model's answer. */
function imageSummary(results: Results, image: number): string {
  const predicted = `predicted ${className(results, results.predictions[image])} (${confidenceText(results, image)})`;
  return `${imageTitle(results, image)}\n${imageSource(results, image)}\n${predicted}`;
}

function meanSilhouette(results: Results, layer: number, images: readonly number[]): number | undefined {
  const values = images.map((i) => silhouetteOf(results.layers[layer], i)).filter((s): s is number => s !== null);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

export function lookOf(node: TreeNode, results: Results, saved = NONE_SAVED): NodeLook {
  switch (node.kind) {
    case "experiment": {
      const { accuracy } = results.findings;
      const acc = `train ${percent(accuracy.train)} · test ${accuracy.test === null ? "not measured" : percent(accuracy.test)}`;
      const intervals = results.findings.accuracyInterval;
      const classes = classNounPlural(results);
      const separation =
        results.findings.separationLayer === null
          ? `no layer separates the ${classes}`
          : `${classes} separate from layer ${results.findings.separationLayer}`;
      return {
        label: results.experiment.name,
        description: acc,
        tooltip: [
          results.experiment.description,
          `${results.images.count} images, ${classes} ${results.classes.map((d) => className(results, d)).join(", ")}`,
          `accuracy ${acc}`,
          intervals &&
            `95% intervals (${INTERVAL_METHODS.share}): train ${intervalText(intervals.train)}` +
              (intervals.test ? `, test ${intervalText(intervals.test)}` : ""),
          separation,
          results.findings.stability &&
            `separation layer over ${results.findings.stability.runs} bootstrap runs: ` +
              Object.entries(results.findings.stability.separationLayer)
                .map(([layer, n]) => `${layer === "none" ? "none" : layer} in ${n}`)
                .join(", "),
          `seed ${results.seed}, backend ${results.backend}`,
          results.imported && `signatures imported from ${results.imported.files.join(", ")} (no model ran)`,
          node.file,
        ]
          .filter(Boolean)
          .join("\n"),
        expandable: true,
        icon: { codicon: "beaker" },
      };
    }
    case "layer": {
      const l = results.layers[node.layer];
      const finding = results.findings.layers[node.layer];
      const test = finding.independence;
      const purity = results.classes
        .map(
          (d) =>
            `${className(results, d)} ${shareText(finding.purity[d], finding.purityInterval?.[d])} in cluster ${finding.dominantCluster[d]}`,
        )
        .join(", ");
      const stability = l.stability;
      return {
        label: `layer ${node.layer + 1}`,
        description: `k = ${l.k} · silhouette ${l.silhouette.toFixed(2)}`,
        tooltip: [
          `${l.name}: ${l.size} units, ${l.k} clusters (k chosen in ${l.kValues[0]}..${l.kValues[l.kValues.length - 1]}), ` +
            `mean silhouette ${l.silhouette.toFixed(3)}${silhouetteNote(l)}`,
          `purity (${INTERVAL_METHODS.share}): ${purity}`,
          test &&
            `labels x clusters: G = ${test.g.toFixed(1)}, ${test.degreesOfFreedom} degrees of freedom, ` +
              `${pValueText(test.pValue)} (${test.permutations} label permutations)`,
          stability &&
            `over ${stability.runs} bootstrap runs: ARI to this clustering ${stability.ari.mean.toFixed(2)} ± ${stability.ari.sd.toFixed(2)}, ` +
              `k chosen ${Object.entries(stability.kChosen)
                .map(([k, n]) => `${k} in ${n}`)
                .join(", ")}`,
        ]
          .filter(Boolean)
          .join("\n"),
        expandable: true,
        icon: { codicon: "layers" },
      };
    }
    case "cluster": {
      const c = indexOf(results).clusters[node.layer].get(node.cluster)!;
      const images = clusterImages(results, node.layer, node.cluster);
      const silhouette = meanSilhouette(results, node.layer, images);
      const injected = c.injectedCount > 0 ? ` + ${c.injectedCount} injected` : "";
      const silhouetteLine = silhouette === undefined ? "" : `\nmean silhouette ${silhouette.toFixed(3)}`;
      const unstable = c.stability !== undefined && c.stability < UNSTABLE_JACCARD;
      const stabilityLine =
        c.stability === undefined
          ? ""
          : `\n${unstable ? "unstable" : "stable"}: mean Jaccard ${c.stability.toFixed(2)} to its best match over the bootstrap runs ` +
            `(unstable under ${UNSTABLE_JACCARD})`;
      return {
        label: `cluster ${c.id} · ${digitMix(c.digitCounts, results)}`,
        description: `${c.size}${injected}${unstable ? " · unstable" : ""}`,
        tooltip:
          `Cluster ${c.id} of layer ${node.layer + 1}: ${c.size} kept images${injected}\n${digitMix(c.digitCounts, results)}` +
          `${silhouetteLine}${stabilityLine}`,
        expandable: images.length > 0,
        // An unstable cluster does not hold over resamples: its own icon, so the tree shows it without hovering.
        icon: { codicon: unstable ? "circle-large-outline" : "circle-filled" },
      };
    }
    case "image":
      return {
        label: imageTitle(results, node.image),
        description: `predicted ${className(results, results.predictions[node.image])} (${confidenceText(results, node.image)})`,
        tooltip: imageSummary(results, node.image),
        expandable: false,
        icon: { image: node.image },
      };
    case "outliers":
      return {
        label: "Outliers",
        description: String(results.findings.outliers.length),
        tooltip: `Kept images ranked by outlier score, highest first: ${outlierRule(results)}`,
        expandable: true,
        icon: { codicon: "warning" },
      };
    case "outlier": {
      const o = indexOf(results).outliers.get(node.image)!;
      const reasons = outlierReasonsText(results, o, results.predictions[o.image]);
      const description = `score ${scoreText(o.score)}${reasons ? ` · ${reasons}` : ""}`;
      return {
        label: imageTitle(results, o.image),
        description,
        tooltip: `${imageSummary(results, o.image)}\n${description}`,
        expandable: false,
        icon: { image: o.image },
      };
    }
    case "selections": {
      if (saved.problem)
        return {
          label: "Selections",
          description: "cannot be read",
          tooltip: saved.problem,
          expandable: false,
          icon: { codicon: "warning" },
        };
      return {
        label: "Selections",
        description: String(saved.selections.length),
        tooltip:
          "Selections saved under a name in the results view (Save selection…), kept beside the results\nClick one to select it there",
        expandable: true,
        icon: { codicon: "bookmark" },
      };
    }
    case "selection": {
      const named = saved.selections.find((s) => s.name === node.name);
      const count = imageCountText(named?.images.length ?? 0);
      return {
        label: node.name,
        description: `${count} · ${named?.label ?? "no longer saved"}`,
        tooltip: `"${node.name}": ${count}, saved from ${named?.label ?? "?"}\nClick to select them in the results view`,
        expandable: false,
        icon: { codicon: "bookmark" },
      };
    }
    case "more": {
      const all = imagesOf(node.parent, results).length;
      const rest = all - node.listed;
      const count = (n: number) => n.toLocaleString("en-US");
      const what =
        node.parent.kind === "cluster" ? `images in cluster ${node.parent.cluster} of layer ${node.parent.layer + 1}` : "outliers";
      const click =
        node.parent.kind === "cluster"
          ? "the whole cluster in the results view, as clicking the cluster does"
          : "every outlier in the results view, as clicking Outliers does";
      return {
        label: `… and ${count(rest)} more`,
        tooltip: `${count(all)} ${what}: the first ${count(node.listed)} are listed, ${count(rest)} more are not\nClick to select ${click}`,
        expandable: false,
        icon: { codicon: "ellipsis" },
      };
    }
  }
}

/** The images a node stands for, to select in the results view; undefined for a layer. */
export function selectionOf(node: TreeNode, results: Results, saved = NONE_SAVED): Selection | undefined {
  switch (node.kind) {
    case "experiment":
    case "layer":
    case "selections":
      return undefined;
    case "selection": {
      const named = saved.selections.find((s) => s.name === node.name);
      return named && { images: [...named.images], label: named.name };
    }
    case "cluster":
      return { images: [...clusterImages(results, node.layer, node.cluster)], label: `cluster ${node.cluster} of layer ${node.layer + 1}` };
    case "image":
    case "outlier":
      return {
        images: [node.image],
        label: imageTitle(results, node.image),
      };
    case "outliers":
      return { images: [...indexOf(results).outlierImages], label: "outliers" };
    case "more":
      return selectionOf(node.parent, results, saved);
  }
}

const sameImages = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Where `x` is in the ascending `xs`, or -1. */
function positionOf(xs: readonly number[], x: number): number {
  let [lo, hi] = [0, xs.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return xs[lo] === x ? lo : -1;
}

/**
 * The node to reveal for a selection made in the results view: the cluster holding exactly those
 * images (first layer first), the outliers, a named selection of those images, or the image itself
 * (under its layer-1 cluster; its cluster's "more" item when the image is beyond the `cap` listed,
 * as childrenOf lists them). Undefined for any other set of images: the tree has no node for it.
 */
export function nodeForSelection(
  file: string,
  results: Results,
  selection: Selection,
  saved = NONE_SAVED,
  cap = IMAGE_CAP,
): TreeNode | undefined {
  const images = [...selection.images].sort((a, b) => a - b);
  if (images.length === 1 && results.layers.length > 0) {
    const [image] = images;
    const cluster = results.layers[0].assignments[image];
    if (cluster === undefined) return undefined;
    const position = positionOf(clusterImages(results, 0, cluster), image);
    return position < cap ? imageNode(file, 0, cluster, image) : moreNode(clusterNode(file, 0, cluster), cap);
  }
  for (const [l, layer] of results.layers.entries()) {
    for (const c of layer.clusters) if (sameImages(clusterImages(results, l, c.id), images)) return clusterNode(file, l, c.id);
  }
  if (images.length === 0) return undefined;
  if (sameImages(indexOf(results).outlierImages, images)) return outliersNode(file);
  const named = saved.selections.find((s) => sameImages(s.images, images));
  return named && selectionNode(file, named.name);
}
