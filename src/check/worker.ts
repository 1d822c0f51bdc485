// checkExperiment in a worker_threads Worker (dist/checkWorker.js), so that reading a large data
// file for its checks never stalls the editor: the extension host posts requests and waits for
// the answers (src/host/experimentChecks.ts), which sends one request at a time.
import { parentPort } from "node:worker_threads";
import { checkExperiment, type CheckRequest, type Checked } from "./index";

export interface ToCheckWorker {
  id: number;
  request: CheckRequest;
}

export type FromCheckWorker = { id: number; checked: Checked } | { id: number; error: string };

const port = parentPort!;

port.on("message", ({ id, request }: ToCheckWorker) => {
  checkExperiment(request).then(
    (checked) => port.postMessage({ id, checked } satisfies FromCheckWorker),
    (e: unknown) => port.postMessage({ id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromCheckWorker),
  );
});
