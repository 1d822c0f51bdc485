// Measures the sidebar tree on all 70,000 MNIST digits (examples/all-of-mnist.mtq.json; the results
// are made once and cached under .tmp/bench/): what the extension host does when a user expands the
// largest cluster and the outliers node (childrenOf, then each child's look and its PNG thumbnail, as
// tree.ts's getTreeItem makes them), and what revealing a selection made in the results view costs.
// Prints figures; not a test. `npm run bench:tree -- FILE` measures another results file.
import { statSync } from "node:fs";
import { readResultsFile, type LoadedResults } from "../src/results/read";
import { imagePng, imagePixels, pngDataUri } from "../src/host/thumbnail";
import { childrenOf, experimentNode, lookOf, nodeForSelection, selectionOf, type TreeNode } from "../src/host/treeModel";
import { allOfMnistResults } from "./allOfMnistResults";

const RUNS = 5;

interface Expansion {
  /** ms of childrenOf. */
  children: number;
  /** ms of every child's look (label, description, tooltip). */
  looks: number;
  /** ms of the children's PNG data-URI thumbnails. */
  thumbnails: number;
  items: number;
  /** Characters of the thumbnails' data URIs: what the host sends VS Code for the icons. */
  iconChars: number;
}

/** What expanding `node` costs the host: its children and each child's tree item. */
/** The results with every image's pixels, as the tree's icons read them. */
type Loaded = Pick<LoadedResults, "results"> & { pixels: Uint8Array };

function expand(node: TreeNode, { results, pixels }: Loaded): Expansion {
  const { rows, cols } = results.images;
  const t0 = performance.now();
  const children = childrenOf(node, results);
  const t1 = performance.now();
  const looks = children.map((c) => lookOf(c, results));
  // tree.ts also asks each child whether it selects anything (the item's click command).
  children.forEach((c) => selectionOf(c, results));
  const t2 = performance.now();
  let iconChars = 0;
  for (const look of looks)
    if ("image" in look.icon) iconChars += pngDataUri(imagePng(imagePixels(pixels, look.icon.image, rows, cols), rows, cols)).length;
  const t3 = performance.now();
  return { children: t1 - t0, looks: t2 - t1, thumbnails: t3 - t2, items: children.length, iconChars };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => (x < 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(0)} ms`);
const total = (e: Expansion) => e.children + e.looks + e.thumbnails;

function report(name: string, node: TreeNode, loaded: Loaded): void {
  const runs = Array.from({ length: RUNS }, () => expand(node, loaded));
  const [first, rest] = [runs[0], runs.slice(1)];
  const m = (f: (e: Expansion) => number) => ms(median(rest.map(f)));
  process.stdout.write(
    `${name}: ${first.items} items, ${(first.iconChars / 2 ** 20).toFixed(1)} MB of thumbnail data URIs\n` +
      `  first expand ${ms(total(first))} (childrenOf ${ms(first.children)}, looks ${ms(first.looks)}, thumbnails ${ms(first.thumbnails)})\n` +
      `  again (median of ${RUNS - 1}) ${m(total)} (childrenOf ${m((e) => e.children)}, looks ${m((e) => e.looks)}, thumbnails ${m((e) => e.thumbnails)})\n`,
  );
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

async function main(): Promise<void> {
  const file = allOfMnistResults();
  const t0 = performance.now();
  const read = await readResultsFile(file);
  const loaded: Loaded = { results: read.results, pixels: await read.allPixels() };
  const { results } = loaded;
  process.stdout.write(
    `${results.images.count} images, results file ${(statSync(file).size / 2 ** 20).toFixed(0)} MB read and parsed in ${ms(performance.now() - t0)}\n`,
  );

  const rootNode = experimentNode(file);
  const top = childrenOf(rootNode, results);
  // The first look at a cluster: what is indexed once per loaded results is made here.
  const [, firstLook] = timed(() => lookOf(childrenOf(top[0], results)[0], results));
  process.stdout.write(`first cluster look (builds the tree's index of these results, if any): ${ms(firstLook)}\n`);
  // The largest cluster of any layer, kept and injected images alike.
  let largest: { node: TreeNode; size: number } | undefined;
  for (const layer of top.filter((n) => n.kind === "layer")) {
    for (const cluster of childrenOf(layer, results)) {
      const size = selectionOf(cluster, results)!.images.length;
      if (!largest || size > largest.size) largest = { node: cluster, size };
    }
  }
  const cluster = largest!.node;
  report(
    `largest cluster (${lookOf(cluster, results).label.replace(/ · .*/, "")} of layer ${cluster.kind === "cluster" ? cluster.layer + 1 : "?"}, ${largest!.size} images)`,
    cluster,
    loaded,
  );
  const outliers = top.find((n) => n.kind === "outliers");
  if (outliers) report(`outliers (${results.findings.outliers.length})`, outliers, loaded);

  // Revealing a selection made in the view: the cluster's last image (beyond any cap), then the whole cluster.
  const images = selectionOf(cluster, results)!.images;
  const last = images[images.length - 1];
  const [lastNode, lastMs] = timed(() => nodeForSelection(file, results, { images: [last], label: "hover" }));
  const [wholeNode, wholeMs] = timed(() => nodeForSelection(file, results, { images: [...images], label: "cluster" }));
  process.stdout.write(
    `reveal: image ${last} -> ${lastNode?.kind ?? "nothing"} in ${ms(lastMs)}; the whole cluster -> ${wholeNode?.kind ?? "nothing"} in ${ms(wholeMs)}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-tree: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
