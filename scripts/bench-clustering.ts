// `npm run bench:clustering [-- --sizes 200,10000,70000] [--restarts 1,3,10] [--stability 0,20] | [-- --parts]`:
// what several k-means starts (`clustering.restarts`) and the stability runs (`stability.runs`)
// cost, on the built-in MNIST at 200 images (the report's example, examples/ones-vs-sevens.mtq.json,
// with its 200 injected 4s and 3s), 10,000 (examples/all-of-mnist.mtq.json with 1,000 of each digit)
// and 70,000 (examples/all-of-mnist.mtq.json). Each row is one whole run, training included: its
// stages' times, the k chosen per layer, the chosen fit's inertia per layer, the largest drop of any
// k's inertia against the size's first row (one start) and, with stability runs, each layer's mean
// ARI and k tally. `--parts` times the parts of one stability run instead (below); `--pass` the
// exact distance pass against the TF.js ops it replaced (below). Prints figures; asserts nothing
// but `--pass`'s identical figures (exit 1 if not).
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parse } from "jsonc-parser";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { pooledDigits } from "./pooledDigits";
import { kmeansFits } from "../src/pipeline/cluster";
import { distancePass, sampledSilhouettes, type Clustering, type Neighbours } from "../src/pipeline/distances";
import { mnistSignatures } from "./mnistSignatures";
import { bootstrapResample } from "../src/pipeline/stability";
import { loadTf, type Tf } from "../src/pipeline/tf";
import { EXACT_LIMIT } from "../src/shared/figures";
import { runExperiment } from "../src/pipeline/run";
import type { Results } from "../src/shared/results";
import { tableRow } from "./table";

const examples = join(__dirname, "..", "examples");
const jsonc = (file: string) => parse(readFileSync(join(examples, file), "utf8")) as object;

const SIZES: Record<string, { label: string; file: string; experiment: () => object }> = {
  "200": { label: "200 (1 vs 7) + 200 injected", file: "ones-vs-sevens.mtq.json", experiment: () => jsonc("ones-vs-sevens.mtq.json") },
  "10000": {
    label: "10,000 (all digits)",
    file: "all-of-mnist.mtq.json",
    experiment: () => ({ ...jsonc("all-of-mnist.mtq.json"), name: "ten-thousand", data: { source: "mnist", digits: ALL, perDigit: 1000 } }),
  },
  "70000": { label: "70,000 (all of MNIST)", file: "all-of-mnist.mtq.json", experiment: () => jsonc("all-of-mnist.mtq.json") },
};
const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function option(name: string, fallback: string): string[] {
  const at = process.argv.indexOf(`--${name}`);
  return (at >= 0 ? process.argv[at + 1] : fallback).split(",");
}

const seconds = (ms?: number) => ((ms ?? 0) / 1000).toFixed(1);

/** Per layer: the inertia of the chosen k's fit, the figure several starts lower. */
const chosenInertia = (results: Results) => results.layers.map((l) => l.inertiaCurve[l.kValues.indexOf(l.k)].toFixed(0)).join(", ");

/** Per layer: the largest drop over k of the inertia against the size's first row (one start, unless asked otherwise), in percent. */
function inertiaDrop(results: Results, first: Results): string {
  return results.layers
    .map((l, i) => {
      const drops = l.inertiaCurve.map((x, j) => 1 - x / first.layers[i].inertiaCurve[j]);
      return `${(100 * Math.max(...drops)).toFixed(1)}%`;
    })
    .join(", ");
}

function stabilityCells(results: Results): string[] {
  const stability = results.layers.map((l) => l.stability);
  if (stability.some((s) => !s)) return ["-", "-"];
  return [
    stability.map((s) => s!.ari.mean.toFixed(3)).join(", "),
    stability
      .map((s) =>
        Object.entries(s!.kChosen)
          .map(([k, n]) => `${k}:${n}`)
          .join(" "),
      )
      .join("; "),
  ];
}

/**
 * `--parts`: the parts of one stability run, timed on one bootstrap resample of pooled digits (no
 * training): one start's k-means for k = 2..10, and its silhouettes, exact and from 2,000 sampled
 * columns, at 10,000; one start's k-means alone at 60,000.
 */
async function parts() {
  const { tf } = await loadTf();
  console.log(tableRow(["digits", "k-means, one start, k = 2..10", "exact silhouettes", "silhouettes from 2,000 columns"]));
  console.log("|---:|---:|---:|---:|");
  for (const n of [10_000, 60_000]) {
    const points = pooledDigits(n);
    const drawn = new Float32Array(n * 49);
    bootstrapResample(24, 0, n).forEach((i, r) => drawn.set(points.subarray(i * 49, (i + 1) * 49), r * 49));
    let start = performance.now();
    const fits = await kmeansFits(drawn, 49, { kMin: 2, kMax: 10, seed: 24, restarts: 1 });
    const kmeansMs = performance.now() - start;
    const silhouettes = async (columns?: Int32Array) => {
      start = performance.now();
      if (columns) await sampledSilhouettes(tf, { points: drawn, dim: 49, rows: n, columns, clusterings: fits });
      else await distancePass(tf, { points: drawn, dim: 49, clustered: n, clusterings: fits, neighbours: 0 });
      return `${seconds(performance.now() - start)} s`;
    };
    const exact = n <= EXACT_LIMIT ? await silhouettes() : "-";
    const sampled = n <= EXACT_LIMIT ? await silhouettes(Int32Array.from({ length: 2000 }, (_, i) => i * (n / 2000))) : "-";
    console.log(tableRow([n.toLocaleString("en"), `${seconds(kmeansMs)} s`, exact, sampled]));
  }
}

