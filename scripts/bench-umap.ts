// `npm run bench:umap`: the UMAP maps of real MNIST digits, by umap-js and by src/pipeline/umap.ts
// from the same exact neighbours and seed: time of each, and how many of each point's 15 nearest
// neighbours in the original space are among its 15 nearest on the map (higher is better).
import { UMAP } from "umap-js";
import { loadImages, splitFiles } from "../src/data/source";
import { scaledPixels } from "../src/pipeline/preprocess";
import { distancePass, type Neighbours } from "../src/pipeline/distances";
import { fastRandomFor } from "../src/data/random";
import { loadTf } from "../src/pipeline/tf";
import { umapLayout } from "../src/pipeline/umap";
import { tableRow } from "./table";

const K = 15;

/** Mean share of each point's K original-space neighbours that stay among its K nearest on the map. */
function neighbourhoodKept(map: Float32Array, neighbours: Neighbours): number {
  const n = map.length / 2;
  let total = 0;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) d[j] = (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
    const nearest = new Set(
      Array.from(d.keys())
        .sort((x, y) => d[x] - d[y])
        .slice(0, K + 1),
    );
    total += neighbours.indices[i].slice(1, K + 1).filter((j) => nearest.has(j)).length / K;
  }
  return total / n;
}

async function main() {
  const { tf } = await loadTf();
  const train = loadImages(splitFiles("mnist", "train", ".")!);
  console.log("| images | umap-js | ours | umap-js / ours | neighbours kept: umap-js | ours |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const n of [2000, 10000]) {
    const points = scaledPixels(train.pixels.subarray(0, n * 784), 255);
    const { neighbours } = await distancePass(tf, { points, dim: 784, clustered: 0, clusterings: [], neighbours: K });
    const nn = neighbours;

    // umap-js takes the points as nested arrays: built before its clock starts, as its caller's data would be.
    const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * 784, (i + 1) * 784)));
    let start = performance.now();
    const theirs = new UMAP({ nComponents: 2, nNeighbors: K, minDist: 0.1, random: fastRandomFor(24, "umap") });
    theirs.setPrecomputedKNN(nn.indices, nn.distances);
    const epochs = theirs.initializeFit(rows);
    for (let e = 0; e < epochs; e++) theirs.step();
    const theirMap = Float32Array.from(theirs.getEmbedding().flat());
    const theirTime = (performance.now() - start) / 1000;

    start = performance.now();
    const layout = umapLayout(nn, { minDist: 0.1, seed: 24 });
    for (let e = 0; e < layout.epochs; e++) layout.step(e);
    const ourMap = layout.embedding();
    const ourTime = (performance.now() - start) / 1000;

    const kept = (m: Float32Array) => (100 * neighbourhoodKept(m, nn)).toFixed(1);
    const ratio = (theirTime / ourTime).toFixed(2);
    console.log(
      tableRow([n, `${theirTime.toFixed(1)} s`, `${ourTime.toFixed(1)} s`, `${ratio}x`, `${kept(theirMap)}%`, `${kept(ourMap)}%`]),
    );
  }
}

void main();
