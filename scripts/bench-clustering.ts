// `npm run bench:clustering [-- --sizes 200,10000,70000] [--restarts 1,3,10] [--stability 0,20]`:
// what several k-means starts (`clustering.restarts`) and the stability runs (`stability.runs`)
// cost, on the built-in MNIST at 200 images (the report's example, examples/ones-vs-sevens.mtq.json,
// with its 200 injected 4s and 3s), 10,000 (examples/all-of-mnist.mtq.json with 1,000 of each digit)
// and 70,000 (examples/all-of-mnist.mtq.json). Each row is one whole run, training included: its
// stages' times, the k chosen per layer, the chosen fit's inertia per layer, the largest drop of any
// k's inertia against the size's first row (one start) and, with stability runs, each layer's mean
// ARI and k tally. `--parts` times the parts of one stability run instead (below); `--pass
// [--against COMMIT]` the exact distance pass against distances.ts at COMMIT (default 4457d82, the
// TF.js ops it replaced); `--sampled --against COMMIT` the sampled silhouettes likewise, and
// `--layers --against COMMIT` a whole layer's clustering on all 70,000 digits (below).
// Prints figures; asserts nothing but `--pass`'s identical figures (exit 1 if not).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { parse } from "jsonc-parser";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { pooledDigits } from "./pooledDigits";
import { bestScore, clusterSample, kmeansFits, silhouetteColumns } from "../src/pipeline/cluster";
import { distancePass, gathered, sampledSilhouettes, type SilhouetteScores } from "../src/pipeline/distances";
import { mnistSignatures } from "./mnistSignatures";
import { bootstrapResample } from "../src/pipeline/stability";
import { loadTf } from "../src/pipeline/tf";
import { EXACT_LIMIT } from "../src/shared/figures";
import { runExperiment } from "../src/pipeline/run";
import type { Results } from "../src/shared/results";
import { tableRow } from "./table";
import { commandLine, usageError, wholeNumber } from "./args";
import { moduleAt } from "./sourceAt";
import { median } from "./median";

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

const USAGE =
  "npm run bench:clustering -- [--sizes 200,10000,70000] [--restarts 1,3,10] [--stability 0,20] | --parts | " +
  "--pass [--size N] [--against COMMIT] | --sampled --against COMMIT | --layers --against COMMIT";
const { values } = commandLine(
  {
    options: {
      sizes: { type: "string", default: "200,10000,70000" },
      restarts: { type: "string", default: "1,3,10" },
      stability: { type: "string", default: "0" },
      parts: { type: "boolean" },
      pass: { type: "boolean" },
      sampled: { type: "boolean" },
      layers: { type: "boolean" },
      size: { type: "string" },
      against: { type: "string" },
    },
  },
  USAGE,
);
const list = (name: string, value: string) => value.split(",").map((v) => wholeNumber(name, v, 0, 0, USAGE));

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

