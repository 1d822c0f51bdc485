// `npm run bench:umap`: the UMAP maps of real MNIST digits, by umap-js and by src/pipeline/umap.ts
// from the same exact neighbours and seed: time of each, and how many of each point's 15 nearest
// neighbours in the original space are among its 15 nearest on the map (higher is better).
// `-- neighbours [IMAGES]`: on the built-in model's signatures of IMAGES digits (default 70,000),
// the partitioned search (src/pipeline/partitionedNeighbours.ts) against umap-js's nearest-neighbour
// descent (random-projection trees, then NN-descent): time, and the share of each point's 15 exact
// neighbours found, on a seeded sample of 1,000 points.
// `-- layout [IMAGES]`: the layout from the partitioned search's neighbours, at defaultEpochs and at
// 200 (umap-js's count above 7,500, which the layout ran before): time and neighbours kept on the map.
// `-- loop [IMAGES]`: on the built-in model's signatures of IMAGES digits (default 10,000), exact
// neighbours (the partitioned search's above EXACT_LIMIT), the layout (its epochs in
// umapKernel.wat) against the same loop in JavaScript that it replaced: CPU time of each
// (process.cpuUsage, the variants alternating, so load hits each alike), the neighbours kept on the
// map, and whether the maps are the same, bit for bit.
// `-- million`: both steps on `npm run million`'s 1,000,000 signatures (.cache/million), one layer
// after the other, with the process's peak memory.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { MILLION_DIR } from "./million";
import { UMAP } from "umap-js";
import { loadImages, splitFiles } from "../src/data/source";
import { scaledPixels } from "../src/pipeline/preprocess";
import { distancePass, type Neighbours } from "../src/pipeline/distances";
import { fastRandomFor } from "../src/data/random";
import { loadTf } from "../src/pipeline/tf";
import { defaultEpochs, fuzzyGraph, umapLayout } from "../src/pipeline/umap";
import { power } from "../src/pipeline/power";
import { EXACT_LIMIT } from "../src/shared/figures";
import { findABParams } from "umap-js/dist/umap";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { parseNpyHeader } from "../src/data/npy";
import { randomFor } from "../src/data/random";
import { mnistSignatures } from "./mnistSignatures";
import { exactNeighboursOf, neighboursFound, neighboursKept, samplePoints } from "./mapQuality";
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

async function againstUmapJs() {
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
    const layout = await umapLayout(nn, { minDist: 0.1, seed: 24 });
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

/** A clock started now: what it reads is the wall time since and, in brackets, the process's CPU time (the machine may be shared). */
function clock(): () => string {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return `${((performance.now() - wall) / 1000).toFixed(1)} s (${((used.user + used.system) / 1e6).toFixed(1)})`;
  };
}
const loadAverage = () => `load average ${loadavg()[0].toFixed(1)}`;
const percent = (share: number) => `${(100 * share).toFixed(1)}%`;
const SAMPLE = 1000;

/** The partitioned search as the pipeline runs it (seed 24), and its time. */
async function searched(points: Float32Array, dim: number): Promise<{ neighbours: Neighbours; time: string }> {
  const { tf } = await loadTf();
  const time = clock();
  const neighbours = await partitionedNeighbours(tf, points, dim, K, randomFor(24, "partitions"));
  return { neighbours, time: time() };
}

/** The map from `neighbours` at `epochs` (default: defaultEpochs), and its time. */
async function mapped(neighbours: Neighbours, epochs?: number): Promise<{ map: Float32Array; time: string; epochs: number }> {
  const time = clock();
  const layout = await umapLayout(neighbours, { minDist: 0.1, seed: 24, epochs });
  for (let e = 0; e < layout.epochs; e++) layout.step(e);
  return { map: layout.embedding(), time: time(), epochs: layout.epochs };
}

