// A run on signatures computed elsewhere (`data.source.signatures`): no model, no training. The
// rows are picked by label like any source's images (perDigit, pick, inject); their signatures
// and the model's predictions come from the files, and from there the run is the same as after a
// model's signatures: one `analyseModelState` gives the clusters, maps, paths and findings.
// Accuracy: on the kept rows, and on held-out rows (rows of the kept labels not picked, up to
// holdout.perDigit each), the predictions' agreement with the labels. The model's probabilities
// are not imported, so the results carry no confidence.
import { basename, dirname } from "node:path";
import { sourceProblem } from "../check/sourceProblem";
import { importedSignatures } from "../check/signatures";
import { DataFileError } from "../data/dataFileError";
import { picks } from "../data/pick";
import { rowValues, signatureFacts, signatureRefs, signaturesOf, signatureWidth, type ArrayRef } from "../data/signatures";
import { SourceFileError } from "../data/source";
import { ExperimentError } from "../shared/problems";
import { RESULTS_SCHEMA_VERSION, type Results, type Stage } from "../shared/results";
import type { Tally } from "./findings";
import { analyseModelState, layerTimings, type RunContext } from "./modelState";
import { resolvedExperiment } from "./prepare";
import { sortedClasses } from "./preprocess";
import type { RunInput } from "./run";
import { loadTf } from "./tf";

/** Share of the run each stage takes, roughly: reading the rows is quick next to clustering and UMAP. */
const WEIGHTS: Partial<Record<Stage, [number, number]>> = {
  load: [0, 0.05],
  signatures: [0.05, 0.05],
  cluster: [0.1, 0.45],
  project: [0.55, 0.4],
  // The stability runs, when on, take the bar back over the clustering's and the maps' share: their cost depends on `runs`.
  stability: [0.1, 0.85],
  paths: [0.95, 0.05],
};

/** A data-file error met while reading (a file changed since it was checked) as the Problem of its field. */
async function reading<T>(file: string, ref: ArrayRef, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DataFileError) throw new ExperimentError([sourceProblem(file, new SourceFileError(e, ref.path))]);
    throw e;
  }
}

/** How many of `rows` have their label as prediction; null without rows. */
function agreement(labels: Uint8Array, predictions: Uint8Array, rows: Int32Array): Tally | null {
  if (rows.length === 0) return null;
  let same = 0;
  for (const r of rows) if (predictions[r] === labels[r]) same++;
  return { correct: same, total: rows.length };
}

/** Runs an experiment whose source is `signatures` (checked by checkExperiment) and returns its results. */
export async function runImported({
  experiment: parsed,
  experimentFile: file,
  backend = "auto",
  onProgress,
  signal,
}: RunInput): Promise<Results> {
  const spec = importedSignatures(parsed.data)!;
  const timings: Results["timings"] = {};
  let stageStart = performance.now();
  const report = (stage: Stage, fraction: number, message: string) => {
    const [start, weight] = WEIGHTS[stage] ?? [0, 0];
    onProgress?.(stage, start + weight * Math.min(1, Math.max(0, fraction)), message);
  };
  const finish = (stage: Stage) => {
    const now = performance.now();
    timings[stage] = Math.round(now - stageStart);
    stageStart = now;
  };

  report("load", 0, "Reading the labels and predictions");
  const { experiment: exp, classNames } = resolvedExperiment(parsed, file);
  const refs = signatureRefs(spec, dirname(file));
  const facts = await signatureFacts(refs);
  if (Array.isArray(facts)) throw new ExperimentError(facts.map((e) => sourceProblem(file, e)));
  const picked = picks(exp, (split) => (split === "train" ? facts.labels : undefined));
  const rows = Int32Array.from([...picked.kept, ...picked.injected]);
  const keptCount = picked.kept.length;
  const { tf, backend: backendName } = await loadTf(backend);
  finish("load");
  signal?.throwIfAborted();

  report("signatures", 0, `Reading the signatures of ${rows.length} rows`);
  const hidden: Float32Array[] = [];
  for (const [l, layer] of facts.layers.entries()) {
    const values = await reading(file, refs.layers[l], () => rowValues(layer, rows));
    hidden.push(signaturesOf(values, layer.shape, spec.convSignature));
    report("signatures", (l + 1) / facts.layers.length, "Reading the signatures");
  }
  const sizes = facts.layers.map((a) => signatureWidth(a.shape, spec.convSignature));
  const thumbnails = facts.thumbnails;
  const pixels = thumbnails ? Uint8Array.from(await reading(file, refs.thumbnails!, () => rowValues(thumbnails, rows))) : new Uint8Array(0);
  finish("signatures");
  signal?.throwIfAborted();

  const classes = sortedClasses(exp.data.digits);
  const labels = Array.from(rows, (r) => facts.labels[r]);
  // The checks refused predictions outside the kept classes for these rows.
  const index = Int32Array.from(rows, (r) => classes.indexOf(facts.predictions[r]));
  const accuracy = {
    train: agreement(facts.labels, facts.predictions, picked.kept) ?? { correct: 0, total: 0 },
    test: agreement(facts.labels, facts.predictions, picked.holdout),
  };
  const run: RunContext = {
    tf,
    backend,
    exp,
    classes,
    classNames,
    labels,
    keptCount,
    layerNames: refs.layers.map((ref, l) => `hidden ${l + 1} (${ref.key ?? basename(ref.file)})`),
    signal,
  };
  const measured = { acts: { hidden, sizes, output: new Float32Array(0) }, predicted: { index }, accuracy };
  const layersStart = performance.now();
  const analysed = await analyseModelState(measured, run, report, exp.stability.runs);
  const { state } = analysed;
  Object.assign(timings, layerTimings(analysed, exp.stability.runs));
  stageStart = layersStart + analysed.layersMs;
  const [, rowsOf, colsOf, channels] = thumbnails?.shape ?? [];
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    experiment: exp,
    experimentFile: file,
    seed: exp.seed,
    backend: backendName,
    timings,
    classes,
    ...(classNames && { classNames }),
    testCount: picked.holdout.length,
    images: {
      count: rows.length,
      rows: rowsOf ?? 0,
      cols: colsOf ?? 0,
      ...(channels === 3 && { channels: 3 as const }),
      labels,
      injected: labels.map((_, i) => i >= keptCount),
      split: labels.map(() => "train" as const),
      sourceIndex: Array.from(rows),
      pixels,
    },
    imported: {
      files: spec.file ? [spec.file] : [...spec.layers, spec.labels, spec.predictions, ...(spec.thumbnails ? [spec.thumbnails] : [])],
    },
    ...state,
  };
  finish("paths");
  onProgress?.("paths", 1, "Done");
  return results;
}
