// `npm run bench:batch`: training time against batch size, with the accuracy it buys, on 10,000
// MNIST digits (1,000 of each, 5 epochs; held out: 1,000 test digits of each). Each batch costs an
// Adam step over every weight besides its images' arithmetic, so larger batches train faster; the
// experiment's default stays the report's 32. Prints figures and the load average when each run
// started; asserts nothing.
import { loadavg } from "node:os";
import { join } from "node:path";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment } from "../src/check/experiment";
import { tableRow } from "./table";

const BATCH_SIZES = [32, 64, 128, 256];

async function main() {
  console.log("| batch size | train | train accuracy | held-out accuracy | k per layer | backend | load |");
  console.log("|---:|---:|---:|---:|---|---|---:|");
  for (const batchSize of BATCH_SIZES) {
    const file = join(__dirname, "bench.mtq.json");
    const text = JSON.stringify({
      name: "bench",
      data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 1000 },
      training: { epochs: 5, batchSize },
    });
    const parsed = parseExperiment(text, file);
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    const load = loadavg()[0];
    const results = await runExperiment({ experiment: parsed.experiment, experimentFile: file });
    const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
    const { accuracy } = results.findings;
    console.log(
      tableRow([
        batchSize,
        `${((results.timings.train ?? 0) / 1000).toFixed(1)} s`,
        pct(accuracy.train),
        pct(accuracy.test),
        results.layers.map((l) => l.k).join(", "),
        results.backend,
        load.toFixed(1),
      ]),
    );
  }
}

void main();
