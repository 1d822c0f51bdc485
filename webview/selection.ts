// The one selection every view shows, kept as a bitset (bitset.ts): the maps, the Sankey and the
// selection panel read it and the images whose state changed with each update, and the protocol's
// sorted list (posted to the host, saved with setState) is read off it in order.
import type { PostedSelection, Selection } from "../src/shared/protocol";
import { postedSelection } from "../src/shared/selectionBits";
import { Bitset } from "./bitset";

type Listener = (selection: Selection | null, byUser: boolean) => void;

export class SelectionModel {
  /** The selected images (none when nothing is selected). */
  bits: Bitset;
  /** The selection before the last update, and the images that update added or removed. */
  previous: Bitset;
  changed: Bitset;
  current: Selection | null = null;
  private readonly listeners: Listener[] = [];
  private readonly stagers: ((bits: Bitset) => void)[] = [];
  /** Whether a pick came since the last staging: the next staging is a new lasso's first. */
  private picked = true;

  constructor(readonly imageCount: number) {
    this.bits = new Bitset(imageCount);
    this.previous = this.bits;
    this.changed = new Bitset(imageCount);
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The selection as a message to the host carries it: listed, or as a bitset when that is shorter (none: null). */
  posted(): PostedSelection | null {
    return this.current && postedSelection(this.current, this.imageCount, this.bits.words);
  }

  /** Views that can ready themselves for a pick about to be made (the large maps' raster). */
  onStage(stager: (bits: Bitset) => void): void {
    this.stagers.push(stager);
  }

  /**
   * A pick about to be made (a lasso as it is drawn: `bits` what it encloses, `add` with Shift):
   * each view that can counts the selection it would make ahead, showing nothing, so that the
   * pick, when it comes, has only what changed since left to do.
   */
  stage(bits: Bitset, add: boolean): void {
    const start = performance.now();
    const next = add && this.current ? this.bits.union(bits) : bits;
    for (const s of this.stagers) s(next);
    // Read by the benchmark and the tests: what staging costs while a lasso is drawn. Only the
    // last lasso's are kept: the page's timeline keeps every measure until cleared.
    if (this.picked) performance.clearMeasures("mtq-staged");
    this.picked = false;
    performance.measure("mtq-staged", { start });
  }

  /** Replaces the selection; `byUser` says it was picked in this view (and so goes to the host). */
  set(selection: Selection | null, byUser: boolean): void {
    this.apply(Bitset.of(this.imageCount, selection?.images ?? []), selection?.label ?? "", byUser);
  }

  /** Replaces the selection with `bits`, not by the user: a view restoring the selection it showed (as a bitset, no list made and read again). */
  restore(bits: Bitset, label: string): void {
    this.apply(bits, label, false);
  }

  /** A user pick: with `add` (Shift held) it joins the current selection. */
  pick(images: Iterable<number>, label: string, add: boolean): void {
    this.pickBits(Bitset.of(this.imageCount, images), label, add);
  }

  /** A user pick already made as a bitset (a lasso's). */
  pickBits(bits: Bitset, label: string, add: boolean): void {
    if (add && this.current) this.apply(this.bits.union(bits), `${this.current.label} + ${label}`, true);
    else this.apply(bits, label, true);
  }

  clear(): void {
    if (this.current) this.set(null, true);
  }

  private apply(bits: Bitset, label: string, byUser: boolean): void {
    const start = performance.now();
    this.changed = this.bits.xor(bits);
    this.previous = this.bits;
    this.bits = bits;
    this.current = bits.count > 0 ? { images: bits.toArray(), label } : null;
    for (const l of this.listeners) l(this.current, byUser);
    this.picked = true;
    // Read by the benchmark: the cost of one selection update across every view (the last only, kept).
    performance.clearMeasures("mtq-selection");
    performance.measure("mtq-selection", { start });
  }
}