async function neighbourSearches(images: number) {
  const { hidden, sizes } = await mnistSignatures(images);
  console.log(`${images} digits, ${SAMPLE} sampled points' 15 exact neighbours; times wall (CPU); ${loadAverage()}:`);
  console.log("| layer | partitioned: time | found | umap-js NN-descent: time | found | load |");
  console.log("|---|---:|---:|---:|---:|---|");
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const sample = samplePoints(images, SAMPLE);
    const exact = exactNeighboursOf(points, dim, sample, K);
    const ours = await searched(points, dim);
    // umap-js takes nested arrays: built before its clock starts, as its caller's data would be.
    const rows = Array.from({ length: images }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
    const time = clock();
    // Its neighbour search alone is a private method of the UMAP class; fit would go on to the layout.
    const umapJs = new UMAP({ nNeighbors: K, random: fastRandomFor(24, "umap") }) as unknown as {
      nearestNeighbors(x: number[][]): { knnIndices: number[][]; knnDistances: number[][] };
    };
    const { knnIndices, knnDistances } = umapJs.nearestNeighbors(rows);
    const theirTime = time();
    const theirs = { indices: knnIndices, distances: knnDistances };
    console.log(
      tableRow([
        `${l + 1} (${dim})`,
        ours.time,
        percent(neighboursFound(ours.neighbours, sample, exact)),
        theirTime,
        percent(neighboursFound(theirs, sample, exact)),
        loadAverage(),
      ]),
    );
  }
}

async function layouts(images: number) {
  const { hidden, sizes } = await mnistSignatures(images);
  console.log(
    `${images} digits, neighbours from the partitioned search; kept: ${SAMPLE} sampled points' 15 exact neighbours among their 15 nearest ` +
      `on the map; times wall (CPU); ${loadAverage()}:`,
  );
  console.log("| layer | epochs | layout | kept | epochs | layout | kept | load |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const sample = samplePoints(images, SAMPLE);
    const exact = exactNeighboursOf(points, dim, sample, K);
    const { neighbours } = await searched(points, dim);
    const now = await mapped(neighbours);
    const before = await mapped(neighbours, 200);
    const kept = (map: Float32Array) => percent(neighboursKept(map, sample, exact));
    console.log(
      tableRow([`${l + 1} (${dim})`, now.epochs, now.time, kept(now.map), before.epochs, before.time, kept(before.map), loadAverage()]),
    );
  }
}

/**
 * src/pipeline/umap.ts's layout before umapKernel.wat: the same loop in JavaScript, power() for
 * d^b and seedrandom's Alea called per draw. Up to EXACT_LIMIT points the kernel does the same
 * operations in the same order, so the maps are the same, bit for bit; above, it approximates (umapLayout).
 */
function javascriptLayout(neighbours: Neighbours, epochs: number, seed: number): Float32Array {
  const n = neighbours.indices.length;
  const graph = fuzzyGraph(neighbours);
  const maxWeight = graph.weights.reduce((m, w) => Math.max(m, w), 0);
  const kept = Int32Array.from(graph.weights.keys()).filter((e) => graph.weights[e] >= maxWeight / epochs && graph.weights[e] > 0);
  const head = kept.map((e) => graph.head[e]);
  const tail = kept.map((e) => graph.tail[e]);
  const perSample = Float64Array.from(kept, (e) => maxWeight / graph.weights[e]);
  const nextSample = Float64Array.from(perSample);
  const perNegative = Float64Array.from(perSample, (p) => p / 5);
  const nextNegative = Float64Array.from(perNegative);
  const random = fastRandomFor(seed, "umap");
  const emb = Float64Array.from({ length: n * 2 }, () => random() * 20 - 10);
  const { a, b } = findABParams(1.0, 0.1);
  const clip = (x: number) => (x > 4 ? 4 : x < -4 ? -4 : x);
  let alpha = 1.0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let e = 0; e < head.length; e++) {
      if (nextSample[e] > epoch) continue;
      const j = head[e] * 2;
      const k = tail[e] * 2;
      const dx = emb[j] - emb[k];
      const dy = emb[j + 1] - emb[k + 1];
      const d2 = dx * dx + dy * dy;
      let attract = 0;
      if (d2 > 0) {
        const d2b = power(d2, b);
        attract = (-2 * a * b * (d2b / d2)) / (a * d2b + 1);
      }
      const gx = clip(attract * dx) * alpha;
      const gy = clip(attract * dy) * alpha;
      emb[j] += gx;
      emb[j + 1] += gy;
      emb[k] -= gx;
      emb[k + 1] -= gy;
      nextSample[e] += perSample[e];
      const negatives = Math.floor((epoch - nextNegative[e]) / perNegative[e]);
      for (let p = 0; p < negatives; p++) {
        const o = Math.floor(random() * n) * 2;
        const ox = emb[j] - emb[o];
        const oy = emb[j + 1] - emb[o + 1];
        const o2 = ox * ox + oy * oy;
        if (o2 > 0) {
          const repulse = (2 * b) / ((0.001 + o2) * (a * power(o2, b) + 1));
          emb[j] += clip(repulse * ox) * alpha;
          emb[j + 1] += clip(repulse * oy) * alpha;
        } else if (j !== o) {
          emb[j] += 4 * alpha;
          emb[j + 1] += 4 * alpha;
        }
      }
      nextNegative[e] += negatives * perNegative[e];
    }
    alpha = 1.0 - epoch / epochs;
  }
  return Float32Array.from(emb);
}

