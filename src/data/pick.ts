// The report's cut_data: keep the listed digits, at most n of each, either the first ones in
// file order or a seeded random sample (returned in file order too). The run picks its images
// with `picks`; the checks call it too, to judge the images the run will decode and no others.
import { hasTestSplit, type Experiment } from "../shared/experiment";
import { randomFor, shuffled, type Random } from "./random";
import type { Split } from "./source";

export type PickMode = "first" | "random";

/** Indices of at most `perDigit` images of each digit, in file order; `exclude` marks indices already used. */
export function pickIndices(
  labels: Uint8Array,
  digits: readonly number[],
  perDigit: number,
  mode: PickMode,
  random: Random,
  exclude?: Uint8Array,
): Int32Array {
  const byDigit = new Map<number, number[]>(digits.map((d) => [d, []]));
  for (let i = 0; i < labels.length; i++) {
    if (exclude?.[i]) continue;
    const list = byDigit.get(labels[i]);
    if (list && (mode === "random" || list.length < perDigit)) list.push(i);
  }
  // flatMap, not push(...list): a spread of more than about 120,000 arguments overflows the stack (a million imported signatures).
  const picked = digits.flatMap((d) => {
    const list = byDigit.get(d)!;
    return mode === "first" ? list : shuffled(list, random).slice(0, perDigit);
  });
  return Int32Array.from(picked).sort();
}

type Data = Experiment["data"];

/** Where the held-out images come from: with "train+test" the test images are in the pool, so the pool's rest. */
export function holdoutFrom(data: Data): "test-split" | "rest" {
  return data.holdout.from ?? (data.from === "train" && hasTestSplit(data.source) ? "test-split" : "rest");
}

/** The splits the kept and injected images are picked from, in pool order. */
export function poolSplits(data: Pick<Data, "from">): Split[] {
  return data.from === "train+test" ? ["train", "test"] : ["train"];
}

/** The labels of the pool: each split's labels one after the other (copied only when there are two). */
export function poolLabels(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const labels = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    labels.set(p, at);
    at += p.length;
  }
  return labels;
}

export interface Picks {
  /** Indices into the pool (the splits of `poolSplits`, one after the other). */
  kept: Int32Array;
  injected: Int32Array;
  /** Indices into the test split when `holdoutFromTest`, else into the pool. */
  holdout: Int32Array;
  holdoutFromTest: boolean;
}

/** The images an experiment takes, given each split's labels: the kept, the injected and the held-out ones. */
export function picks(exp: Pick<Experiment, "data" | "inject" | "seed">, labelsOf: (split: Split) => Uint8Array | undefined): Picks {
  const { digits, perDigit, pick } = exp.data;
  const labels = poolLabels(poolSplits(exp.data).map((s) => labelsOf(s)!));
  const kept = pickIndices(labels, digits, perDigit === "all" ? Infinity : perDigit, pick, randomFor(exp.seed, "pick"));
  const used = new Uint8Array(labels.length);
  kept.forEach((i) => (used[i] = 1));
  const injected = Int32Array.from(
    exp.inject.flatMap((inj) => Array.from(pickIndices(labels, [inj.digit], inj.count, pick, randomFor(exp.seed, `inject:${inj.digit}`)))),
  );
  const holdoutFromTest = holdoutFrom(exp.data) === "test-split";
  const holdout = pickIndices(
    holdoutFromTest ? labelsOf("test")! : labels,
    digits,
    exp.data.holdout.perDigit,
    "first",
    randomFor(exp.seed, "holdout"),
    holdoutFromTest ? undefined : used,
  );
  return { kept, injected, holdout, holdoutFromTest };
}
