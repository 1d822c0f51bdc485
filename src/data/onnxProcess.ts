// The child process that runs onnxruntime (bundled as dist/onnxProcess.js, forked by onnxSession in
// onnxModel.ts): one session per process. onnxruntime allocates whatever a model's operators ask
// for, and nothing inside a process can stop native code that is allocating; so a worker thread
// here watches the process's resident memory (it keeps running while the main thread is blocked
// inside onnxruntime) and, past the bound the parent sets, says so on stderr and kills this
// process. The extension host's worker or the CLI that forked it lives on and reports the model.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type * as Ort from "onnxruntime-node";
import type { FromOnnxProcess, OnnxTensorData, ToOnnxProcess } from "./onnxMessages";

/**
 * How often the watch reads the resident memory. A fresh page costs about a microsecond to fault
 * in, so between two reads a filling tensor grows by a few MB at most: the bound is kept within that.
 */
const WATCH_MS = 2;

// The watch runs as source text (no second bundle): it reads the process-wide RSS, and past the
// bound writes its line synchronously before the kill, which nothing can delay.
const WATCH = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss <= workerData.boundBytes) return;
  // The line FromOnnxProcess's "outOfMemory" describes, starting as OUT_OF_MEMORY_MARK.
  writeSync(2, JSON.stringify({ type: "outOfMemory", rssBytes: rss, boundBytes: workerData.boundBytes }) + "\\n");
  process.kill(process.pid, "SIGKILL");
}, ${WATCH_MS});
`;

/**
 * onnxruntime-node: from the copy the build puts beside the bundles (dist/onnxruntime/, which the
 * .vsix carries without node_modules), else from node_modules (tests run from src/).
 */
function loadOnnxRuntime(): typeof Ort {
  const bundled = join(__dirname, "onnxruntime", "dist", "index.js");
  try {
    return require(bundled) as typeof Ort;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    return require("onnxruntime-node") as typeof Ort;
  }
}

let session: Ort.InferenceSession | undefined;
const send = (message: FromOnnxProcess) => process.send!(message);

async function handle(message: ToOnnxProcess): Promise<FromOnnxProcess> {
  switch (message.type) {
    case "open": {
      // Started before onnxruntime loads: creating a session may already fold a huge constant.
      const watch = new Worker(WATCH, { eval: true, workerData: { boundBytes: message.boundBytes } });
      watch.unref();
      const ort = loadOnnxRuntime();
      const options: Ort.InferenceSession.SessionOptions = { executionProviders: ["cpu"], logSeverityLevel: 3 };
      session = await ort.InferenceSession.create(message.file, options);
      return { type: "opened" };
    }
    case "run": {
      const ort = loadOnnxRuntime();
      const { data, dims } = message.tensor;
      const feeds = { [message.input]: new ort.Tensor("float32", data, dims) };
      const out = message.fetch ? await session!.run(feeds, message.fetch) : await session!.run(feeds);
      const outputs: Record<string, OnnxTensorData> = {};
      for (const [name, tensor] of Object.entries(out)) outputs[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      return { type: "ran", outputs };
    }
  }
}

process.on("message", (message: ToOnnxProcess) => {
  handle(message).then(send, (e: unknown) =>
    send({ type: "failed", message: (e instanceof Error ? e.message : String(e)).split("\n")[0] }),
  );
});
// The parent disconnects when it releases the session (or dies): the process ends with it.
process.on("disconnect", () => process.exit(0));
