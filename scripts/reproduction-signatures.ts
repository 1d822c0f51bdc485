// Figures of the signatures themselves, which the results file does not keep: measured in
// scripts/reproduce.ts while each run's signatures are at hand (runExperiment's onSignatures),
// for REPRODUCTION.md's section 4 (why the 3s lean to one side).
import type { Results } from "../src/shared/results";

/** One hidden layer's signatures, summarised per group of images (a kept class, or an injected one). */
export interface LayerSignatureFigures {
  /** Units in the layer. */
  size: number;
  /** Group ("1", "7", "injected 3"...) -> kept class -> mean Euclidean distance of the group's signatures to that class's mean signature. */
  distanceToMean: Record<string, Record<string, number>>;
  /** Group -> mean number of units above 0 per image. */
  activeUnits: Record<string, number>;
  /** Group -> mean over its images of the mean value of the units above 0. */
  activeValue: Record<string, number>;
}

export type SignatureFigures = LayerSignatureFigures[];

/** The group an image belongs to: its class when kept, "injected D" when injected. */
export const groupName = (r: Results, i: number) => (r.images.injected[i] ? `injected ${r.images.labels[i]}` : String(r.images.labels[i]));

/** Per hidden layer: each group's distances to each kept class's mean signature, and how many units it lights, how strongly. */
export function signatureFigures(r: Results, signatures: { hidden: Float32Array[]; sizes: number[] }): SignatureFigures {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < r.images.count; i++) groups.set(groupName(r, i), [...(groups.get(groupName(r, i)) ?? []), i]);
  return signatures.hidden.map((values, l) => {
    const size = signatures.sizes[l];
    const row = (i: number) => values.subarray(i * size, (i + 1) * size);
    const means = new Map(
      r.classes.map((c) => {
        const members = groups.get(String(c)) ?? [];
        const mean = new Float64Array(size);
        for (const i of members) row(i).forEach((v, u) => (mean[u] += v / members.length));
        return [String(c), mean];
      }),
    );
    const distanceToMean: Record<string, Record<string, number>> = {};
    const activeUnits: Record<string, number> = {};
    const activeValue: Record<string, number> = {};
    for (const [group, members] of groups) {
      distanceToMean[group] = Object.fromEntries(
        [...means].map(([c, mean]) => [
          c,
          members.reduce((s, i) => s + Math.sqrt(row(i).reduce((d, v, u) => d + (v - mean[u]) ** 2, 0)), 0) / members.length,
        ]),
      );
      const active = members.map((i) => row(i).filter((v) => v > 0));
      activeUnits[group] = active.reduce((s, a) => s + a.length, 0) / members.length;
      const lit = active.filter((a) => a.length > 0);
      activeValue[group] = lit.reduce((s, a) => s + a.reduce((t, v) => t + v, 0) / a.length, 0) / Math.max(1, lit.length);
    }
    return { size, distanceToMean, activeUnits, activeValue };
  });
}
