// The report's cut_data: keep the listed digits, at most n of each, either the first ones in
// file order or a seeded random sample (returned in file order too).
import { shuffled, type Random } from "../random";

export type PickMode = "first" | "random";

export function countPerLabel(labels: Uint8Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}

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
  const picked: number[] = [];
  for (const d of digits) {
    const list = byDigit.get(d)!;
    picked.push(...(mode === "first" ? list : shuffled(list, random).slice(0, perDigit)));
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}
