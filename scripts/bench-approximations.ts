// `npm run bench:approximations [IMAGES]`: above 10,000 images a layer's silhouettes are estimated
// from a sample and UMAP's neighbours come from a partitioned search (src/pipeline/cluster.ts).
// This trains the model on IMAGES of the built-in MNIST (default 70,000: every digit of both
// splits; else IMAGES / 10 of each digit from the training split), then for each hidden layer
// computes both the approximations and the exact figures they stand for, and prints how far apart
// they are and what each cost. Prints figures; asserts nothing.
import { join } from "node:path";
import { bestScore, kmeansFits, silhouetteColumns } from "../src/pipeline/cluster";
import { EXACT_LIMIT } from "../src/shared/figures";
import { distancePass, type Neighbours } from "../src/pipeline/distances";
import { prepareData } from "../src/pipeline/prepare";
import { activations, trainedOnKept } from "../src/pipeline/model";
import { partitionedNeighbours } from "../src/pipeline/partitionedNeighbours";
import { randomFor } from "../src/data/random";
import { loadTf } from "../src/pipeline/tf";
import { parseExperiment } from "../src/check/experiment";
import { tableRow } from "./table";

const images = Number(process.argv[2] ?? 70_000);
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

async function seconds<T>(work: () => Promise<T>): Promise<[T, string]> {
  const start = performance.now();
  const out = await work();
  return [out, `${((performance.now() - start) / 1000).toFixed(1)} s`];
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
  console.log(`${n} images, ${backend}; silhouettes sampled above ${EXACT_LIMIT} points, ${NEIGHBOURS} neighbours\n`);
  console.log(
    tableRow([
      "layer",
      "k exact / sampled",
      "silhouette of the chosen k: exact / estimated",
      "largest error over k",
      "mean error per image",
      "negative-silhouette images: exact / estimated / both",
      "neighbours found",
      "exact pass",
      "sampled pass",
      "partitioned search",
    ]),
  );
  console.log("|---|---|---|---:|---:|---|---:|---:|---:|---:|");
  for (const [l, points] of acts.hidden.entries()) {
    const dim = acts.sizes[l];
    const fits = await kmeansFits(points, dim, { ...exp.clustering, seed: exp.seed });
    const columns = silhouetteColumns(n, n, exp.seed);
    const [sampled, sampledTime] = await seconds(() =>
      distancePass(tf, { points, dim, clustered: n, clusterings: fits, neighbours: 0, columns }),
    );
    const [approximate, searchTime] = await seconds(() =>
      partitionedNeighbours(tf, points, dim, NEIGHBOURS, randomFor(exp.seed, "partitions")),
    );
    const [exact, exactTime] = await seconds(() =>
      distancePass(tf, { points, dim, clustered: n, clusterings: fits, neighbours: NEIGHBOURS }),
    );
    const chosenExact = bestScore(exact.silhouettes);
    const chosen = bestScore(sampled.silhouettes);
    const largest = Math.max(...exact.silhouettes.map((s, i) => Math.abs(s.mean - sampled.silhouettes[i].mean)));
    const exactPer = exact.silhouettes[chosen].perPoint;
    const estimatedPer = sampled.silhouettes[chosen].perPoint;
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
        `${fits[chosenExact].k} / ${fits[chosen].k}`,
        `${f(exact.silhouettes[chosen].mean)} / ${f(sampled.silhouettes[chosen].mean)}`,
        f(largest),
        f(error),
        `${negative} / ${negativeEstimated} / ${both}`,
        `${(100 * recall(exact.neighbours, approximate)).toFixed(1)}%`,
        exactTime,
        sampledTime,
        searchTime,
      ]),
    );
  }
  trained.model.dispose();
}

void main();
