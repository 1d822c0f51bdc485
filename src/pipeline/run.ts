// The whole analysis: data -> training -> signatures -> clusters -> UMAP -> paths -> findings,
// reporting progress and stopping on `signal`. The same code runs in the worker, the CLI and tests.
import type { ParsedExperiment } from "../shared/experiment";
import { RESULTS_SCHEMA_VERSION, type Results, type Stage } from "../shared/results";
import { prepareData } from "./prepare";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "./preprocess";
import { activations, argmaxRows, disposeModel, modelFor, train } from "./model";
import { loadOnnxModel } from "./onnx";
import { analyseModelState, layerTimings, type Measured, type RunContext } from "./modelState";
import { analysedSnapshots, separationEpochs, snapshotEpochs, type Recorded } from "./snapshots";
import type { Backend } from "../shared/backends";
import { loadTf, type Tf } from "./tf";
import type { PreparedData } from "./prepare";
import { importedSignatures } from "../check/signatures";
import { LayerWorkers } from "./layers";
import { runImported } from "./importedSignatures";

export type ProgressListener = (stage: Stage, fraction: number, message: string) => void;

export interface RunInput {
  /** As parsed: its class names are resolved to labels with the data, and results.experiment records the resolved one. */
  experiment: ParsedExperiment;
  /** The experiment file: relative data paths and the error messages refer to it. */
  experimentFile: string;
  backend?: Backend;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /**
   * Called once with the final model's signatures (per hidden layer, every image's row in the
   * results' image order), which the results file does not keep: for a script that measures them
   * (scripts/reproduce.ts). Not called for imported signatures.
   */
  onSignatures?: (signatures: { hidden: Float32Array[]; sizes: number[] }) => void;
}

/**
 * Share of the whole run each stage takes, roughly, for one progress bar. Each training snapshot
 * is analysed like the final model (its clustering and UMAP), so it weighs about as much; each
 * stability run refits every k on a resample of the kept images, about a clustering's weight.
 */
function stageWeights(snapshots: number, stabilityRuns: number): Record<Stage, number> {
  const base = { load: 0.05, train: 0.4, signatures: 0.05, cluster: 0.25, project: 0.22, paths: 0.03 };
  const snapshotWeight = snapshots * (base.cluster + base.project);
  const stabilityWeight = stabilityRuns * base.cluster;
  const total = 1 + snapshotWeight + stabilityWeight;
  // In run order: overall() counts the stages before the current one as done.
  const { paths, ...before } = base;
  const weights = { ...before, stability: stabilityWeight, paths, snapshots: snapshotWeight };
  return Object.fromEntries(Object.entries(weights).map(([s, w]) => [s, w / total])) as Record<Stage, number>;
}

function overall(weights: Record<Stage, number>, stage: Stage, fraction: number): number {
  let done = 0;
  for (const [s, w] of Object.entries(weights) as [Stage, number][]) {
    if (s === stage) return done + w * Math.min(1, Math.max(0, fraction));
    done += w;
  }
  return done;
}

/** How measuredModel reports to the run. */
interface Reporting {
  report: (stage: Stage, fraction: number, message: string) => void;
  /** Ends `stage`'s time, which the results' timings give. */
  finish: (stage: Stage) => void;
  signal?: AbortSignal;
}

/**
 * The model trained (or loaded) and what it gives every image: at the end, and at each epoch of
 * `recordAt` (the snapshots). The images as floats (3 KB per 28x28 image, 220 MB at 70,000) and the
 * model live only in here: neither is held while the layers are analysed, when the run's memory peaks.
 */
async function measuredModel(
  data: PreparedData,
  /** Every image's pixels, kept first. */
  pixels: Uint8Array,
  experimentFile: string,
  classes: number[],
  backend: Backend,
  recordAt: Set<number>,
  { report, finish, signal }: Reporting,
): Promise<{ tf: Tf; backendName: string; hiddenLayers: string[]; measured: Measured; recorded: Recorded[]; layerWorkers: LayerWorkers }> {
  const exp = data.experiment;
  const inputSize = data.rows * data.cols * data.channels;
  const scale = maxPixel(data.kept.pixels);
  const keptCount = data.kept.labels.length;
  const injectedCount = data.injected.labels.length;
  // Every image, kept first: the kept ones are a view of it, not a second copy.
  const all = scaledPixels(pixels, scale);
  const x = all.subarray(0, keptCount * inputSize);
  const y = oneHot(data.kept.labels, classes);
  const { tf, backend: backendName } = await loadTf(backend);
  finish("load");
  signal?.throwIfAborted();

  const holdoutX = scaledPixels(data.holdout.pixels, scale);
  const correct = (labels: Uint8Array, predictions: Int32Array) =>
    labels.reduce((n, l, i) => n + (classes[predictions[i]] === l ? 1 : 0), 0);

  report(
    "train",
    0,
    exp.model.kind === "onnx"
      ? `Loading the model ${exp.model.path} (onnxruntime)`
      : exp.model.kind === "saved"
        ? `Loading the model ${exp.model.path} (${backendName})`
        : `Training on ${keptCount} images (${backendName})`,
  );
  const trained =
    exp.model.kind === "onnx"
      ? await loadOnnxModel(exp.model, experimentFile, { rows: data.rows, cols: data.cols, channels: data.channels }, scale, signal)
      : await modelFor(tf, exp, experimentFile, data, classes.length);
  // Started now, the layers' workers load on the other core while this one trains.
  const layerWorkers = new LayerWorkers(trained.hiddenLayers.length, backend);
  /** Every image's signatures and prediction, and the accuracy, of the model as it is now. */
  const measure = async (): Promise<Measured> => {
    const acts = await activations(tf, trained, all, keptCount + injectedCount);
    const predicted = argmaxRows(acts.output, classes.length);
    const holdout = await activations(tf, trained, holdoutX, data.holdout.labels.length, false);
    const holdoutPredicted = argmaxRows(holdout.output, classes.length).index;
    // Counts, not shares: the findings' intervals need them.
    const accuracy = {
      train: { correct: correct(data.kept.labels, predicted.index), total: keptCount },
      test:
        data.holdout.labels.length > 0
          ? { correct: correct(data.holdout.labels, holdoutPredicted), total: data.holdout.labels.length }
          : null,
    };
    return { acts, predicted, accuracy };
  };
  const recorded: Recorded[] = [];
  const recordSnapshot = async (epoch: number) => {
    if (recordAt.has(epoch)) recorded.push({ epoch, ...(await measure()) });
  };
  try {
    if (trained.trainable)
      await train(
        tf,
        trained,
        exp,
        x,
        y,
        keptCount,
        (p) => report("train", p.fraction, `Training: epoch ${p.epoch}/${p.epochs}, loss ${p.loss.toFixed(3)}`),
        signal,
        recordSnapshot,
      );
    finish("train");

    report("signatures", 0, "Recording signatures");
    const measured = await measure();
    finish("signatures");
    return { tf, backendName, hiddenLayers: trained.hiddenLayers, measured, recorded, layerWorkers };
  } catch (e) {
    layerWorkers.close();
    throw e;
  } finally {
    await disposeModel(trained);
  }
}

