// One state of the model analysed, the final one or a training snapshot's: each hidden layer's
// clusters and map (side by side, layers.ts), every image's path, and the findings. The run and
// the snapshots both come here, so the two can never be analysed differently.
import type { Experiment } from "../shared/experiment";
import { round4 } from "../shared/figures";
import type { IndependenceTest, ModelState, Stage } from "../shared/results";
import { findings, layerIndependence, type Tally } from "./findings";
import { analyseLayers, type LayerWorkers } from "./layers";
import type { Activations } from "./model";
import { flows } from "./paths";
import type { Backend } from "../shared/backends";
import type { Tf } from "./tf";

/** What the model gives every image, and its accuracy, in one state. */
export interface Measured {
  acts: Activations;
  /** The predicted class's index in `classes`, and its probability when the model's outputs are known (not for imported predictions). */
  predicted: { index: Int32Array; confidence?: Float32Array };
  /** The right predictions behind the accuracies (their intervals need the counts); test null without held-out images. */
  accuracy: { train: Tally; test: Tally | null };
}

/** What every state of one run shares. */
export interface RunContext {
  tf: Tf;
  backend: Backend;
  exp: Experiment;
  /** The kept classes, sorted: the output units' order. */
  classes: number[];
  classNames?: Record<string, string>;
  /** Per image, kept first: its label. */
  labels: number[];
  keptCount: number;
  /** The hidden layers' names, as the results give them. */
  layerNames: string[];
  signal?: AbortSignal;
  /** Layer workers started while the model trained, for the first state analysed. */
  layerWorkers?: LayerWorkers;
}

export type StateProgress = (
  stage: Extract<Stage, "cluster" | "project" | "stability" | "paths">,
  fraction: number,
  message: string,
) => void;

export interface AnalysedState {
  state: ModelState;
  /**
   * Milliseconds until the slowest layer had clustered, the slowest layer's stability runs, and until
   * every layer was done; the rest went to paths and findings.
   */
  clusterMs: number;
  stabilityMs: number;
  layersMs: number;
}

/** `stabilityRuns`: the experiment's `stability.runs` for the final model; a snapshot's state is analysed without (0). */
export async function analyseModelState(
  measured: Measured,
  run: RunContext,
  onProgress?: StateProgress,
  stabilityRuns = 0,
): Promise<AnalysedState> {
  const { acts, predicted, accuracy } = measured;
  const { exp, labels, keptCount } = run;
  const jobs = acts.hidden.map((signatures, l) => ({
    name: run.layerNames[l],
    signatures,
    dim: acts.sizes[l],
    labels,
    keptCount,
    clustering: exp.clustering,
    projection: exp.projection,
    seed: exp.seed,
    stabilityRuns,
  }));
  const progress = jobs.map(() => ({ cluster: 0, project: 0, stability: 0 }));
  const injected = labels.map((_, i) => i >= keptCount);
  const independence: IndependenceTest[] = [];
  const start = performance.now();
  const {
    layers,
    centroidDistances,
    clusterMs,
    stabilityMs,
    stabilityRuns: runAssignments,
  } = await analyseLayers(
    run.tf,
    jobs,
    run.backend,
    (l, phase, f) => {
      if (!onProgress) return;
      progress[l][phase] = f;
      // Layers run side by side: the bar shows clustering until the slowest layer has clustered, then its maps, then its stability runs.
      const stage = progress.some((p) => p.cluster < 1)
        ? "cluster"
        : stabilityRuns === 0 || progress.some((p) => p.project < 1)
          ? "project"
          : "stability";
      const mean = progress.reduce((s, p) => s + p[stage], 0) / progress.length;
      const messages = {
        cluster: "Clustering: k-means and silhouettes",
        project: "UMAP maps",
        stability: `Stability: clustering ${stabilityRuns} bootstrap resamples`,
      };
      onProgress(stage, mean, messages[stage]);
    },
    // Each layer its own permutations, reproducible from the experiment's seed.
    (l, { assignments, k }) =>
      (independence[l] = layerIndependence({ classes: run.classes, labels, injected }, assignments, k, exp.seed + l)),
    run.signal,
    run.layerWorkers,
  );
  const layersMs = performance.now() - start;

  onProgress?.("paths", 0, "Tracing paths");
  const predictions = Array.from(predicted.index, (p) => run.classes[p]);
  const pathInput = { labels, injected, assignments: layers.map((l) => l.assignments), predictions };
  const state = {
    predictions,
    ...(predicted.confidence && { confidence: Array.from(predicted.confidence, round4) }),
    layers,
    flows: flows({ ...pathInput, classNames: run.classNames }),
    findings: findings(
      {
        ...pathInput,
        classes: run.classes,
        layers,
        accuracy,
        confidence: predicted.confidence,
        lastLayerDistances: centroidDistances[centroidDistances.length - 1],
        independence,
      },
      runAssignments,
    ),
  };
  return { state, clusterMs, stabilityMs, layersMs };
}

/**
 * The stages' milliseconds of an analysed state. Layers run side by side: clustering ends when the
 * slowest layer's does, the slowest layer's stability runs are theirs, and UMAP takes the rest.
 */
export function layerTimings({ clusterMs, stabilityMs, layersMs }: AnalysedState, stabilityRuns: number): Partial<Record<Stage, number>> {
  return {
    cluster: Math.round(clusterMs),
    project: Math.round(layersMs - clusterMs - stabilityMs),
    ...(stabilityRuns > 0 && { stability: Math.round(stabilityMs) }),
  };
}
