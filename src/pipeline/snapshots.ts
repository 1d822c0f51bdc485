// Training snapshots: the model's signatures recorded when chosen epochs end, each clustered,
// projected and traced like the final model, so a view can replay how paths form. Each epoch's
// maps are aligned to the next one's (the last to the final model's) so points do not jump.
import type { Experiment } from "../shared/experiment";
import { round4 } from "../shared/figures";
import type { Findings, LayerResult, Results, Snapshot } from "../shared/results";
import { procrustesAligned } from "./align";
import { findings, separates } from "./findings";
import { analyseLayers } from "./layers";
import type { Activations } from "./model";
import { flows } from "./paths";
import type { BackendPreference, Tf } from "./tf";

/** What the model gave when an epoch ended. */
export interface Recorded {
  epoch: number;
  acts: Activations;
  predicted: { index: Int32Array; confidence: Float32Array };
  accuracy: Findings["accuracy"];
}

export interface SnapshotContext {
  tf: Tf;
  backend: BackendPreference;
  exp: Experiment;
  keptCount: number;
  /** The hidden layers' names, as the final results give them. */
  layerNames: string[];
  signal?: AbortSignal;
  onProgress(done: number, total: number): void;
}

/** The epochs to record: those listed before the last (the final model is the main result). */
export function snapshotEpochs(exp: Pick<Experiment, "snapshots" | "training">): Set<number> {
  return new Set((exp.snapshots ?? []).filter((e) => e < exp.training.epochs));
}

async function analysed(rec: Recorded, final: Results, ctx: SnapshotContext): Promise<Snapshot> {
  const { exp, keptCount } = ctx;
  const { labels, injected } = final.images;
  const jobs = rec.acts.hidden.map((signatures, l) => ({
    name: ctx.layerNames[l],
    signatures,
    dim: rec.acts.sizes[l],
    labels,
    keptCount,
    clustering: exp.clustering,
    projection: exp.projection,
    seed: exp.seed,
  }));
  const { layers } = await analyseLayers(ctx.tf, jobs, ctx.backend, () => undefined, ctx.signal);
  const predictions = Array.from(rec.predicted.index, (p) => final.classes[p]);
  const pathInput = { labels, injected, assignments: layers.map((l) => l.assignments), predictions };
  return {
    epoch: rec.epoch,
    predictions,
    confidence: Array.from(rec.predicted.confidence, round4),
    layers,
    flows: flows({ ...pathInput, classNames: final.classNames }),
    findings: findings({ ...pathInput, classes: final.classes, layers, accuracy: rec.accuracy }),
  };
}

/** Each snapshot analysed, ascending by epoch, its maps aligned to the next snapshot's and the last to `final`'s. */
export async function analysedSnapshots(recorded: Recorded[], final: Results, ctx: SnapshotContext): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  for (const rec of [...recorded].sort((a, b) => a.epoch - b.epoch)) {
    ctx.onProgress(snapshots.length, recorded.length);
    snapshots.push(await analysed(rec, final, ctx));
  }
  let next: LayerResult[] = final.layers;
  for (const snapshot of [...snapshots].reverse()) {
    snapshot.layers.forEach((layer, l) => (layer.umap = procrustesAligned(layer.umap, next[l].umap).map(round4)));
    next = snapshot.layers;
  }
  return snapshots;
}

/**
 * Per hidden layer: the first recorded epoch from which it separates the kept digits in every
 * later snapshot and in the final model; null when the final model's layer does not.
 */
export function separationEpochs(results: Results): (number | null)[] {
  const stages = [...(results.snapshots ?? []), { epoch: results.experiment.training.epochs, findings: results.findings }];
  return results.findings.layers.map((_, l) => {
    let from: number | null = null;
    for (const stage of [...stages].reverse()) {
      if (!separates(stage.findings.layers[l], results.classes)) break;
      from = stage.epoch;
    }
    return from;
  });
}
