// UMAP from exact nearest neighbours, over flat typed arrays: the fuzzy simplicial set
// (smooth k-NN distances, membership strengths, fuzzy union) and the layout's stochastic gradient
// epochs, following umap-js 1.4 step for step (same constants, same random initialisation, same
// sampling schedule), with power()'s arithmetic (in umapKernel.wat) for its Math.pow (above EXACT_LIMIT points, two approximations
// that cut its time: umapLayout). umap-js builds its graph with string-keyed
// sparse matrices and keeps the layout in arrays of arrays; here both are typed arrays, which
// `npm run bench:umap` measures against umap-js on the same neighbours (time, and how many of each
// point's neighbours stay neighbours on the map).
// Not re-exported by the package index; its a, b curve fit is the library's to keep.
import { findABParams } from "umap-js/dist/umap";
import type { Neighbours } from "./distances";
import { fastRandomFor } from "../data/random";
import { EXACT_LIMIT } from "../shared/figures";
import { fixedPowerTables, powerTables } from "./power";
import { wasmMemory, wasmModule } from "./wasmModule";

export interface UmapOptions {
  minDist: number;
  /** Optimisation epochs; default by size (defaultEpochs). */
  epochs?: number;
  /** The random initial layout and the negative samples draw from fastRandomFor(seed, "umap")'s stream. */
  seed: number;
}

/** The graph's edges: both directions of every pair, with their fuzzy-union weights. */
export interface FuzzyGraph {
  head: Int32Array;
  tail: Int32Array;
  weights: Float64Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** Per point: rho (distance to its nearest other point) and sigma (so its k memberships sum to log2 k). */
function smoothKnnDistances({ distances }: Neighbours): { rho: Float64Array; sigma: Float64Array } {
  const n = distances.length;
  const k = distances[0].length;
  const target = Math.log2(k);
  const rho = new Float64Array(n);
  const sigma = new Float64Array(n);
  let meanOfAll = 0;
  for (const row of distances) meanOfAll += row.reduce((s, d) => s + d, 0) / k / n;
  for (let i = 0; i < n; i++) {
    const row = distances[i];
    const firstPositive = row.find((d) => d > 0);
    rho[i] = firstPositive ?? 0;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let iteration = 0; iteration < 64; iteration++) {
      let sum = 0;
      for (let j = 1; j < k; j++) {
        const d = row[j] - rho[i];
        sum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(sum - target) < SMOOTH_K_TOLERANCE) break;
      if (sum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (rho[i] > 0 ? row.reduce((s, d) => s + d, 0) / k : meanOfAll);
    sigma[i] = Math.max(mid, floor);
  }
  return { rho, sigma };
}

/**
 * The fuzzy union P + P' - P.P' of the directed membership strengths, edges sorted by (head, tail).
 * Typed arrays throughout: a Map keyed by edge held the same (umap-js's way) but cannot hold the
 * 28 million edges of a million points (V8 caps a Map at 2^24 entries).
 */
export function fuzzyGraph(neighbours: Neighbours): FuzzyGraph {
  const { indices, distances } = neighbours;
  const n = indices.length;
  const { rho, sigma } = smoothKnnDistances(neighbours);
  // Every directed strength p(i -> j) is entered twice: as edge (i, j)'s forward strength and as
  // edge (j, i)'s backward one; a counting sort by tail, then a stable one by head, orders them.
  let m = 0;
  for (const row of indices) m += row.length;
  const from = new Int32Array(2 * m);
  const to = new Int32Array(2 * m);
  const strength = new Float64Array(2 * m);
  const forward = new Uint8Array(2 * m);
  let entries = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < indices[i].length; j++) {
      const other = indices[i][j];
      if (other === i) continue;
      const d = distances[i][j] - rho[i];
      const p = d <= 0 ? 1 : Math.exp(-(d / sigma[i]));
      from[entries] = i;
      to[entries] = other;
      strength[entries] = p;
      forward[entries++] = 1;
      from[entries] = other;
      to[entries] = i;
      strength[entries++] = p;
    }
  }
  const order = countingSorted(from, n, countingSorted(to.subarray(0, entries), n));
  // The distinct (head, tail) pairs counted first, so the edges are allocated once at their size.
  let edges = 0;
  for (let s = 0; s < entries; s++) if (s === 0 || from[order[s]] !== from[order[s - 1]] || to[order[s]] !== to[order[s - 1]]) edges++;
  const head = new Int32Array(edges);
  const tail = new Int32Array(edges);
  const weights = new Float64Array(edges);
  for (let s = 0, edge = 0; s < entries; edge++) {
    const h = from[order[s]];
    const t = to[order[s]];
    // A neighbour listed twice keeps its last strength, as a Map's set would.
    let p = 0;
    let q = 0;
    for (; s < entries && from[order[s]] === h && to[order[s]] === t; s++) {
      if (forward[order[s]]) p = strength[order[s]];
      else q = strength[order[s]];
    }
    head[edge] = h;
    tail[edge] = t;
    weights[edge] = p + q - p * q;
  }
  return { head, tail, weights };
}

