// UMAP of one layer's signatures to 2-D (umap-js with a seeded random, so it is reproducible).
import { UMAP } from "umap-js";
import type { Neighbours } from "./distances";
import { fastRandomFor } from "./random";
import { yieldToEventLoop } from "./yield";

export interface ProjectOptions {
  neighbors: number;
  minDist: number;
  epochs?: number;
  seed: number;
}

/** [x0, y0, x1, y1, ...] for the n points; exact `neighbours` (self first) replace UMAP's approximate search. */
export async function projectLayer(
  points: Float32Array,
  dim: number,
  options: ProjectOptions,
  neighbours?: Neighbours,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const n = points.length / dim;
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: options.neighbors,
    minDist: options.minDist,
    nEpochs: options.epochs,
    random: fastRandomFor(options.seed, "umap"),
  });
  if (neighbours) umap.setPrecomputedKNN(neighbours.indices, neighbours.distances);
  // Without precomputed neighbours, initializeFit searches them in one synchronous go; the epochs below yield.
  const epochs = umap.initializeFit(rows);
  onProgress?.(0.3);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 20 === 19) {
      signal?.throwIfAborted();
      onProgress?.(0.3 + (0.7 * (e + 1)) / epochs);
      await yieldToEventLoop();
    }
  }
  const embedding = umap.getEmbedding();
  const out = new Float32Array(n * 2);
  embedding.forEach(([x, y], i) => {
    out[2 * i] = x;
    out[2 * i + 1] = y;
  });
  return out;
}
