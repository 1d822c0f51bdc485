// `npm run bench [LABEL PREFIX]`: each stage's time at 200, 2,000, 10,000 and 70,000 images on the
// built-in MNIST, whole pipeline, both hidden layers, with the peak memory, the k chosen per layer
// and whether the silhouettes were exact or sampled. Prints figures; asserts nothing.
// `npm run bench -- 70` runs only the largest.
import { join } from "node:path";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment } from "../src/check/experiment";
import { STAGES } from "../src/shared/results";
import { tableRow } from "./table";

/** The bench's experiments record no snapshots and run no stability runs (bench:clustering times those). */
const stages = STAGES.filter((s) => s !== "snapshots" && s !== "stability");

const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const cases = [
  { label: "200 (1 vs 7)", data: { digits: [1, 7], perDigit: 100 } },
  { label: "2,000 (all digits)", data: { digits: ALL_DIGITS, perDigit: 200 } },
  { label: "10,000 (all digits)", data: { digits: ALL_DIGITS, perDigit: 1000 } },
  { label: "70,000 (all of MNIST)", data: { digits: ALL_DIGITS, perDigit: "all", from: "train+test" } },
];
const only = process.argv[2];

async function main() {
  console.log(`| images | ${stages.join(" | ")} | total | peak memory | k per layer | silhouettes | backend |`);
  console.log(`|---|${stages.map(() => "---:").join("|")}|---:|---:|---|---|---|`);
  for (const c of cases.filter((c) => !only || c.label.startsWith(only))) {
    const parsed = parseExperiment(
      JSON.stringify({ name: "bench", data: c.data, training: { epochs: 5 } }),
      join(__dirname, "bench.mtq.json"),
    );
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    // The process's resident memory, worker threads included, sampled while it runs.
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
    const start = performance.now();
    const results = await runExperiment({ experiment: parsed.experiment, experimentFile: join(__dirname, "bench.mtq.json") });
    const total = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const s = (ms?: number) => ((ms ?? 0) / 1000).toFixed(1);
    const ks = results.layers.map((l) => l.k).join(", ");
    const sample = results.layers[0].silhouetteSample;
    const silhouettes = sample === undefined ? "exact" : `sampled (${sample.toLocaleString("en")})`;
    console.log(
      tableRow([
        c.label,
        ...stages.map((st) => s(results.timings[st])),
        `${total.toFixed(1)} s`,
        `${(peak / 2 ** 20).toFixed(0)} MB`,
        ks,
        silhouettes,
        results.backend,
      ]),
    );
  }
}

void main();
