// `npm run bench:approximations [IMAGES]`: above 10,000 images a layer is clustered on a seeded
// sample (k-means fitted on it, every image assigned to the nearest centroid, k chosen by the
// sample's silhouettes among itself, each image's silhouette against the sample) and UMAP's
// neighbours come from a partitioned search (src/pipeline/cluster.ts). This trains the model on
// IMAGES of the built-in MNIST (default 70,000: every digit of both splits; else IMAGES / 10 of each
// digit from the training split), then for each hidden layer computes both the approximations and
// the full computation they stand for (k-means on every image, exact silhouettes of every image),
// and prints how far apart they are and what each cost (wall time, CPU time in brackets), with the
// load average. Prints figures; asserts nothing.
//
// `-- --columns`: each image's silhouette at the chosen k measured against 10,000, 5,000, 2,000,
// SILHOUETTE_DISTANCES / IMAGES and 1,000 sampled images (the first of the sample's seeded draw, as
// the pipeline picks them),
// each pass timed (CPU seconds), and its error against the exact silhouette (against all IMAGES) of
// 2,000 seeded images: what SILHOUETTE_DISTANCES trades.
//
// `-- --tiled N` (timing only, for sizes MNIST does not reach): each layer's signatures tiled to N
// points, each value scaled by a seeded factor within 2.5%, then only the sampled clustering's
// parts timed (the full computation would not finish), with the process's peak memory.
import { join } from "node:path";
import { loadavg } from "node:os";
import { bestScore, clusterSample, kmeansFits, sampleSilhouettes, silhouetteColumns, type ClusterOptions } from "../src/pipeline/cluster";
import { EXACT_LIMIT } from "../src/shared/figures";
import { distancePass, sampledSilhouettes, type Neighbours } from "../src/pipeline/distances";
import { prepareData } from "../src/pipeline/prepare";
import { activations, trainedOnKept } from "../src/pipeline/model";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { randomFor, shuffled } from "../src/data/random";
import { loadTf, type Tf } from "../src/pipeline/tf";
import { parseExperiment } from "../src/check/experiment";
import { tableRow } from "./table";
import { commandLine, usageError, wholeNumber } from "./args";

const USAGE = "npm run bench:approximations -- [IMAGES] [--columns | --tiled N]";
const { values, positionals } = commandLine(
  { options: { columns: { type: "boolean" }, tiled: { type: "string" } }, allowPositionals: true },
  USAGE,
);
if (positionals.length > 1) usageError(`one IMAGES, not ${positionals.join(" ")}`, USAGE);
const images = wholeNumber("IMAGES", positionals[0], 70_000, 20, USAGE);
const tiled = values.tiled === undefined ? undefined : wholeNumber("--tiled", values.tiled, 0, EXACT_LIMIT + 1, USAGE);
const NEIGHBOURS = 15;

/** Share of each point's exact neighbours (itself aside) that the approximate ones include. */
function recall(exact: Neighbours, approximate: Neighbours): number {
  let found = 0;
  let wanted = 0;
  exact.indices.forEach((row, i) => {
    const got = new Set(approximate.indices[i]);
    for (const j of row.slice(1)) {
      wanted++;
      if (got.has(j)) found++;
    }
  });
  return found / wanted;
}

/** The work's result, and its wall time with the process's CPU time in brackets (nothing else runs meanwhile). */
async function seconds<T>(work: () => Promise<T>): Promise<[T, string]> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const out = await work();
  const used = process.cpuUsage(cpu);
  return [out, `${((performance.now() - start) / 1000).toFixed(1)} s (${((used.user + used.system) / 1e6).toFixed(1)} s)`];
}

