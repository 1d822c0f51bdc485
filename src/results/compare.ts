// Two results compared: clusters matched layer by layer (contingency matrix, adjusted Rand index)
// over the images both analysed, and the images whose path changed.
import type { ChangedPath, ComparedSide, Comparison, LayerComparison } from "../shared/comparison";
import { round4 } from "../shared/figures";
import type { Results } from "../shared/results";

/** Under this share of the smaller file's images in common, the figures describe only part of each. */
const FEW_SHARED = 0.5;

/** counts[i][j]: items with cluster i in `a` and cluster j in `b`. */
export function contingencyMatrix(a: ArrayLike<number>, b: ArrayLike<number>, kA: number, kB: number): number[][] {
  const counts = Array.from({ length: kA }, () => new Array<number>(kB).fill(0));
  for (let n = 0; n < a.length; n++) counts[a[n]][b[n]]++;
  return counts;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/**
 * Hubert and Arabie's adjusted Rand index of a contingency matrix: agreement on which pairs of
 * items share a cluster, corrected for chance. Null under 2 items (no pair to agree on); 1 when
 * both partitions are trivial in the same way (as scikit-learn does).
 */
export function adjustedRandIndex(contingency: number[][]): number | null {
  const rows = contingency.map((r) => r.reduce((s, x) => s + x, 0));
  const cols = (contingency[0] ?? []).map((_, j) => contingency.reduce((s, r) => s + r[j], 0));
  const n = rows.reduce((s, x) => s + x, 0);
  if (n < 2) return null;
  const index = contingency.reduce((s, r) => s + r.reduce((t, x) => t + pairs(x), 0), 0);
  const rowPairs = rows.reduce((s, x) => s + pairs(x), 0);
  const colPairs = cols.reduce((s, x) => s + pairs(x), 0);
  const expected = (rowPairs * colPairs) / pairs(n);
  const max = (rowPairs + colPairs) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Per row: the column with the largest count (the first on ties), -1 for an empty row. */
function majorityColumns(contingency: number[][]): number[] {
  return contingency.map((r) => (r.some((x) => x > 0) ? r.indexOf(Math.max(...r)) : -1));
}

function modelDescription(results: Results): string {
  // Imported signatures: the experiment's model is only the schema's default, no model ran.
  if (results.imported) return `signatures imported from ${results.imported.files.join(", ")}`;
  const m = results.experiment.model;
  if (m.kind === "dense") return `dense ${m.hidden.join("-")}`;
  if (m.kind === "cnn") return `cnn ${m.conv.map((c) => c.filters).join("-")}${m.dense.length ? ` + dense ${m.dense.join("-")}` : ""}`;
  return `${m.kind} ${m.path}`;
}

function sideOf(results: Results, file: string): ComparedSide {
  return {
    file,
    name: results.experiment.name,
    seed: results.seed,
    model: modelDescription(results),
    classes: results.classes,
    ...(results.classNames && { classNames: results.classNames }),
    imageCount: results.images.count,
    layerNames: results.layers.map((l) => l.name),
    findings: results.findings,
  };
}

/** Images present in both, as index pairs, in A's order. */
function matchedImages(a: Results, b: Results): { a: number[]; b: number[] } {
  const key = (r: Results, i: number) => `${r.images.split[i]}:${r.images.sourceIndex[i]}`;
  const inB = new Map<string, number>();
  for (let i = 0; i < b.images.count; i++) inB.set(key(b, i), i);
  const matched = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < a.images.count; i++) {
    const j = inB.get(key(a, i));
    if (j === undefined) continue;
    matched.a.push(i);
    matched.b.push(j);
  }
  return matched;
}

function notesOn(a: Results, b: Results, shared: number): string[] {
  const notes: string[] = [];
  const smaller = Math.min(a.images.count, b.images.count);
  if (shared === 0)
    notes.push("The two results share no image (matched by split and source index): nothing to compare. Run both on the same data.");
  else if (shared < FEW_SHARED * smaller)
    notes.push(`Only ${shared} images are in both (of ${a.images.count} and ${b.images.count}): the figures describe those alone.`);
  if (a.layers.length !== b.layers.length) {
    const depth = Math.min(a.layers.length, b.layers.length);
    notes.push(
      `A has ${a.layers.length} hidden layers and B ${b.layers.length}: the ${depth} nearest the output are compared, the last with the last.`,
    );
  }
  if (a.classes.join() !== b.classes.join())
    notes.push(`The models tell apart different digits (${a.classes.join(", ")} vs ${b.classes.join(", ")}).`);
  return notes;
}

/** B's numbers for these images of A (those B also holds), for selecting them in B's view. */
export function imagesInB(comparison: Comparison, imagesOfA: number[]): number[] {
  const inB = new Map(comparison.matched.a.map((i, n) => [i, comparison.matched.b[n]]));
  return imagesOfA.flatMap((i) => (inB.has(i) ? [inB.get(i)!] : []));
}

export function compareResults(a: Results, b: Results, fileA: string, fileB: string): Comparison {
  const matched = matchedImages(a, b);
  // Both models end at the same decision: with different depths (dense vs CNN), the layers nearest
  // the output are the comparable ones; a CNN's extra layers are early feature detectors.
  const depth = Math.min(a.layers.length, b.layers.length);
  const layers: LayerComparison[] = Array.from({ length: depth }, (_, l) => {
    const [layerA, layerB] = [a.layers.length - depth + l, b.layers.length - depth + l];
    const { k: kA, assignments: inA } = a.layers[layerA];
    const { k: kB, assignments: inB } = b.layers[layerB];
    const clusters = { a: matched.a.map((i) => inA[i]), b: matched.b.map((i) => inB[i]) };
    const contingency = contingencyMatrix(clusters.a, clusters.b, kA, kB);
    const ari = adjustedRandIndex(contingency);
    return {
      layerA,
      layerB,
      kA,
      kB,
      clusters,
      contingency,
      ari: ari === null ? null : round4(ari),
      correspondence: majorityColumns(contingency),
    };
  });
  const changed: ChangedPath[] = [];
  matched.a.forEach((i, n) => {
    const j = matched.b[n];
    const moved = layers.flatMap((c, l) => (c.correspondence[c.clusters.a[n]] === c.clusters.b[n] ? [] : [l + 1]));
    const predictionA = a.predictions[i];
    const predictionB = b.predictions[j];
    if (moved.length > 0 || predictionA !== predictionB) changed.push({ a: i, b: j, layers: moved, predictionA, predictionB });
  });
  return { a: sideOf(a, fileA), b: sideOf(b, fileB), matched, layers, changed, notes: notesOn(a, b, matched.a.length) };
}