/** CPU seconds of the process while `work` runs (the machine's load aside). */
async function cpuSeconds<T>(work: () => Promise<T>): Promise<[T, number]> {
  const before = process.cpuUsage();
  const out = await work();
  const used = process.cpuUsage(before);
  return [out, (used.user + used.system) / 1e6];
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

type DistancesModule = typeof import("../src/pipeline/distances");
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

/**
 * `--pass [--size N] [--against COMMIT]`: the exact distance pass (distances.ts) against
 * distances.ts at COMMIT (default 4457d82: the TF.js ops its loop replaced) on the built-in model's
 * signatures of N digits (10,000 when not given), k = 2..10 fitted as the pipeline fits them (3
 * starts), 15 neighbours: the two alternate three times per layer, each timed in CPU seconds, and
 * every silhouette and neighbour is compared bit for bit.
 */
async function pass() {
  const { tf } = await loadTf();
  const size = wholeNumber("--size", values.size, 10_000, 2, USAGE);
  const commit = values.against ?? "4457d82";
  const then = await moduleAt<DistancesModule>(commit, "src/pipeline/distances.ts");
  console.log(`load average at start: ${load()} (1, 5, 15 min) on ${cpus().length} cores; node ${process.version}`);
  const { hidden, sizes } = await mnistSignatures(size);
  console.log(tableRow(["layer", "values per image", `exact pass at ${commit} (CPU s)`, "today (CPU s)", "ratio", "identical"]));
  console.log("|---|---:|---:|---:|---:|---|");
  let allIdentical = true;
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const n = points.length / dim;
    const fits = await kmeansFits(points, dim, { kMin: 2, kMax: 10, seed: 24, restarts: 3 });
    const input = { points, dim, clustered: n, clusterings: fits, neighbours: 15 };
    const old: number[] = [];
    const ours: number[] = [];
    let identical = true;
    for (let round = 0; round < 3; round++) {
      const [before, oldSeconds] = await cpuSeconds(() => then.distancePass(tf, input));
      const [after, ourSeconds] = await cpuSeconds(() => distancePass(tf, input));
      old.push(oldSeconds);
      ours.push(ourSeconds);
      identical &&=
        after.silhouettes.every((s, ci) => sameBits(s.perPoint, before.silhouettes[ci].perPoint)) &&
        after.neighbours.indices.every((row, i) => sameBits(row, before.neighbours.indices[i])) &&
        after.neighbours.distances.every((row, i) => sameBits(row, before.neighbours.distances[i]));
    }
    allIdentical &&= identical;
    console.log(
      tableRow([
        l + 1,
        dim,
        old.map((t) => t.toFixed(2)).join(", "),
        ours.map((t) => t.toFixed(2)).join(", "),
        `${(median(old) / median(ours)).toFixed(2)}x`,
        identical ? "yes" : "NO",
      ]),
    );
  }
  console.log(`load average at end: ${load()}`);
  if (!allIdentical) process.exitCode = 1;
}

/**
 * `--sampled --against COMMIT`: the sampled silhouettes (distances.ts sampledSilhouettes) of today
 * against COMMIT's on the built-in model's signatures of all 70,000 digits, as the pipeline runs
 * them there: the 10,000-image sample among itself for the nine fits that choose k, then every
 * image at the chosen k against the columns (silhouetteColumns). The two alternate three times per
 * layer, in CPU seconds; the means and k chosen of both, and the largest difference of any image's
 * silhouette.
 */
async function sampled() {
  const { tf } = await loadTf();
  if (!values.against) usageError("--sampled needs --against COMMIT", USAGE);
  const commit = values.against;
  const then = await moduleAt<DistancesModule>(commit, "src/pipeline/distances.ts");
  console.log(`load average at start: ${load()} (1, 5, 15 min) on ${cpus().length} cores; node ${process.version}`);
  const { hidden, sizes } = await mnistSignatures(70_000);
  console.log(
    tableRow([
      "layer",
      "pass",
      `at ${commit} (CPU s)`,
      "today (CPU s)",
      "ratio",
      `mean at ${commit}`,
      "mean today",
      "k chosen",
      "largest difference",
    ]),
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---|---:|");
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const n = points.length / dim;
    const sample = clusterSample(n, 24)!;
    const fits = await kmeansFits(points, dim, { kMin: 2, kMax: 10, seed: 24, restarts: 3, sample });
    const among = {
      points: gathered(points, dim, sample),
      dim,
      rows: sample.length,
      columns: Int32Array.from(sample, (_, j) => j),
      clusterings: fits.map((f) => ({ k: f.k, labels: Int32Array.from(sample, (p) => f.labels[p]) })),
    };
    const fit = fits[bestScore(await sampledSilhouettes(tf, among))];
    const each = { points, dim, rows: n, columns: silhouetteColumns(sample, n, 24), clusterings: [fit] };
    for (const [name, input] of [
      ["the sample among itself, 9 fits", among],
      [`each image at k = ${fit.k}`, each],
    ] as const) {
      const old: number[] = [];
      const ours: number[] = [];
      let before: SilhouetteScores[] = [];
      let after: SilhouetteScores[] = [];
      for (let round = 0; round < 3; round++) {
        let seconds: number;
        [before, seconds] = await cpuSeconds(() => then.sampledSilhouettes(tf, input));
        old.push(seconds);
        [after, seconds] = await cpuSeconds(() => sampledSilhouettes(tf, input));
        ours.push(seconds);
      }
      let largest = 0;
      before.forEach((s, ci) => s.perPoint.forEach((v, i) => (largest = Math.max(largest, Math.abs(v - after[ci].perPoint[i])))));
      const k = (scores: SilhouetteScores[]) => input.clusterings[bestScore(scores)].k;
      console.log(
        tableRow([
          `${l + 1} (${dim})`,
          name,
          old.map((t) => t.toFixed(2)).join(", "),
          ours.map((t) => t.toFixed(2)).join(", "),
          `${(median(old) / median(ours)).toFixed(2)}x`,
          before.map((s) => s.mean.toFixed(4)).join(", "),
          after.map((s) => s.mean.toFixed(4)).join(", "),
          `${k(before)}, ${k(after)}`,
          largest.toExponential(1),
        ]),
      );
    }
  }
  console.log(`load average at end: ${load()}`);
}