/** The sampled clustering's parts on each layer tiled to `count` points: wall and CPU time, and the peak memory. */
async function timeTiled(
  tf: Tf,
  acts: { hidden: Float32Array[]; sizes: number[] },
  count: number,
  options: Omit<ClusterOptions, "neighbours">,
  load: () => string,
) {
  console.log(`each layer tiled to ${count.toLocaleString("en")} points, each value scaled by a seeded factor within 2.5% (timing only)\n`);
  console.log(
    tableRow([
      "layer",
      "k-means on the sample + assignment",
      "sample's silhouettes",
      "each image's silhouette",
      "columns",
      "k",
      "load at end",
    ]),
  );
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const [l, base] of acts.hidden.entries()) {
    const dim = acts.sizes[l];
    const random = randomFor(options.seed, "tiled");
    const points = Float32Array.from({ length: count * dim }, (_, t) => base[t % base.length] * (1 + 0.05 * (random() - 0.5)));
    const sample = clusterSample(count, options.seed)!;
    const columns = silhouetteColumns(sample, count, options.seed);
    const [fits, fitTime] = await seconds(() => kmeansFits(points, dim, { ...options, sample }));
    const [scores, sampleTime] = await seconds(() => sampleSilhouettes(tf, points, dim, fits, sample));
    const fit = fits[bestScore(scores)];
    const [, eachTime] = await seconds(() => sampledSilhouettes(tf, { points, dim, rows: count, columns, clusterings: [fit] }));
    console.log(tableRow([`${l + 1} (${dim})`, fitTime, sampleTime, eachTime, columns.length.toLocaleString("en"), fit.k, load()]));
  }
  console.log(`peak memory (resident): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

/** Per row of `rows`: its exact silhouette in the clustering `labels` (k clusters), against every point, in float64. */
function exactSilhouettes(points: Float32Array, dim: number, labels: Int32Array, k: number, rows: Int32Array): Float64Array {
  const n = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  const sums = new Float64Array(k);
  return Float64Array.from(rows, (i) => {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) {
        const diff = points[i * dim + t] - points[j * dim + t];
        d += diff * diff;
      }
      sums[labels[j]] += Math.sqrt(d);
    }
    const own = labels[i];
    if (sizes[own] <= 1) return 0;
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    return (b - a) / Math.max(a, b);
  });
}

/** `--columns`: each image's silhouette against fewer sampled images, its time and its error against the exact one of 2,000 seeded images. */
async function columnsTable(
  tf: Tf,
  acts: { hidden: Float32Array[]; sizes: number[] },
  options: Omit<ClusterOptions, "neighbours">,
  load: () => string,
) {
  console.log(
    tableRow([
      "layer",
      "k",
      "columns",
      "time (CPU)",
      "mean error",
      "99th percentile error",
      "negative: exact / estimated / both (of 2,000)",
      "load at end",
    ]),
  );
  console.log("|---|---:|---:|---:|---:|---:|---|---|");
  for (const [l, points] of acts.hidden.entries()) {
    const dim = acts.sizes[l];
    const n = points.length / dim;
    const sample = clusterSample(n, options.seed)!;
    const fits = await kmeansFits(points, dim, { ...options, sample });
    const fit = fits[bestScore(await sampleSilhouettes(tf, points, dim, fits, sample))];
    const checked = Int32Array.from(
      shuffled(
        Array.from({ length: n }, (_, i) => i),
        randomFor(options.seed, "checked images"),
      ).slice(0, 2000),
    );
    const exact = exactSilhouettes(points, dim, fit.labels, fit.k, checked);
    // The pipeline's own columns (SILHOUETTE_DISTANCES) among fixed counts.
    const counts = [10_000, 5_000, 2_000, silhouetteColumns(sample, n, options.seed).length, 1_000];
    for (const size of [...new Set(counts)].sort((a, b) => b - a)) {
      const columns = silhouetteColumns(sample, n, options.seed, size * n);
      const [[each], time] = await seconds(() => sampledSilhouettes(tf, { points, dim, rows: n, columns, clusterings: [fit] }));
      const errors = Array.from(checked, (i, r) => Math.abs(each.perPoint[i] - exact[r])).sort((a, b) => a - b);
      const negative = exact.filter((s) => s < 0).length;
      const estimated = Array.from(checked).filter((i) => each.perPoint[i] < 0).length;
      const both = Array.from(checked).filter((i, r) => each.perPoint[i] < 0 && exact[r] < 0).length;
      console.log(
        tableRow([
          `${l + 1} (${dim})`,
          fit.k,
          columns.length.toLocaleString("en"),
          time,
          (errors.reduce((s, e) => s + e, 0) / errors.length).toFixed(4),
          errors[Math.floor(0.99 * errors.length)].toFixed(4),
          `${negative} / ${estimated} / ${both}`,
          load(),
        ]),
      );
    }
  }
}

async function main() {
  const data = images === 70_000 ? { perDigit: "all", from: "train+test" } : { perDigit: Math.round(images / 10) };
  const file = join(__dirname, "bench.mtq.json");
  const parsed = parseExperiment(
    JSON.stringify({ name: "bench", data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ...data }, training: { epochs: 5 } }),
    file,
  );
  if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
  const prepared = prepareData(parsed.experiment, file);
  const exp = prepared.experiment;
  const n = prepared.kept.labels.length;
  const { tf, backend } = await loadTf();
  const { trained, x } = await trainedOnKept(tf, prepared, file);
  const acts = await activations(tf, trained, x, n);
  const load = () =>
    loadavg()
      .map((v) => v.toFixed(1))
      .join(", ");
  console.log(
    `${n} images, ${backend}; clustered on a sample above ${EXACT_LIMIT} points, ${NEIGHBOURS} neighbours; load average ${load()}\n`,
  );
  if (tiled) return timeTiled(tf, acts, tiled, { ...exp.clustering, seed: exp.seed }, load);
  if (values.columns) return columnsTable(tf, acts, { ...exp.clustering, seed: exp.seed }, load);
  console.log(
    tableRow([
      "layer",
      "k full / sampled",
      "silhouette of the chosen k: full / sampled fit, exact / estimated",
      "inertia, sampled fit / full: chosen k, worst k",
      "largest error over k",
      "mean error per image",
      "negative-silhouette images: exact / estimated / both",
      "neighbours found",
      "full k-means + exact pass",
      "sampled k-means + silhouettes",
      "partitioned search",
      "load at end",
    ]),
  );
  console.log("|---|---|---|---|---:|---:|---|---:|---:|---:|---:|---|");
  for (const [l, points] of acts.hidden.entries()) {
    const dim = acts.sizes[l];
    const options = { ...exp.clustering, seed: exp.seed };
    const sample = clusterSample(n, exp.seed);
    if (!sample) throw new Error(`no sample at ${n} images: the approximations start above ${EXACT_LIMIT}`);
    const [[sampledFits, sampled, perPoint], sampledTime] = await seconds(async () => {
      const fits = await kmeansFits(points, dim, { ...options, sample });
      const scores = await sampleSilhouettes(tf, points, dim, fits, sample);
      const fit = fits[bestScore(scores)];
      const [each] = await sampledSilhouettes(tf, {
        points,
        dim,
        rows: n,
        columns: silhouetteColumns(sample, n, exp.seed),
        clusterings: [fit],
      });
      return [fits, scores, each] as const;
    });
    const [approximate, searchTime] = await seconds(() =>
      partitionedNeighbours(tf, points, dim, NEIGHBOURS, randomFor(exp.seed, "partitions")),
    );
    const [[fullFits, exact], exactTime] = await seconds(async () => {
      const fits = await kmeansFits(points, dim, options);
      // One exact pass scores the full fits and the sampled ones (for the estimates' error), and finds the neighbours.
      const pass = await distancePass(tf, { points, dim, clustered: n, clusterings: [...fits, ...sampledFits], neighbours: NEIGHBOURS });
      return [fits, pass] as const;
    });
    const kCount = fullFits.length;
    const exactFull = exact.silhouettes.slice(0, kCount);
    const exactSampled = exact.silhouettes.slice(kCount);
    const chosenExact = bestScore(exactFull);
    const chosen = bestScore(sampled);
    const largest = Math.max(...exactSampled.map((s, i) => Math.abs(s.mean - sampled[i].mean)));
    const inertia = sampledFits.map((f, i) => f.inertia / fullFits[i].inertia);
    const exactPer = exactSampled[chosen].perPoint;
    const estimatedPer = perPoint.perPoint;
    let error = 0;
    let negative = 0;
    let negativeEstimated = 0;
    let both = 0;
    for (let i = 0; i < n; i++) {
      error += Math.abs(exactPer[i] - estimatedPer[i]) / n;
      if (exactPer[i] < 0) negative++;
      if (estimatedPer[i] < 0) negativeEstimated++;
      if (exactPer[i] < 0 && estimatedPer[i] < 0) both++;
    }
    const f = (v: number) => v.toFixed(4);
    console.log(
      tableRow([
        `${l + 1} (${dim})`,
        `${fullFits[chosenExact].k} / ${sampledFits[chosen].k}`,
        `${f(exactFull[chosenExact].mean)} / ${f(exactSampled[chosen].mean)}, ${f(sampled[chosen].mean)}`,
        `${inertia[chosen].toFixed(4)}, ${Math.max(...inertia).toFixed(4)}`,
        f(largest),
        f(error),
        `${negative.toLocaleString("en")} / ${negativeEstimated.toLocaleString("en")} / ${both.toLocaleString("en")}`,
        `${(100 * recall(exact.neighbours, approximate)).toFixed(1)}%`,
        exactTime,
        sampledTime,
        searchTime,
        load(),
      ]),
    );
  }
  trained.model.dispose();
}

void main();
