// The pipeline in a worker_threads Worker, so the extension host never blocks: it posts progress,
// honours cancel, and writes the results file itself (atomically) before reporting `done`.
import { parentPort } from "node:worker_threads";
import { checkExperiment } from "../check";
import type { FromWorker, RunOptions, ToWorker } from "../shared/workerProtocol";
import { ExperimentError } from "../shared/problems";
import { defaultResultsFile } from "../results/path";
import { resultsFileProblem, writeResults } from "../results/write";
import { runExperiment } from "./run";
import { summaryText } from "./summary";

const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
let controller: AbortController | undefined;

async function run(experimentFile: string, options: RunOptions): Promise<FromWorker> {
  // Refused on exactly what `mtq validate` and the editor's diagnostics report, before anything is trained.
  const checked = await checkExperiment({ file: experimentFile });
  if (!checked.ok) return { type: "invalid", problems: checked.problems };
  const experiment = options.seed === undefined ? checked.parsed : { ...checked.parsed, seed: options.seed };
  const resultsFile = options.outFile ?? defaultResultsFile(experiment.name, experimentFile);
  const unwritable = resultsFileProblem(resultsFile);
  // Said before training, not after it; the folder comes from the mtq.resultsFolder setting when set.
  if (unwritable)
    return { type: "failed", message: `nothing was run: ${unwritable} (the setting mtq.resultsFolder says where results go)` };
  controller = new AbortController();
  const signal = controller.signal;
  let lastPost = 0;
  let lastStage = "";
  try {
    const results = await runExperiment({
      experiment,
      experimentFile,
      backend: options.backend,
      signal,
      onProgress: (stage, fraction, message) => {
        const now = Date.now();
        // Enough for a smooth bar without flooding the host; a stage's end always gets through.
        if (stage === lastStage && fraction < 1 && now - lastPost < 100) return;
        lastPost = now;
        lastStage = stage;
        post({ type: "progress", stage, fraction, message });
      },
    });
    signal.throwIfAborted();
    await writeResults(results, resultsFile);
    return { type: "done", resultsFile, summary: summaryText(results) };
  } catch (e) {
    if (signal.aborted) return { type: "cancelled" };
    if (e instanceof ExperimentError) return { type: "invalid", problems: e.problems };
    const error = e instanceof Error ? e : new Error(String(e));
    return { type: "failed", message: error.message, stack: error.stack };
  }
}

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "run":
      void run(message.experimentFile, message.options).then(post);
      break;
    case "cancel":
      controller?.abort();
      break;
  }
});
