// The model states a results file holds, by the epoch that ended each: the training snapshots'
// and the final model's. The view's epoch slider and the table export both read them here.
import type { ModelState, Results } from "./results";

/** The epochs whose model state the results hold: each snapshot's, then the final model's (the experiment's last epoch). */
export function recordedEpochs(results: Results): number[] {
  return [...(results.snapshots ?? []).map((s) => s.epoch), results.experiment.training.epochs];
}

/** The model state recorded when `epoch` ended: a snapshot's, the final model's for the last epoch, or undefined when the results hold none. */
export function stateWhenEpochEnded(results: Results, epoch: number): ModelState | undefined {
  if (epoch === results.experiment.training.epochs) return results;
  return results.snapshots?.find((s) => s.epoch === epoch);
}