/** The indices 0..key.length-1 (or `order`'s), stably sorted by their key (keys in 0..range-1). */
function countingSorted(key: Int32Array, range: number, order?: Int32Array): Int32Array {
  const count = order ? order.length : key.length;
  const start = new Int32Array(range + 1);
  for (let s = 0; s < count; s++) start[key[order ? order[s] : s] + 1]++;
  for (let v = 0; v < range; v++) start[v + 1] += start[v];
  const out = new Int32Array(count);
  for (let s = 0; s < count; s++) {
    const e = order ? order[s] : s;
    out[start[key[e]]++] = e;
  }
  return out;
}

/**
 * The fewest epochs a large map gets: at 20 (200 * sqrt(EXACT_LIMIT / n) at a million) a million's
 * layer-1 map kept 0.23% of each image's 14 nearest, at 50 1.33% (2.4 times the layout's time);
 * on 200,000 images 1.11% at 20, 4.06% at 45, 4.89% at 100.
 */
const MIN_EPOCHS = 50;

/**
 * umap-js's epochs by size (500 up to 2,500 points, 400 up to 5,000, 300 up to 7,500, 200 up to
 * EXACT_LIMIT), then fewer as the points grow: 200 * sqrt(EXACT_LIMIT / n), so 76 at 70,000, but never
 * below MIN_EPOCHS (from 160,000 points on). Each epoch samples every point's edges, so an epoch's
 * cost grows with the points; the neighbours kept on the map fall slowly with the epochs (`npm run
 * bench:umap -- layout`, README "Speed"). scripts/python-peer.py gives umap-learn the same n_epochs.
 */
