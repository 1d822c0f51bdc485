// Messages between a caller (the extension host, tests) and the pipeline worker
// (dist/worker.js, a worker_threads Worker).
import type { Backend } from "./backends";
import type { Problem } from "./problems";
import type { Stage } from "./results";

export interface RunOptions {
  /** Where to write the results; default NAME.results.json beside the experiment. */
  outFile?: string;
  /** Overrides the experiment's seed (e.g. a user setting). */
  seed?: number;
  /** Preferred TF.js backend; falls back when it does not load. */
  backend?: Backend;
}

export type ToWorker = { type: "run"; experimentFile: string; options: RunOptions } | { type: "cancel" };

export type FromWorker =
  /** `fraction` is the whole run's progress, 0..1; `message` says what happens now. */
  | { type: "progress"; stage: Stage; fraction: number; message: string }
  | { type: "done"; resultsFile: string; summary: string }
  /** The experiment or its data is wrong: show the problems, not a stack. */
  | { type: "invalid"; problems: Problem[] }
  | { type: "cancelled" }
  | { type: "failed"; message: string; stack?: string };
