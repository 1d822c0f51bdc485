// Runs the hidden layers' analyses side by side, one worker thread per layer up to the number of
// cores; in this thread when there is one core or one layer. Each layer is seeded on its own, so
// where it runs never changes its results.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { LayerResult } from "../shared/results";
import { analyseLayer, layerPca, layerResult, type AnalysedLayer, type LayerClusters, type LayerJob, type LayerProgress } from "./layer";
import type { FromLayerWorker, ToLayerWorker } from "./layerWorker";
import type { Backend } from "../shared/backends";
import type { Tf } from "./tf";

/** The worker script: bundled beside this code in dist/, or the TypeScript source (tests run from src/ under tsx). */
function layerWorkerScript(): string | undefined {
  return [join(__dirname, "layerWorker.js"), join(__dirname, "layerWorker.ts")].find((f) => existsSync(f));
}

function startLayerWorker(script: string): Worker {
  if (script.endsWith(".js")) return new Worker(script);
  return new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(script)});`, { eval: true });
}

/** How many layers run at once: one per core; one alone runs in this thread. */
function lanes(layers: number): number {
  return Math.min(layers, availableParallelism());
}

/**
 * The layer workers of a run started ahead of their jobs, so that each loads its bundle and TF.js
 * (a few hundred milliseconds) while this thread still trains, rather than once the signatures are
 * ready. analyseLayers takes them (and starts more when none is left); close() ends the ones left.
 */
export class LayerWorkers {
  private readonly idle: Worker[] = [];

  constructor(layers: number, backend: Backend) {
    const script = layerWorkerScript();
    if (!script || lanes(layers) <= 1) return;
    for (let w = 0; w < lanes(layers); w++) {
      const worker = startLayerWorker(script);
      const load: ToLayerWorker = { type: "load", backend };
      worker.postMessage(load);
      // Idle, it does not keep the process alive (a run that ends before its layers, e.g. scripts/mnistSignatures.ts's).
      worker.unref();
      // One that failed to start is dropped: a new one started in its place says why.
      worker.once("error", () => {
        const at = this.idle.indexOf(worker);
        if (at >= 0) this.idle.splice(at, 1);
      });
      this.idle.push(worker);
    }
  }

  take(): Worker | undefined {
    const worker = this.idle.pop();
    worker?.ref();
    return worker;
  }

  close(): void {
    for (const worker of this.idle.splice(0)) void worker.terminate();
  }
}

function inWorker(
  worker: Worker,
  job: LayerJob,
  backend: Backend,
  onProgress: LayerProgress,
  onClustered: (clusters: LayerClusters) => void,
  signal?: AbortSignal,
): Promise<AnalysedLayer> {
  return new Promise<AnalysedLayer>((resolve, reject) => {
    const stop = () => {
      void worker.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
    worker.on("message", (m: FromLayerWorker) => {
      if (m.type === "progress") return onProgress(m.phase, m.fraction);
      if (m.type === "clustered") return onClustered(m.clusters);
      signal?.removeEventListener("abort", stop);
      void worker.terminate();
      if (m.type === "done") resolve(m.analysed);
      else reject(Object.assign(new Error(m.message), { stack: m.stack }));
    });
    worker.on("error", (e) => {
      signal?.removeEventListener("abort", stop);
      reject(e);
    });
    const message: ToLayerWorker = { type: "run", job, backend };
    worker.postMessage(message);
  });
}

/**
 * Work on a layer's clusters that this thread does while the workers run (the findings' test of
 * independence): once per layer, when it has clustered and a worker is done. Not before: while every
 * worker runs, this thread would take a share of their cores; after, it fills the core the first
 * layer to finish leaves idle, where the work used to wait for the last.
 */
type ClustersWork = (layer: number, clusters: LayerClusters) => void;

/** Each layer's clusters as they arrive, in arrival order, for the work done on them. */
function clustersQueue() {
  const arrived: [number, LayerClusters][] = [];
  let wake: (() => void) | undefined;
  return {
    push(layer: number, clusters: LayerClusters) {
      arrived.push([layer, clusters]);
      wake?.();
    },
    async next(): Promise<[number, LayerClusters]> {
      while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return arrived.shift()!;
    },
  };
}

/**
 * Every hidden layer analysed, as the results hold them, how long the clustering and the stability
 * runs took (the slowest layer's), and the runs' assignments; `onClusters` done for every layer.
 */
export async function analyseLayers(
  tf: Tf,
  jobs: LayerJob[],
  backend: Backend,
  onProgress: (layer: number, phase: Parameters<LayerProgress>[0], fraction: number) => void,
  onClusters: ClustersWork,
  signal?: AbortSignal,
  started?: LayerWorkers,
): Promise<{
  layers: LayerResult[];
  centroidDistances: Float32Array[];
  clusterMs: number;
  stabilityMs: number;
  stabilityRuns?: Int32Array[][];
}> {
  const parallel = lanes(jobs.length);
  const script = layerWorkerScript();
  const analysed: AnalysedLayer[] = new Array(jobs.length);
  // Each layer as the results hold it, converted as soon as it is done: while the last still runs.
  const layers: LayerResult[] = new Array(jobs.length);
  if (parallel <= 1 || !script) {
    for (const [l, job] of jobs.entries()) {
      analysed[l] = await analyseLayer(
        tf,
        job,
        (phase, f) => onProgress(l, phase, f),
        signal,
        (c) => onClusters(l, c),
      );
      layers[l] = layerResult(analysed[l].layer);
    }
  } else {
    let next = 0;
    let coreFree: () => void;
    const aWorkerDone = new Promise<void>((resolve) => (coreFree = resolve));
    const clustered = clustersQueue();
    // The layers in their workers, until they have drawn their UMAP map (then they have passed their PCA).
    const beforeMaps = new Map<number, Worker>();
    // A core is free: this thread takes the PCA of the layers still drawing their maps off their workers.
    const takePcas = () => {
      for (const [l, worker] of beforeMaps) {
        const pca = layerPca(jobs[l]);
        const message: ToLayerWorker = { type: "pca", pca };
        worker.postMessage(message, [pca.pca.map.buffer as ArrayBuffer, pca.onMap.buffer as ArrayBuffer]);
      }
      beforeMaps.clear();
    };
    const lane = async () => {
      while (next < jobs.length) {
        const l = next++;
        // A signal aborted before this layer's turn never fires "abort" again: its worker is not started.
        signal?.throwIfAborted();
        const worker = started?.take() ?? startLayerWorker(script);
        beforeMaps.set(l, worker);
        analysed[l] = await inWorker(
          worker,
          jobs[l],
          backend,
          (phase, f) => {
            if (phase !== "cluster" && f >= 1) beforeMaps.delete(l);
            onProgress(l, phase, f);
          },
          (c) => clustered.push(l, c),
          signal,
        );
        beforeMaps.delete(l);
        // The last job of this lane: the others' maps wait on their PCA, this layer's conversion waits on nothing.
        if (next >= jobs.length) takePcas();
        layers[l] = layerResult(analysed[l].layer);
      }
      coreFree();
    };
    const clustersWork = async () => {
      for (let done = 0; done < jobs.length; done++) {
        const [l, c] = await clustered.next();
        await aWorkerDone;
        onClusters(l, c);
      }
    };
    await Promise.all([...Array.from({ length: parallel }, lane), clustersWork()]);
  }
  const runs = analysed[0]?.stabilityAssignments?.length ?? 0;
  return {
    layers,
    // Each image's distance to its cluster's centroid, per layer: the outliers' score uses the last layer's.
    centroidDistances: analysed.map((a) => a.layer.centroidDistances),
    clusterMs: Math.max(...analysed.map((a) => a.clusterMs)),
    stabilityMs: Math.max(...analysed.map((a) => a.stabilityMs)),
    // Run -> layer -> every image's cluster, as findings() takes them.
    ...(runs > 0 && { stabilityRuns: Array.from({ length: runs }, (_, run) => analysed.map((a) => a.stabilityAssignments![run])) }),
  };
}