export function defaultEpochs(n: number): number {
  if (n > EXACT_LIMIT) return Math.max(MIN_EPOCHS, Math.round(200 * Math.sqrt(EXACT_LIMIT / n)));
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

export interface UmapLayout {
  epochs: number;
  /** Runs epoch `e` (0-based); call for 0, 1, ... in order. */
  step(e: number): void;
  /** [x0, y0, x1, y1, ...] */
  embedding(): Float32Array;
}

/** umapKernel.wat's exports: addresses are byte offsets into `memory`. */
interface UmapKernel {
  tablesEnd: WebAssembly.Global;
  seed(c: number, s0: number, s1: number, s2: number): void;
  epoch(
    epoch: number,
    alpha: number,
    edges: number,
    n: number,
    a: number,
    b: number,
    emb: number,
    head: number,
    tail: number,
    perSample: number,
    nextSample: number,
    nextNegative: number,
    approximate: number,
  ): void;
}

/**
 * The layout's arrays in a kernel's memory: the powers' tables, the points' places, and the edges the
 * layout samples with the epochs between two samples of each (edges too weak to be sampled once in
 * the run are dropped, as in umap-js). Its own function so that the whole graph is not kept alive
 * by the layout's closure (a gigabyte at a million points).
 */
async function layoutKernel(graph: FuzzyGraph, n: number, epochs: number, b: number) {
  const { weights } = graph;
  const maxWeight = weights.reduce((m, w) => Math.max(m, w), 0);
  const sampled = (w: number) => w >= maxWeight / epochs && w > 0;
  let edges = 0;
  for (let e = 0; e < weights.length; e++) if (sampled(weights[e])) edges++;
  const tables = [...powerTables, ...fixedPowerTables(b)];
  const tablesBytes = tables.reduce((bytes, table) => bytes + table.byteLength, 0);
  // The doubles first (the places, then perSample, nextSample, nextNegative per edge), then head and tail.
  const embAt = tablesBytes;
  const perSampleAt = embAt + 16 * n;
  const nextSampleAt = perSampleAt + 8 * edges;
  const nextNegativeAt = nextSampleAt + 8 * edges;
  const headAt = nextNegativeAt + 8 * edges;
  const tailAt = headAt + 4 * edges;
  const memory = wasmMemory(tailAt + 4 * edges);
  const instance = await WebAssembly.instantiate(await wasmModule("umapKernel"), { env: { memory, pow: Math.pow } });
  const kernel = instance.exports as unknown as UmapKernel;
  if (kernel.tablesEnd.value !== tablesBytes)
    throw new Error(`umapKernel.wat reads the powers' tables up to byte ${kernel.tablesEnd.value}, not ${tablesBytes}`);
  const { buffer } = memory;
  let offset = 0;
  for (const table of tables) {
    new Float64Array(buffer, offset, table.length).set(table);
    offset += table.byteLength;
  }
  const perSample = new Float64Array(buffer, perSampleAt, edges);
  const nextSample = new Float64Array(buffer, nextSampleAt, edges);
  const nextNegative = new Float64Array(buffer, nextNegativeAt, edges);
  const head = new Int32Array(buffer, headAt, edges);
  const tail = new Int32Array(buffer, tailAt, edges);
  for (let e = 0, s = 0; e < weights.length; e++) {
    if (!sampled(weights[e])) continue;
    head[s] = graph.head[e];
    tail[s] = graph.tail[e];
    perSample[s] = maxWeight / weights[e];
    nextSample[s] = perSample[s];
    nextNegative[s] = perSample[s] / 5;
    s++;
  }
  const emb = new Float64Array(buffer, embAt, 2 * n);
  const approximate = n > EXACT_LIMIT ? 1 : 0;
  const epoch = (e: number, alpha: number, a: number) =>
    kernel.epoch(e, alpha, edges, n, a, b, embAt, headAt, tailAt, perSampleAt, nextSampleAt, nextNegativeAt, approximate);
  return { kernel, emb, epoch };
}

/**
 * A 2-D layout of the graph, randomly initialised in [-10, 10]^2 like umap-js, with umap-js's
 * gradients except for the powers d^b, computed as power() does (within 1e-11 of Math.pow, at half the
 * layout's time: README "Speed"). The epochs run in WebAssembly (umapKernel.wat): up to EXACT_LIMIT
 * points, the same operations in the same order as umap-js's loop in JavaScript (the same layout,
 * in about a tenth less CPU time); above, with fixedPower's d^b and each edge's negative samples
 * measured from where its attraction left the head, in a third less, keeping as many neighbours on
 * the map (`npm run bench:umap -- loop 70000`, README "Speed").
 */
export async function umapLayout(neighbours: Neighbours, options: UmapOptions): Promise<UmapLayout> {
  const n = neighbours.indices.length;
  const epochs = options.epochs ?? defaultEpochs(n);
  const { a, b } = findABParams(1.0, options.minDist);
  const { kernel, emb, epoch } = await layoutKernel(fuzzyGraph(neighbours), n, epochs, b);
  const random = fastRandomFor(options.seed, "umap");
  for (let i = 0; i < 2 * n; i++) emb[i] = random() * 20 - 10;
  // The negative samples carry on the same stream, in the kernel.
  const { c, s0, s1, s2 } = random.state();
  kernel.seed(c, s0, s1, s2);
  let alpha = 1.0;
  return {
    epochs,
    step(e: number) {
      epoch(e, alpha, a);
      alpha = 1.0 - e / epochs;
    },
    embedding: () => Float32Array.from(emb),
  };
}
