// The one selection every view shows: a set of images, kept both as the protocol's sorted list
// and as a mask so each view can test membership in O(1) while drawing 10,000 points.
import type { Selection } from "../src/shared/protocol";

type Listener = (selection: Selection | null, byUser: boolean) => void;

export class SelectionModel {
  readonly mask: Uint8Array;
  current: Selection | null = null;
  private readonly listeners: Listener[] = [];

  constructor(imageCount: number) {
    this.mask = new Uint8Array(imageCount);
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Replaces the selection; `byUser` says it was picked in this view (and so goes to the host). */
  set(selection: Selection | null, byUser: boolean): void {
    const start = performance.now();
    const images = selection ? uniqueSorted(selection.images.filter((i) => i >= 0 && i < this.mask.length)) : [];
    this.current = selection && images.length > 0 ? { images, label: selection.label } : null;
    this.mask.fill(0);
    for (const i of images) this.mask[i] = 1;
    for (const l of this.listeners) l(this.current, byUser);
    // Read by the benchmark: the cost of one selection update across every view.
    performance.measure("mtq-selection", { start });
  }

  /** A user pick: with `add` (Shift held) it joins the current selection. */
  pick(images: number[], label: string, add: boolean): void {
    if (add && this.current) this.set({ images: [...this.current.images, ...images], label: `${this.current.label} + ${label}` }, true);
    else this.set({ images, label }, true);
  }

  clear(): void {
    if (this.current) this.set(null, true);
  }
}

function uniqueSorted(images: number[]): number[] {
  return [...new Set(images)].sort((a, b) => a - b);
}
