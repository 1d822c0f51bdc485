// A worker thread analysing one hidden layer (layer.ts), so two layers use two cores.
import { parentPort } from "node:worker_threads";
import { analyseLayer, type LayerJob, type LayerOutput } from "./layer";
import { loadTf, type BackendPreference } from "./tf";

export type ToLayerWorker = { type: "run"; job: LayerJob; backend: BackendPreference } | { type: "cancel" };
export type FromLayerWorker =
  | { type: "progress"; phase: "cluster" | "project"; fraction: number }
  | { type: "done"; output: LayerOutput }
  | { type: "failed"; message: string; stack?: string };

const port = parentPort!;
const controller = new AbortController();

port.on("message", (message: ToLayerWorker) => {
  if (message.type === "cancel") {
    controller.abort();
    return;
  }
  const post = (m: FromLayerWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  loadTf(message.backend)
    .then(({ tf }) => analyseLayer(tf, message.job, (phase, fraction) => post({ type: "progress", phase, fraction }), controller.signal))
    .then(
      (output) =>
        post({ type: "done", output }, [
          output.assignments.buffer as ArrayBuffer,
          output.silhouettes.buffer as ArrayBuffer,
          output.umap.buffer as ArrayBuffer,
        ]),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        post({ type: "failed", message: error.message, stack: error.stack });
      },
    );
});
