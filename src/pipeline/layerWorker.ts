// A worker thread analysing one hidden layer (layer.ts), so two layers use two cores.
import { parentPort } from "node:worker_threads";
import { analyseLayer, type AnalysedLayer, type LayerClusters, type LayerJob, type LayerPca, type LayerProgress } from "./layer";
import type { Backend } from "../shared/backends";
import { loadTf } from "./tf";

/**
 * "load": TF.js loaded ahead of the job (layers.ts's LayerWorkers); "run" loads it when it was not.
 * "pca": the layer's PCA, computed by the run's thread on a core another layer left free.
 */
export type ToLayerWorker =
  | { type: "load"; backend: Backend }
  | { type: "run"; job: LayerJob; backend: Backend }
  | { type: "pca"; pca: LayerPca }
  | { type: "cancel" };
export type FromLayerWorker =
  | { type: "progress"; phase: Parameters<LayerProgress>[0]; fraction: number }
  | { type: "clustered"; clusters: LayerClusters }
  | { type: "done"; analysed: AnalysedLayer }
  | { type: "failed"; message: string; stack?: string };

const port = parentPort!;
const controller = new AbortController();
let pcaFromRun: LayerPca | undefined;

port.on("message", (message: ToLayerWorker) => {
  if (message.type === "cancel") {
    controller.abort();
    return;
  }
  if (message.type === "pca") {
    pcaFromRun = message.pca;
    return;
  }
  // A failure to load is the job's to report.
  if (message.type === "load") return void loadTf(message.backend).catch(() => {});
  const post = (m: FromLayerWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  loadTf(message.backend)
    .then(({ tf }) =>
      analyseLayer(
        tf,
        message.job,
        (phase, fraction) => post({ type: "progress", phase, fraction }),
        controller.signal,
        // Copied, not transferred: the layer's result posts them again.
        (clusters) => post({ type: "clustered", clusters }),
        () => pcaFromRun,
      ),
    )
    .then(
      (analysed) => {
        const { assignments, silhouettes, umap, pca, umapKept, pcaKept, neighbours, neighbourDistances, centroidDistances } =
          analysed.layer;
        post({ type: "done", analysed }, [
          assignments.buffer as ArrayBuffer,
          silhouettes.buffer as ArrayBuffer,
          umap.buffer as ArrayBuffer,
          pca.buffer as ArrayBuffer,
          umapKept.buffer as ArrayBuffer,
          pcaKept.buffer as ArrayBuffer,
          neighbours.buffer as ArrayBuffer,
          neighbourDistances.buffer as ArrayBuffer,
          centroidDistances.buffer as ArrayBuffer,
          ...(analysed.stabilityAssignments ?? []).map((a) => a.buffer as ArrayBuffer),
        ]);
      },
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        post({ type: "failed", message: error.message, stack: error.stack });
      },
    );
});
