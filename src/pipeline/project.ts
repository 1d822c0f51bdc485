// UMAP of one layer's signatures to 2-D, from the exact nearest neighbours the distance pass found
// (src/pipeline/umap.ts; seeded, so it is reproducible). The epochs yield now and then, so a
// cancel lands and progress shows.
import type { Neighbours } from "./distances";
import { umapLayout } from "./umap";
import { yieldToEventLoop } from "./yield";

export interface ProjectOptions {
  minDist: number;
  epochs?: number;
  seed: number;
}

/** [x0, y0, x1, y1, ...] for the points whose `neighbours` (self first) are given. */
export async function projectLayer(
  neighbours: Neighbours,
  options: ProjectOptions,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const layout = await umapLayout(neighbours, { minDist: options.minDist, epochs: options.epochs, seed: options.seed });
  onProgress?.(0.1);
  // By time, not by epoch count: an epoch of a million points takes seconds, one of 200 a millisecond.
  let lastYield = performance.now();
  for (let e = 0; e < layout.epochs; e++) {
    layout.step(e);
    if (performance.now() - lastYield > 50) {
      signal?.throwIfAborted();
      onProgress?.(0.1 + (0.9 * (e + 1)) / layout.epochs);
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  // Always the last word, whatever the throttle left out: the run takes it as the map drawn (layers.ts).
  onProgress?.(1);
  return layout.embedding();
}
