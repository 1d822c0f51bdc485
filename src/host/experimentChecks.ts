// Checks experiments in one long-lived worker thread (dist/checkWorker.js), so the extension
// host never waits on a data file: a 127 MB CSV took 14-16 s to check, and the editor froze for
// as long on each save. Pure Node, without VS Code: the diagnostics and the commands use it, and
// the tests drive the real worker.
import { Worker } from "node:worker_threads";
import type { CheckRequest, Checked } from "../check/index";
import type { FromCheckWorker, ToCheckWorker } from "../check/worker";

export type CheckOutcome =
  | { type: "checked"; checked: Checked }
  /** A newer request for the same file came before the answer, which would describe an older text. */
  | { type: "superseded" }
  /** The check threw, or the worker stopped while on it; the log says which. */
  | { type: "failed"; message: string };

/** Where the client reports what the user should find in the log (the MTQ output channel). */
export interface ChecksLog {
  error(message: string): void;
}

interface Pending {
  id: number;
  request: CheckRequest;
  outcome: Promise<CheckOutcome>;
  settle(outcome: CheckOutcome): void;
}

const SUPERSEDED: CheckOutcome = { type: "superseded" };

const sameRequest = (a: CheckRequest, b: CheckRequest) => a.file === b.file && a.text === b.text && (a.data ?? true) === (b.data ?? true);

export class ExperimentChecks {
  /** Started by the first check, not at activation; replaced when it stops or is cancelled. */
  private worker: Worker | undefined;
  private running: Pending | undefined;
  /** Requests waiting for the worker, at most one per file: a newer one replaces an older one. */
  private readonly waiting = new Map<string, Pending>();
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly workerFile: string,
    private readonly log: ChecksLog,
  ) {}

  /**
   * Checks `request` in the worker. A later request for the same file supersedes this one (its
   * answer is dropped, and a check already under way is stopped) unless it asks the very same
   * thing, in which case both get this answer. Never rejects.
   */
  check(request: CheckRequest): Promise<CheckOutcome> {
    if (this.disposed) return Promise.resolve(SUPERSEDED);
    const { file } = request;
    const waiting = this.waiting.get(file);
    if (waiting && sameRequest(waiting.request, request)) return waiting.outcome;
    if (waiting) {
      this.waiting.delete(file);
      waiting.settle(SUPERSEDED);
    }
    if (this.running?.request.file === file) {
      if (sameRequest(this.running.request, request)) return this.running.outcome;
      this.stopRunning(SUPERSEDED);
    }
    const pending = this.pending(request);
    this.waiting.set(file, pending);
    this.next();
    return pending.outcome;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.waiting.values()) p.settle(SUPERSEDED);
    this.waiting.clear();
    this.stopRunning(SUPERSEDED);
  }

  private pending(request: CheckRequest): Pending {
    let settle!: (o: CheckOutcome) => void;
    const outcome = new Promise<CheckOutcome>((resolve) => (settle = resolve));
    return { id: this.nextId++, request, outcome, settle };
  }

  private next(): void {
    if (this.running || this.disposed) return;
    const [first] = this.waiting.values();
    if (!first) {
      // Idle: the worker stays for the next check but does not keep the process alive.
      this.worker?.unref();
      return;
    }
    this.waiting.delete(first.request.file);
    this.running = first;
    const worker = (this.worker ??= this.startWorker());
    worker.ref();
    worker.postMessage({ id: first.id, request: first.request } satisfies ToCheckWorker);
  }

  private finish(outcome: CheckOutcome): void {
    this.running?.settle(outcome);
    this.running = undefined;
    this.next();
  }

  /** Ends the running check: its worker is stopped mid-file, and the next check starts another. */
  private stopRunning(outcome: CheckOutcome): void {
    const worker = this.worker;
    if (!this.running || !worker) return;
    this.worker = undefined;
    worker.removeAllListeners();
    void worker.terminate();
    this.finish(outcome);
  }

  private startWorker(): Worker {
    const worker = new Worker(this.workerFile);
    let error: Error | undefined;
    worker.on("message", (m: FromCheckWorker) => {
      if (m.id !== this.running?.id) return;
      if ("checked" in m) return this.finish({ type: "checked", checked: m.checked });
      this.log.error(`checking ${this.running.request.file} failed: ${m.error}`);
      this.finish({ type: "failed", message: m.error.split("\n")[0] });
    });
    worker.on("error", (e) => (error = e));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const during = this.running ? ` while checking ${this.running.request.file}` : "";
      const why = error ? `: ${error.stack ?? error.message}` : "";
      this.log.error(`the check worker stopped (exit code ${code})${during}${why}; a new one starts for the next check`);
      this.finish({ type: "failed", message: `the check worker stopped (exit code ${code})${error ? `: ${error.message}` : ""}` });
    });
    return worker;
  }
}
