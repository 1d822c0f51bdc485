// `npm run bench:map-figures`: what the run's newer per-layer figures cost (src/pipeline/layer.ts),
// on the built-in model's real signatures of 10,000 and 70,000 digits (scripts/mnistSignatures.ts):
// the PCA map (pca.ts), each map's neighbours kept (mapNeighbours.ts: the grid's k nearest on the
// map and the count against the layer's) for the UMAP and the PCA map, and the stored neighbours.
// CPU time of this thread (process.cpuUsage), with the load average: on a shared machine the
// steadier figure. The layer's neighbours come from the partitioned search at both sizes (the run
// uses the exact pass up to 10,000: the same k per image, so the same work for these steps).
import { loadavg } from "node:os";
import { randomFor } from "../src/data/random";
import { layerNeighboursOf, neighboursKept } from "../src/pipeline/mapNeighbours";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { pcaMap } from "../src/pipeline/pca";
import { loadTf } from "../src/pipeline/tf";
import { umapLayout } from "../src/pipeline/umap";
import { commandLine, wholeNumber } from "./args";
import { mnistSignatures } from "./mnistSignatures";

const K = 15;
const USAGE = "npm run bench:map-figures -- [IMAGES...]";
const { positionals } = commandLine({ options: {}, allowPositionals: true }, USAGE);
// More images than neighbours asked of each.
const SIZES = positionals.length > 0 ? positionals.map((p) => wholeNumber("IMAGES", p, 0, K + 1, USAGE)) : [10_000, 70_000];

/** `work`'s result and the CPU milliseconds it took. */
function cpu<T>(work: () => T): [T, number] {
  const start = process.cpuUsage();
  const out = work();
  const used = process.cpuUsage(start);
  return [out, (used.user + used.system) / 1000];
}

const load = () => loadavg()[0].toFixed(1);

async function main() {
  const { tf } = await loadTf();
  console.log("| images | layer | PCA map | UMAP kept | PCA kept | neighbours stored | total | UMAP kept, PCA kept | load |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---|---|");
  for (const images of SIZES) {
    const { hidden, sizes: dims } = await mnistSignatures(images);
    for (const [l, points] of hidden.entries()) {
      const dim = dims[l];
      const near = await partitionedNeighbours(tf, points, dim, K, randomFor(24, "partitions"));
      const layout = await umapLayout(near, { minDist: 0.1, seed: 24 });
      for (let e = 0; e < layout.epochs; e++) layout.step(e);
      const umap = layout.embedding();
      const [pca, pcaMs] = cpu(() => pcaMap(points, dim, images));
      const [umapKept, umapMs] = cpu(() => neighboursKept(near, umap, K - 1));
      const [pcaKept, pcaKeptMs] = cpu(() => neighboursKept(near, pca.map, K - 1));
      const [, storedMs] = cpu(() => {
        for (let i = 0; i < images; i++) layerNeighboursOf(near, i, K - 1);
      });
      const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
      console.log(
        `| ${images} | ${l + 1} (${dim}) | ${ms(pcaMs)} | ${ms(umapMs)} | ${ms(pcaKeptMs)} | ${ms(storedMs)} | ` +
          `${ms(pcaMs + umapMs + pcaKeptMs + storedMs)} | ` +
          `${(100 * umapKept.share).toFixed(1)}%, ${(100 * pcaKept.share).toFixed(1)}% | ${load()} |`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