const ROUNDS = 3;

/** CPU seconds of each variant's map, `ROUNDS` rounds alternating in this process, the maps and the load averages. */
async function alternating(variants: [string, () => Promise<Float32Array>][]) {
  const cpu = new Map<string, number[]>();
  const maps = new Map<string, Float32Array>();
  const load = () => loadavg()[0].toFixed(1);
  const loads: string[] = [load()];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of variants) {
      const start = process.cpuUsage();
      maps.set(name, await run());
      const used = process.cpuUsage(start);
      cpu.set(name, [...(cpu.get(name) ?? []), (used.user + used.system) / 1e6]);
    }
    loads.push(load());
  }
  const times = (name: string) =>
    cpu
      .get(name)!
      .map((t) => t.toFixed(1))
      .join(", ") + " s";
  return { times, maps, loads: loads.join(" to ") };
}

async function loops(images: number) {
  const { tf } = await loadTf();
  const { hidden, sizes } = await mnistSignatures(images);
  console.log(
    `${images} digits, ${images > EXACT_LIMIT ? "partitioned search's" : "exact"} neighbours, seed 24; CPU seconds per map ` +
      `(${ROUNDS} rounds, alternating); kept: ${SAMPLE} sampled points' 15 exact neighbours among their 15 nearest on the map:`,
  );
  console.log("| layer | epochs | layout (umapKernel.wat) | kept | the same loop in JavaScript | kept | same bits | load average |");
  console.log("|---|---:|---:|---:|---:|---:|---|---|");
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const sample = samplePoints(images, SAMPLE);
    const exact = exactNeighboursOf(points, dim, sample, K);
    const neighbours =
      images > EXACT_LIMIT
        ? (await searched(points, dim)).neighbours
        : (await distancePass(tf, { points, dim, clustered: 0, clusterings: [], neighbours: K })).neighbours;
    const epochs = defaultEpochs(images);
    const { times, maps, loads } = await alternating([
      ["kernel", async () => (await mapped(neighbours)).map],
      ["javascript", () => Promise.resolve(javascriptLayout(neighbours, epochs, 24))],
    ]);
    const kept = (name: string) => percent(neighboursKept(maps.get(name)!, sample, exact));
    const same = Buffer.from(maps.get("kernel")!.buffer).equals(Buffer.from(maps.get("javascript")!.buffer));
    console.log(
      tableRow([
        `${l + 1} (${dim})`,
        epochs,
        times("kernel"),
        kept("kernel"),
        times("javascript"),
        kept("javascript"),
        same ? "yes" : "no",
        loads,
      ]),
    );
  }
}

/** A float32 .npy of `npm run million`, whole. */
function npyFloats(file: string): { values: Float32Array; dim: number } {
  const bytes = readFileSync(file);
  const { shape, dataOffset } = parseNpyHeader(bytes, file);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataOffset, bytes.byteOffset + bytes.byteLength));
  return { values, dim: shape[1] };
}

async function million() {
  const folder = MILLION_DIR;
  console.log(`${folder}: both steps per layer, one layer after the other; kept and found on ${SAMPLE} sampled points:`);
  console.log("| layer | neighbour search | found | epochs | layout | kept | peak memory |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const name of ["h1", "h2"]) {
    const { values, dim } = npyFloats(join(folder, `${name}.npy`));
    const n = values.length / dim;
    const sample = samplePoints(n, SAMPLE);
    const exact = exactNeighboursOf(values, dim, sample, K);
    const { neighbours, time } = await searched(values, dim);
    const found = percent(neighboursFound(neighbours, sample, exact));
    const { map, time: layoutTime, epochs } = await mapped(neighbours);
    const peak = `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`;
    console.log(tableRow([`${name} (${dim})`, time, found, epochs, layoutTime, percent(neighboursKept(map, sample, exact)), peak]));
  }
}

const [mode, size] = process.argv.slice(2);
const images = Number(size ?? 70_000);
void (mode === "loop"
  ? loops(Number(size ?? 10_000))
  : mode === "neighbours"
    ? neighbourSearches(images)
    : mode === "layout"
      ? layouts(images)
      : mode === "million"
        ? million()
        : againstUmapJs());