/** Runs the experiment and returns its results (nothing is written). */
export async function runExperiment({
  experiment: parsed,
  experimentFile,
  backend = "auto",
  onProgress,
  signal,
  onSignatures,
}: RunInput): Promise<Results> {
  // Signatures computed elsewhere: no model to load or train (importedSignatures.ts).
  if (importedSignatures(parsed.data)) return runImported({ experiment: parsed, experimentFile, backend, onProgress, signal });
  const timings: Results["timings"] = {};
  let stageStart = performance.now();
  const recordAt = snapshotEpochs(parsed);
  const weights = stageWeights(recordAt.size, parsed.stability.runs);
  const report = (stage: Stage, fraction: number, message: string) => onProgress?.(stage, overall(weights, stage, fraction), message);
  const finish = (stage: Stage) => {
    const now = performance.now();
    timings[stage] = Math.round(now - stageStart);
    stageStart = now;
  };

  report("load", 0, "Loading the images");
  const data = prepareData(parsed, experimentFile);
  // For the model and the results' .bin; no copy without injected images (55 MB at 70,000).
  const pixels = data.injected.labels.length > 0 ? Buffer.concat([data.kept.pixels, data.injected.pixels]) : data.kept.pixels;
  const exp = data.experiment;
  const classes = sortedClasses(exp.data.digits);
  const keptCount = data.kept.labels.length;
  const { tf, backendName, hiddenLayers, measured, recorded, layerWorkers } = await measuredModel(
    data,
    pixels,
    experimentFile,
    classes,
    backend,
    recordAt,
    {
      report,
      finish,
      signal,
    },
  );
  try {
    onSignatures?.({ hidden: measured.acts.hidden, sizes: measured.acts.sizes });
  } catch (e) {
    // Else the started layer workers idle (unref'd) until the process exits.
    layerWorkers.close();
    throw e;
  }

  const labels = [...data.kept.labels, ...data.injected.labels];
  const run: RunContext = {
    tf,
    backend,
    exp,
    classes,
    classNames: data.classNames,
    labels,
    keptCount,
    layerNames: measured.acts.sizes.map((_, l) => `hidden ${l + 1} (${hiddenLayers[l]})`),
    signal,
  };
  const layersStart = performance.now();
  const analysed = await analyseModelState(measured, { ...run, layerWorkers }, report, exp.stability.runs).finally(() =>
    layerWorkers.close(),
  );
  const { state } = analysed;
  Object.assign(timings, layerTimings(analysed, exp.stability.runs));
  stageStart = layersStart + analysed.layersMs;
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    experiment: exp,
    experimentFile,
    seed: exp.seed,
    // An ONNX model ran on onnxruntime; TF.js's backend still clustered its signatures.
    backend: exp.model.kind === "onnx" ? `onnxruntime (cpu), clustered on ${backendName}` : backendName,
    timings,
    classes,
    ...(data.classNames && { classNames: data.classNames }),
    testCount: data.holdout.labels.length,
    images: {
      count: labels.length,
      rows: data.rows,
      cols: data.cols,
      // Written for colour only, so that a grey run's file is the same as before channels existed.
      ...(data.channels === 3 && { channels: data.channels }),
      labels,
      injected: labels.map((_, i) => i >= keptCount),
      split: [...data.kept.split, ...data.injected.split],
      sourceIndex: [...data.kept.sourceIndex, ...data.injected.sourceIndex],
      ...(data.kept.files && data.injected.files && { files: [...data.kept.files, ...data.injected.files] }),
      pixels,
    },
    ...state,
  };
  finish("paths");
  if (recorded.length > 0) {
    results.snapshots = await analysedSnapshots(recorded, results.layers, run, (done, total) =>
      report("snapshots", done / total, `Training snapshots: epoch ${recorded[done].epoch} (${done + 1} of ${total})`),
    );
    results.findings.separationEpoch = separationEpochs(results);
    finish("snapshots");
  }
  onProgress?.(recorded.length > 0 ? "snapshots" : "paths", 1, "Done");
  return results;
}