/**
 * The exact distance pass as TF.js ops, as src/pipeline/distances.ts computed it before its loop:
 * per block of rows, the squared distances by broadcast sums, relu and sqrt, a one-hot mask for
 * each point itself, the per-cluster sums as D . M and the nearest points by topk.
 */
async function tensorOpsPass(tf: Tf, points: Float32Array, dim: number, clusterings: Clustering[], neighbours: number) {
  const n = points.length / dim;
  const offsets: number[] = [];
  let width = 0;
  for (const c of clusterings) {
    offsets.push(width);
    width += c.k;
  }
  const membership = new Float32Array(n * width);
  clusterings.forEach((c, ci) => c.labels.forEach((l, j) => (membership[j * width + offsets[ci] + l] = 1)));
  const sums = new Float32Array(n * width);
  const near: Neighbours = { indices: [], distances: [] };
  const x = tf.tensor2d(points, [n, dim]);
  const cT = tf.transpose(x);
  const squares = tf.sum(tf.square(x), 1);
  const m = tf.tensor2d(membership, [n, width]);
  const step = Math.max(32, Math.min(2048, Math.floor(4_000_000 / n)));
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const [s, values, indices] = tf.tidy(() => {
      const squared = tf.relu(
        tf.sub(
          tf.add(squares.slice([start], [rows]).reshape([rows, 1]), squares.reshape([1, n])),
          tf.mul(2, tf.matMul(x.slice([start, 0], [rows, dim]), cT)),
        ),
      );
      const self = tf.oneHot(tf.range(start, start + rows, 1, "int32"), n);
      const d = tf.mul(tf.sqrt(squared), tf.sub(1, self));
      const top = tf.topk(tf.neg(tf.sub(d, self)), neighbours);
      return [tf.matMul(d, m), top.values, top.indices];
    });
    sums.set(await s.data(), start * width);
    const v = await values.data();
    const idx = await indices.data();
    for (let r = 0; r < rows; r++) {
      const row = Array.from(idx.subarray(r * neighbours, (r + 1) * neighbours));
      near.indices.push(row);
      near.distances.push(Array.from(v.subarray(r * neighbours, (r + 1) * neighbours), (value, j) => (row[j] === start + r ? 0 : -value)));
    }
    tf.dispose([s, values, indices]);
  }
  tf.dispose([x, cT, squares, m]);
  return { sums, width, offsets, neighbours: near };
}

