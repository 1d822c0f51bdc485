// `npm run bench:clustering [-- --sizes 200,10000,70000] [--restarts 1,3,10] [--stability 0,20] | [-- --parts]`:
// what several k-means starts (`clustering.restarts`) and the stability runs (`stability.runs`)
// cost, on the built-in MNIST at 200 images (the report's example, examples/ones-vs-sevens.mtq.json,
// with its 200 injected 4s and 3s), 10,000 (examples/all-of-mnist.mtq.json with 1,000 of each digit)
// and 70,000 (examples/all-of-mnist.mtq.json). Each row is one whole run, training included: its
// stages' times, the k chosen per layer, the chosen fit's inertia per layer, the largest drop of any
// k's inertia against the size's first row (one start) and, with stability runs, each layer's mean
// ARI and k tally. `--parts` times the parts of one stability run instead (below). Prints figures;
// asserts nothing.
import { readFileSync } from "node:fs";
import { parse } from "jsonc-parser";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { pooledDigits } from "./pooledDigits";
import { kmeansFits } from "../src/pipeline/cluster";
import { distancePass, sampledSilhouettes } from "../src/pipeline/distances";
import { bootstrapResample } from "../src/pipeline/stability";
import { loadTf } from "../src/pipeline/tf";
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

async function main() {
  if (process.argv.includes("--parts")) return parts();
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
