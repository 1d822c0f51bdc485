// UMAP from exact nearest neighbours, over flat typed arrays: the fuzzy simplicial set
// (smooth k-NN distances, membership strengths, fuzzy union) and the layout's stochastic gradient
// epochs, following umap-js 1.4 step for step (same constants, same random initialisation, same
// sampling schedule). umap-js builds its graph with string-keyed sparse matrices and keeps the
// layout in arrays of arrays; here both are typed arrays, which `npm run bench:umap` measures
// against umap-js on the same neighbours (time, and how many of each point's neighbours stay
// neighbours on the map).
// Not re-exported by the package index; its a, b curve fit is the library's to keep.
import { findABParams } from "umap-js/dist/umap";
import type { Neighbours } from "./distances";
import type { Random } from "../data/random";

export interface UmapOptions {
  minDist: number;
  /** Optimisation epochs; default by size, as umap-js (500 up to 2,500 points ... 200 above 7,500). */
  epochs?: number;
  random: Random;
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

/** The fuzzy union P + P' - P.P' of the directed membership strengths, edges sorted by (head, tail). */
export function fuzzyGraph(neighbours: Neighbours): FuzzyGraph {
  const { indices, distances } = neighbours;
  const n = indices.length;
  const { rho, sigma } = smoothKnnDistances(neighbours);
  const directed = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < indices[i].length; j++) {
      const other = indices[i][j];
      if (other === i) continue;
      const d = distances[i][j] - rho[i];
      directed.set(i * n + other, d <= 0 ? 1 : Math.exp(-(d / sigma[i])));
    }
  }
  const union = new Map<number, number>();
  for (const [key, p] of directed) {
    const i = Math.floor(key / n);
    const j = key - i * n;
    const q = directed.get(j * n + i) ?? 0;
    const w = p + q - p * q;
    union.set(key, w);
    union.set(j * n + i, w);
  }
  const keys = Float64Array.from(union.keys()).sort();
  const head = new Int32Array(keys.length);
  const tail = new Int32Array(keys.length);
  const weights = new Float64Array(keys.length);
  keys.forEach((key, e) => {
    head[e] = Math.floor(key / n);
    tail[e] = key - head[e] * n;
    weights[e] = union.get(key)!;
  });
  return { head, tail, weights };
}

export function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

export interface UmapLayout {
  epochs: number;
  /** Runs epoch `e` (0-based); call for 0, 1, ... in order. */
  step(e: number): void;
  /** [x0, y0, x1, y1, ...] */
  embedding(): Float32Array;
}

const clip = (x: number) => (x > 4 ? 4 : x < -4 ? -4 : x);

/** A 2-D layout of the graph, randomly initialised in [-10, 10]^2 like umap-js. */
export function umapLayout(neighbours: Neighbours, options: UmapOptions): UmapLayout {
  const n = neighbours.indices.length;
  const epochs = options.epochs ?? defaultEpochs(n);
  const graph = fuzzyGraph(neighbours);
  const maxWeight = graph.weights.reduce((m, w) => Math.max(m, w), 0);
  // Edges too weak to be sampled once in the run are dropped, as in umap-js.
  const kept: number[] = [];
  graph.weights.forEach((w, e) => {
    if (w >= maxWeight / epochs && w > 0) kept.push(e);
  });
  const head = Int32Array.from(kept, (e) => graph.head[e]);
  const tail = Int32Array.from(kept, (e) => graph.tail[e]);
  const perSample = Float64Array.from(kept, (e) => maxWeight / graph.weights[e]);
  const nextSample = Float64Array.from(perSample);
  const perNegative = Float64Array.from(perSample, (p) => p / 5);
  const nextNegative = Float64Array.from(perNegative);
  const { random } = options;
  const emb = Float64Array.from({ length: n * 2 }, () => random() * 20 - 10);
  const { a, b } = findABParams(1.0, options.minDist);
  const edges = head.length;
  let alpha = 1.0;

  return {
    epochs,
    step(epoch: number) {
      for (let e = 0; e < edges; e++) {
        if (nextSample[e] > epoch) continue;
        const j = head[e] * 2;
        const k = tail[e] * 2;
        const dx = emb[j] - emb[k];
        const dy = emb[j + 1] - emb[k + 1];
        const d2 = dx * dx + dy * dy;
        let attract = 0;
        if (d2 > 0) {
          // d2^(b-1) as d2^b / d2: one pow instead of two, in the hottest loop.
          const d2b = Math.pow(d2, b);
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
            const repulse = (2 * b) / ((0.001 + o2) * (a * Math.pow(o2, b) + 1));
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
    },
    embedding: () => Float32Array.from(emb),
  };
}
