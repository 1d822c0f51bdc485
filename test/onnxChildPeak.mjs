// Preloaded (NODE_OPTIONS --import) by test/onnx-memory.test.ts into the processes the CLI
// forks: onnxruntime's child process (dist/onnxProcess.js) appends its peak resident memory in
// bytes to MTQ_ONNX_CHILD_PEAKS when it exits, so the test measures the child as well as the CLI.
// A child killed at its memory bound writes nothing: its message states the memory it had reached.
import { appendFileSync } from "node:fs";
import process from "node:process";

const peaks = process.env.MTQ_ONNX_CHILD_PEAKS;
if (process.argv[1]?.endsWith("onnxProcess.js") && peaks) {
  process.on("exit", () => appendFileSync(peaks, `${process.resourceUsage().maxRSS * 1024}\n`));
}