/**
 * `--layers --against COMMIT`: each layer's clustering on the built-in model's signatures of all
 * 70,000 digits (clusterLayer: the sampled k-means and silhouettes and the partitioned neighbour
 * search, what the pipeline's "cluster" stage runs per layer), from COMMIT's source tree (git
 * archive, beside today's node_modules) and from today's, each in its own process
 * (scripts/clusterLayerRun.ts), alternating three times per layer: wall and CPU seconds, k and
 * silhouette.
 */
async function layers() {
  if (!values.against) usageError("--layers needs --against COMMIT", USAGE);
  const commit = values.against;
  const root = join(__dirname, "..");
  const then = mkdtempSync(join(tmpdir(), "mtq-layers-"));
  execFileSync("sh", ["-c", `git archive ${JSON.stringify(commit)} src | tar -x -C ${JSON.stringify(then)}`], { cwd: root });
  symlinkSync(join(root, "node_modules"), join(then, "node_modules"));
  console.log(`load average at start: ${load()} (1, 5, 15 min) on ${cpus().length} cores; node ${process.version}`);
  const { hidden, sizes } = await mnistSignatures(70_000);
  console.log(tableRow(["layer", "tree", "wall (s)", "CPU (s)", "k", "silhouette", "load at start"]));
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const [l, points] of hidden.entries()) {
    const file = join(then, `layer${l}.f32`);
    writeFileSync(file, points);
    for (let round = 0; round < 3; round++)
      for (const [name, tree] of [
        [commit, then],
        ["today", root],
      ]) {
        const out = execFileSync(
          process.execPath,
          ["--import", "tsx", join(__dirname, "clusterLayerRun.ts"), tree, file, String(sizes[l])],
          {
            cwd: root,
            encoding: "utf8",
          },
        );
        const run = JSON.parse(out.trim().split("\n").pop()!) as { wall: number; cpu: number; k: number; silhouette: number; load: number };
        console.log(
          tableRow([`${l + 1} (${sizes[l]})`, name, run.wall.toFixed(1), run.cpu.toFixed(2), run.k, run.silhouette, run.load.toFixed(1)]),
        );
      }
  }
  console.log(`load average at end: ${load()}`);
}

async function main() {
  if (values.parts) return parts();
  if (values.pass) return pass();
  if (values.sampled) return sampled();
  if (values.layers) return layers();
  const sizes = values.sizes.split(",");
  const restarts = list("--restarts", values.restarts);
  const runs = list("--stability", values.stability);
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
