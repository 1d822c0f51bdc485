// Measures the sidebar tree on all 70,000 MNIST digits (examples/all-of-mnist.mtq.json; the results
// are made once and cached under .tmp/bench/): what the extension host does when a user expands the
// largest cluster and the outliers node (childrenOf, then each child's look and its PNG thumbnail, as
// tree.ts's getTreeItem makes them: the pixels read from the .bin, every row's together through
// PixelBatches; beside it, the pixels read row by row as tree.ts did before), and what revealing a
// selection made in the results view costs. Prints figures; not a test.
// `npm run bench:tree -- FILE` measures another results file.
import { statSync } from "node:fs";
import { loadavg } from "node:os";
import { PixelBatches } from "../src/host/pixelBatches";
import { imagePng, pngDataUri } from "../src/host/thumbnail";
import { childrenOf, experimentNode, lookOf, nodeForSelection, selectionOf, type TreeNode } from "../src/host/treeModel";
import { readResultsFile, type LoadedResults } from "../src/results/read";
import { allOfMnistResults } from "./allOfMnistResults";
import { commandLine, usageError } from "./args";
import { median } from "./median";

const USAGE = "npm run bench:tree -- [FILE.results.json]";
const { positionals } = commandLine({ options: {}, allowPositionals: true }, USAGE);
if (positionals.length > 1) usageError(`one results file at most, not ${positionals.length}`, USAGE);

const RUNS = 5;

interface Expansion {
  /** ms of childrenOf. */
  children: number;
  /** ms of every child's look (label, description, tooltip). */
  looks: number;
  /** ms of the children's PNG data-URI thumbnails, their pixels read through PixelBatches as tree.ts does. */
  thumbnails: number;
  /** ms of the same thumbnails with each row's pixels read on its own (one pixelsOf per row). */
  perRow: number;
  items: number;
  /** Characters of the thumbnails' data URIs: what the host sends VS Code for the icons. */
  iconChars: number;
}

/** The thumbnails' data URIs of `images`, each image's pixels from `read`, asked all at once as VS Code asks a node's items. */
async function thumbnails(loaded: LoadedResults, images: number[], read: (image: number) => Promise<Uint8Array>): Promise<string[]> {
  const { rows, cols, channels = 1 } = loaded.results.images;
  return Promise.all(images.map(async (i) => pngDataUri(imagePng(await read(i), rows, cols, channels))));
}

/** What expanding `node` costs the host: its children and each child's tree item. */
async function expand(node: TreeNode, loaded: LoadedResults): Promise<Expansion> {
  const { results } = loaded;
  const t0 = performance.now();
  const children = childrenOf(node, results);
  const t1 = performance.now();
  const looks = children.map((c) => lookOf(c, results));
  // tree.ts also asks each child whether it selects anything (the item's click command).
  children.forEach((c) => selectionOf(c, results));
  const t2 = performance.now();
  const images = looks.flatMap((look) => ("image" in look.icon ? [look.icon.image] : []));
  const batches = new PixelBatches();
  const uris = await thumbnails(loaded, images, (i) => batches.pixelsOf(loaded, i));
  const t3 = performance.now();
  await thumbnails(loaded, images, (i) => loaded.pixelsOf([i]));
  const t4 = performance.now();
  const iconChars = uris.reduce((sum, u) => sum + u.length, 0);
  return { children: t1 - t0, looks: t2 - t1, thumbnails: t3 - t2, perRow: t4 - t3, items: children.length, iconChars };
}

const ms = (x: number) => (x < 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(0)} ms`);
const total = (e: Expansion) => e.children + e.looks + e.thumbnails;

async function report(name: string, node: TreeNode, loaded: LoadedResults): Promise<void> {
  const runs: Expansion[] = [];
  for (let run = 0; run < RUNS; run++) runs.push(await expand(node, loaded));
  const [first, rest] = [runs[0], runs.slice(1)];
  const m = (f: (e: Expansion) => number) => ms(median(rest.map(f)));
  process.stdout.write(
    `${name}: ${first.items} items, ${(first.iconChars / 2 ** 20).toFixed(1)} MB of thumbnail data URIs\n` +
      `  first expand ${ms(total(first))} (childrenOf ${ms(first.children)}, looks ${ms(first.looks)}, thumbnails ${ms(first.thumbnails)})\n` +
      `  again (median of ${RUNS - 1}) ${m(total)} (childrenOf ${m((e) => e.children)}, looks ${m((e) => e.looks)}, thumbnails ${m((e) => e.thumbnails)}; ` +
      `read row by row ${m((e) => e.perRow)}), load average ${loadavg()[0].toFixed(1)}\n`,
  );
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}

async function main(): Promise<void> {
  const file = allOfMnistResults(positionals[0]);
  const t0 = performance.now();
  const loaded = await readResultsFile(file);
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
  await report(
    `largest cluster (${lookOf(cluster, results).label.replace(/ · .*/, "")} of layer ${cluster.kind === "cluster" ? cluster.layer + 1 : "?"}, ${largest!.size} images)`,
    cluster,
    loaded,
  );
  const outliers = top.find((n) => n.kind === "outliers");
  if (outliers) await report(`outliers (${results.findings.outliers.length})`, outliers, loaded);

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
