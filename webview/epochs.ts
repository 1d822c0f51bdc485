// Training snapshots in the view: the epochs a results file can show, the model state at one of
// them, and the slider (with Play) that moves between them.
import { recordedEpochs, stateWhenEpochEnded } from "../src/shared/epochs";
import type { ModelState, Results } from "../src/shared/results";
import { button, el } from "./dom";

/** The epochs to step through: each snapshot's, then the final model's; empty without snapshots. */
export function epochStops(results: Results): number[] {
  const epochs = recordedEpochs(results);
  return epochs.length > 1 ? epochs : [];
}

/** The model state when `epoch` ended: that snapshot's, or the final model's (the results' own) for the last epoch or none. */
export function stateAt(results: Results, epoch: number | undefined): ModelState {
  return (epoch === undefined ? undefined : stateWhenEpochEnded(results, epoch)) ?? results;
}

export interface EpochControl {
  stops: number[];
  current: number;
  /** Moves the view to another epoch. */
  show(epoch: number): void;
  /** Whether Play is replaying the epochs. */
  playing: boolean;
  togglePlay(): void;
}

/** "Epoch [slider] 4 of 8 [Play]": a range input over the recorded epochs. */
export function epochSlider(control: EpochControl): HTMLElement {
  const { stops, current } = control;
  const box = el("div", "mtq-epochs");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Training epoch");
  const slider = el("input", "mtq-epoch-slider");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(stops.length - 1);
  slider.step = "1";
  slider.value = String(Math.max(0, stops.indexOf(current)));
  const last = stops[stops.length - 1];
  const text = (epoch: number) => `epoch ${epoch} of ${last}${epoch === last ? " (final)" : ""}`;
  slider.setAttribute("aria-valuetext", text(current));
  slider.title = `Replay training: the clusters, paths and findings at each recorded epoch (${stops.join(", ")})`;
  slider.addEventListener("input", () => control.show(stops[Number(slider.value)]));
  const label = el("span", "mtq-epoch-label", text(current));
  const play = button("mtq-button", control.playing ? "Pause" : "Play", "Replay the recorded epochs from the first", () =>
    control.togglePlay(),
  );
  play.setAttribute("aria-pressed", String(control.playing));
  box.dataset.epoch = String(current);
  box.append(el("span", "mtq-toggle-label", "Epoch"), slider, label, play);
  return box;
}