/** CPU seconds of the process while `work` runs (the machine's load aside). */
async function cpuSeconds<T>(work: () => Promise<T>): Promise<[T, number]> {
  const before = process.cpuUsage();
  const out = await work();
  const used = process.cpuUsage(before);
  return [out, (used.user + used.system) / 1e6];
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/**
 * `--pass [--size N]`: the exact distance pass (distances.ts) against tensorOpsPass on the built-in
 * model's signatures of N digits (10,000 when not given), k = 2..10 fitted as the pipeline fits them
 * (3 starts), 15 neighbours: the two alternate three times per layer, each timed in CPU seconds, and
 * every silhouette and neighbour is compared bit for bit. Then sampledSilhouettes of the same points
 * among themselves (what chooses k above 10,000 images), each pair's distance once, against row by
 * row, likewise.
 */
async function pass() {
  const { tf } = await loadTf();
  const size = Number(option("size", "10000")[0]);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(", ");
  console.log(`load average at start: ${load()} (1, 5, 15 min) on ${cpus().length} cores; node ${process.version}`);
  const { hidden, sizes } = await mnistSignatures(size);
  console.log(
    tableRow([
      "layer",
      "values per image",
      "exact pass: TF.js ops (CPU s)",
      "distances.ts (CPU s)",
      "ratio",
      "among itself: row by row (CPU s)",
      "each pair once (CPU s)",
      "ratio",
      "identical",
    ]),
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---|");
  let allIdentical = true;
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const n = points.length / dim;
    const fits = await kmeansFits(points, dim, { kMin: 2, kMax: 10, seed: 24, restarts: 3 });
    const ops: number[] = [];
    const ours: number[] = [];
    let identical = true;
    for (let round = 0; round < 3; round++) {
      const [before, opsSeconds] = await cpuSeconds(() => tensorOpsPass(tf, points, dim, fits, 15));
      const [after, ourSeconds] = await cpuSeconds(() =>
        distancePass(tf, { points, dim, clustered: n, clusterings: fits, neighbours: 15 }),
      );
      ops.push(opsSeconds);
      ours.push(ourSeconds);
      // The silhouettes as distances.ts derives them from the reference's sums.
      const reference = fits.map((f, ci) => silhouettesFromSums(before.sums, before.width, before.offsets[ci], f));
      identical &&=
        after.silhouettes.every((s, ci) => sameBits(s.perPoint, reference[ci])) &&
        after.neighbours.indices.every((row, i) => sameBits(row, before.neighbours.indices[i])) &&
        after.neighbours.distances.every((row, i) => sameBits(row, before.neighbours.distances[i]));
    }
    // sampledSilhouettes among itself (each pair once) against row by row: the same points with one
    // more row that is not a column, which takes it row by row; the columns' silhouettes compared.
    const among: number[] = [];
    const byRow: number[] = [];
    const extended = new Float32Array(points.length + dim);
    extended.set(points);
    const columns = Int32Array.from({ length: n }, (_, i) => i);
    for (let round = 0; round < 3; round++) {
      const [once, onceSeconds] = await cpuSeconds(() => sampledSilhouettes(tf, { points, dim, rows: n, columns, clusterings: fits }));
      const [rowwise, rowSeconds] = await cpuSeconds(() =>
        sampledSilhouettes(tf, {
          points: extended,
          dim,
          rows: n + 1,
          columns,
          clusterings: fits.map((f) => ({ k: f.k, labels: Int32Array.from({ length: n + 1 }, (_, i) => f.labels[Math.min(i, n - 1)]) })),
        }),
      );
      among.push(onceSeconds);
      byRow.push(rowSeconds);
      identical &&= once.every((s, ci) => sameBits(s.perPoint, rowwise[ci].perPoint.subarray(0, n)));
    }
    allIdentical &&= identical;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    console.log(
      tableRow([
        l + 1,
        dim,
        ops.map((t) => t.toFixed(2)).join(", "),
        ours.map((t) => t.toFixed(2)).join(", "),
        `${(median(ops) / median(ours)).toFixed(2)}x`,
        byRow.map((t) => t.toFixed(2)).join(", "),
        among.map((t) => t.toFixed(2)).join(", "),
        `${(median(byRow) / median(among)).toFixed(2)}x`,
        identical ? "yes" : "NO",
      ]),
    );
  }
  console.log(`load average at end: ${load()}`);
  if (!allIdentical) process.exitCode = 1;
}

/** Each point's exact silhouette from its per-cluster distance sums, as distances.ts computes it. */
function silhouettesFromSums(sums: Float32Array, width: number, offset: number, { k, labels }: Clustering): Float32Array {
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  return Float32Array.from(labels, (own, i) => {
    if (sizes[own] <= 1) return 0;
    const row = i * width + offset;
    const a = sums[row + own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[row + c] / sizes[c]);
    return b === Infinity || Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
  });
}

async function main() {
  if (process.argv.includes("--parts")) return parts();
  if (process.argv.includes("--pass")) return pass();
  const sizes = option("sizes", "200,10000,70000");
  const restarts = option("restarts", "1,3,10").map(Number);
  const runs = option("stability", "0").map(Number);
  const header = [
    "images",
    "restarts",
    "stability runs",
    "train",
    "cluster",
    "project",
    "stability",
    "total",
    "k per layer",
    "inertia at k",
    "largest inertia drop over k vs the first row",
  ];
  const columns = [...header, "ARI per layer", "k chosen in the runs"];
  console.log(tableRow(columns));
  // Figures right-aligned, words left.
  console.log(`|${columns.map((_, i) => (i >= 1 && i <= 7 ? "---:" : "---")).join("|")}|`);
  for (const size of sizes) {
    const c = SIZES[size];
    let first: Results | undefined;
    if (!c) throw new Error(`no size ${size}: one of ${Object.keys(SIZES).join(", ")}`);
    for (const r of restarts) {
      for (const n of runs) {
        const base = c.experiment() as { clustering?: object };
        const text = JSON.stringify({ ...base, clustering: { ...base.clustering, restarts: r }, stability: { runs: n } });
        const file = join(examples, c.file);
        const parsed = parseExperiment(text, file);
        if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
        const start = performance.now();
        const results = await runExperiment({ experiment: parsed.experiment, experimentFile: file });
        const total = performance.now() - start;
        const t = results.timings;
        first ??= results;
        console.log(
          tableRow([
            c.label,
            r,
            n,
            seconds(t.train),
            seconds(t.cluster),
            seconds(t.project),
            seconds(t.stability),
            `${seconds(total)} s`,
            results.layers.map((l) => l.k).join(", "),
            chosenInertia(results),
            inertiaDrop(results, first),
            ...stabilityCells(results),
          ]),
        );
      }
    }
  }
}

void main();
