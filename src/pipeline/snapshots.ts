// Training snapshots: the model's signatures recorded when chosen epochs end, each analysed like
// the final model (modelState.ts), so a view can replay how paths form. Each epoch's maps are
// aligned to the next one's (the last to the final model's) so points do not jump.
import type { Experiment } from "../shared/experiment";
import { round4 } from "../shared/figures";
import type { LayerResult, Results, Snapshot } from "../shared/results";
import { procrustesAligned } from "./align";
import { separates } from "./findings";
import { analyseModelState, type Measured, type RunContext } from "./modelState";

/** What the model gave when an epoch ended. */
export interface Recorded extends Measured {
  epoch: number;
}

/** The epochs to record: those listed before the last (the final model is the main result). */
export function snapshotEpochs(exp: Pick<Experiment, "snapshots" | "training">): Set<number> {
  return new Set((exp.snapshots ?? []).filter((e) => e < exp.training.epochs));
}

/** Each snapshot analysed, ascending by epoch, its maps aligned to the next snapshot's and the last to the final model's `finalLayers`. */
export async function analysedSnapshots(
  recorded: Recorded[],
  finalLayers: LayerResult[],
  run: RunContext,
  onProgress: (done: number, total: number) => void,
): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  for (const { epoch, ...measured } of [...recorded].sort((a, b) => a.epoch - b.epoch)) {
    onProgress(snapshots.length, recorded.length);
    snapshots.push({ epoch, ...(await analyseModelState(measured, run)).state });
  }
  let next = finalLayers;
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
