// One pipeline run in a worker thread (dist/worker.js), so training never blocks the extension
// host. Pure Node: the host wraps it in a progress notification, the tests drive the real worker.
import { Worker } from "node:worker_threads";
import type { FromWorker, RunOptions, ToWorker } from "../shared/workerProtocol";

export type Progress = Extract<FromWorker, { type: "progress" }>;
/** How a run ends: the worker's last message, or a "failed"/"cancelled" the host concludes. */
export type Outcome = Exclude<FromWorker, { type: "progress" }>;

export interface WorkerRun {
  readonly outcome: Promise<Outcome>;
  /** Asks the worker to stop; terminates it if it has not answered within the grace period. */
  cancel(): Promise<Outcome>;
}

/** A worker busy in a synchronous TF.js step may never read "cancel": it is terminated instead. */
export const CANCEL_GRACE_MS = 2000;

export function startWorkerRun(
  workerFile: string,
  experimentFile: string,
  options: RunOptions,
  onProgress: (p: Progress) => void,
  cancelGraceMs = CANCEL_GRACE_MS,
): WorkerRun {
  const worker = new Worker(workerFile);
  let settle!: (o: Outcome) => void;
  let settled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = (o) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      resolve(o);
      // The outcome is in; whatever the worker still holds (TF.js memory, timers) goes with it.
      void worker.terminate();
    };
  });

  worker.on("message", (m: FromWorker) => (m.type === "progress" ? onProgress(m) : settle(m)));
  worker.on("error", (e) => settle({ type: "failed", message: e.message, stack: e.stack }));
  worker.on("exit", (code) => settle({ type: "failed", message: `the pipeline worker stopped unexpectedly (exit code ${code})` }));
  const post = (m: ToWorker) => worker.postMessage(m);
  post({ type: "run", experimentFile, options });

  return {
    outcome,
    cancel() {
      if (!settled) {
        post({ type: "cancel" });
        killTimer ??= setTimeout(() => settle({ type: "cancelled" }), cancelGraceMs);
      }
      return outcome;
    },
  };
}
