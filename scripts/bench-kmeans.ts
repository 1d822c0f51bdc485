// `npm run bench:kmeans [-- SIZE] [--starts N]`: src/pipeline/kmeans.ts against ml-kmeans 7.0.1,
// which it replaced, on the same work: both hidden layers' signatures of SIZE MNIST digits (10,000
// when not given; 70,000 is all of them) through examples/all-of-mnist.mtq.json's model, k = 2..10,
// each k from the pipeline's start seeds (N starts, the experiment's default 3). ml-kmeans's time
// includes the number[][] copy of the points cluster.ts made for it. Prints the load average first
// (figures from a busy machine are not comparable), then per layer and in total both times (wall,
// and the process's CPU time in brackets, the steadier figure under load), their ratio (of CPU
// times) and whether every fit is identical (labels, centroids bit for bit, step count); exits 1 if not.
import { cpus, loadavg } from "node:os";
import { kmeans } from "ml-kmeans";
import { startSeeds } from "../src/pipeline/cluster";
import { kmeansFit, kmeansPlusPlus } from "../src/pipeline/kmeans";
import { mnistSignatures } from "./mnistSignatures";
import { tableRow } from "./table";
import { commandLine, usageError, wholeNumber } from "./args";

const K_VALUES = [2, 3, 4, 5, 6, 7, 8, 9, 10];
const MAX_ITERATIONS = 300;

const USAGE = "npm run bench:kmeans -- [SIZE] [--starts N]";
const { values, positionals } = commandLine({ options: { starts: { type: "string" } }, allowPositionals: true }, USAGE);
if (positionals.length > 1) usageError(`one SIZE, not ${positionals.join(" ")}`, USAGE);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The process's CPU time so far, in milliseconds. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main() {
  const size = wholeNumber("SIZE", positionals[0], 10_000, 20, USAGE);
  const starts = wholeNumber("--starts", values.starts, 3, 1, USAGE);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")} (1, 5, 15 min) on ${cpus().length} cores; node ${process.version}`,
  );
  let start = performance.now();
  const { hidden, sizes } = await mnistSignatures(size);
  console.log(`signatures of ${size.toLocaleString("en")} digits (training included): ${seconds(performance.now() - start)}`);
  const seeds = startSeeds(24, starts);
  console.log(
    `k = ${K_VALUES[0]}..${K_VALUES.at(-1)}, ${starts} start(s) each (seeds ${seeds.join(", ")}), at most ${MAX_ITERATIONS} steps\n`,
  );
  console.log(tableRow(["layer", "values per image", "ml-kmeans", "kmeans.ts", "ratio", "identical fits"]));
  console.log("|---|---:|---:|---:|---:|---|");
  const total = { theirs: 0, ours: 0, theirCpu: 0, ourCpu: 0 };
  let allIdentical = true;
  for (const [l, points] of hidden.entries()) {
    const dim = sizes[l];
    const n = points.length / dim;
    start = performance.now();
    let cpu = cpuMs();
    const rows = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * dim, (i + 1) * dim)));
    const theirs = K_VALUES.flatMap((k) =>
      seeds.map((seed) => kmeans(rows, k, { initialization: "kmeans++", seed, maxIterations: MAX_ITERATIONS })),
    );
    const theirMs = performance.now() - start;
    const theirCpu = cpuMs() - cpu;
    start = performance.now();
    cpu = cpuMs();
    // As cluster.ts fits them: each start seed's k-means++ seeds drawn once for every k (kmeansPlusPlus).
    const seedings = seeds.map((seed) => kmeansPlusPlus(points, dim, K_VALUES, seed));
    const ours = K_VALUES.flatMap((k) => seeds.map((seed, r) => kmeansFit(points, dim, k, seed, MAX_ITERATIONS, seedings[r].get(k))));
    const ourMs = performance.now() - start;
    const ourCpu = cpuMs() - cpu;
    const identical = ours.filter(
      (fit, f) =>
        fit.iterations === theirs[f].iterations &&
        fit.labels.every((c, i) => c === theirs[f].clusters[i]) &&
        theirs[f].centroids.every((centroid, c) => centroid.every((v, t) => Object.is(v, fit.centroids[c * dim + t]))),
    ).length;
    allIdentical &&= identical === ours.length;
    total.theirs += theirMs;
    total.ours += ourMs;
    total.theirCpu += theirCpu;
    total.ourCpu += ourCpu;
    console.log(
      tableRow([
        l + 1,
        dim,
        `${seconds(theirMs)} (${seconds(theirCpu)})`,
        `${seconds(ourMs)} (${seconds(ourCpu)})`,
        `${(theirCpu / ourCpu).toFixed(1)}x`,
        `${identical} of ${ours.length}`,
      ]),
    );
  }
  console.log(
    tableRow([
      "both",
      "",
      `${seconds(total.theirs)} (${seconds(total.theirCpu)})`,
      `${seconds(total.ours)} (${seconds(total.ourCpu)})`,
      `${(total.theirCpu / total.ourCpu).toFixed(1)}x`,
      allIdentical ? "all" : "NOT ALL",
    ]),
  );
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  if (!allIdentical) process.exitCode = 1;
}

void main();
