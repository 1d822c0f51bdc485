// One hidden layer's analysis: clusters (k by silhouette), the injected images' places, and the
// UMAP map. Layers are independent, so they can run side by side in worker threads (layers.ts).
import type { Experiment } from "../shared/experiment";
import { clusterLayer, nearestCentroids } from "./cluster";
import { projectLayer } from "./project";
import type { Tf } from "./tf";

export interface LayerJob {
  /** (kept + injected) x dim signatures, kept first. */
  signatures: Float32Array;
  dim: number;
  keptCount: number;
  clustering: Experiment["clustering"];
  projection: Experiment["projection"];
  seed: number;
}

export interface LayerOutput {
  kValues: number[];
  silhouetteCurve: number[];
  inertiaCurve: number[];
  k: number;
  silhouette: number;
  /** Set when the silhouettes were estimated from a sample of this many kept images (large layers). */
  silhouetteSample?: number;
  /** True when UMAP's neighbours were approximate (large layers). */
  approximateNeighbours: boolean;
  /** Per image (kept then injected): its cluster. */
  assignments: Int32Array;
  /** Per kept image: its silhouette. */
  silhouettes: Float32Array;
  umap: Float32Array;
  /** Milliseconds spent clustering and projecting. */
  clusterMs: number;
  projectMs: number;
}

/** Progress of one layer: `phase` "cluster" then "project", each with its own 0..1 fraction. */
export type LayerProgress = (phase: "cluster" | "project", fraction: number) => void;

export async function analyseLayer(tf: Tf, job: LayerJob, onProgress?: LayerProgress, signal?: AbortSignal): Promise<LayerOutput> {
  const { signatures, dim, keptCount } = job;
  const total = signatures.length / dim;
  const neighbours = Math.max(2, Math.min(job.projection.neighbors, total - 1));
  const start = performance.now();
  const {
    clustering,
    neighbours: near,
    approximateNeighbours,
  } = await clusterLayer(
    tf,
    signatures,
    dim,
    keptCount,
    { ...job.clustering, seed: job.seed, neighbours },
    (f) => onProgress?.("cluster", f),
    signal,
  );
  const assignments = new Int32Array(total);
  assignments.set(clustering.labels);
  assignments.set(nearestCentroids(signatures.subarray(keptCount * dim), dim, clustering.centroids), keptCount);
  const clustered = performance.now();
  const umap = await projectLayer(near, { ...job.projection, seed: job.seed }, (f) => onProgress?.("project", f), signal);
  return {
    kValues: clustering.kValues,
    silhouetteCurve: clustering.silhouetteCurve,
    inertiaCurve: clustering.inertiaCurve,
    k: clustering.k,
    silhouette: clustering.silhouette,
    silhouetteSample: clustering.silhouetteSample,
    approximateNeighbours,
    assignments,
    silhouettes: clustering.perPoint,
    umap,
    clusterMs: clustered - start,
    projectMs: performance.now() - clustered,
  };
}
