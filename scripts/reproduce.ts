// `npm run reproduce`: runs the report's nine experiments (examples/) through the pipeline over
// five seeds, each with its stability runs, and writes REPRODUCTION.md (the report's figures beside
// ours: mean and spread over the seeds, the first seed's intervals and tests, how far the clusters
// hold) with thumbnails of the 7s that land in the 1s' cluster. Arguments, when given, replace the seeds
// (`npm run reproduce -- 24` for a quick look).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runExperiment } from "../src/pipeline/run";
import { readExperimentFile } from "../src/check/experiment";
import type { Results } from "../src/shared/results";
import { greyPng } from "./png";
import { REPRODUCTION_SEEDS, STABILITY_RUNS, reproductionMarkdown, type Runs } from "./reproduction-report";
import { signatureFigures, type SignatureFigures } from "./reproduction-signatures";

const root = join(__dirname, "..");
const seeds = process.argv.length > 2 ? process.argv.slice(2).map(Number) : REPRODUCTION_SEEDS;
const THUMBNAILS = "media/reproduction";
/** Thumbnails are drawn this many times MNIST's 28x28. */
const THUMBNAIL_SCALE = 4;

/** The report's web page, in its order, then its two anomaly tests (chapter 5). */
const EXPERIMENTS = [
  "ones-vs-sevens-injected-4s",
  "ones-vs-sevens-injected-3s",
  "signature_01_100",
  "signature_137_100",
  "signature_14_100",
  "signature_28_100",
  "signature_56_100",
  "signature_69_100",
  "signature_all_100",
];

async function runAll(): Promise<{ runs: Runs; signatures: Map<string, SignatureFigures[]> }> {
  const runs: Runs = new Map();
  const signatures = new Map<string, SignatureFigures[]>();
  for (const name of EXPERIMENTS) {
    const file = join(root, "examples", `${name}.mtq.json`);
    const parsed = readExperimentFile(file);
    if (!parsed.experiment) throw new Error(parsed.problems.map((p) => `${p.file}: ${p.path.join(".")}: ${p.message}`).join("\n"));
    const results: Results[] = [];
    const figures: SignatureFigures[] = [];
    for (const seed of seeds) {
      const start = performance.now();
      let measured: Parameters<typeof signatureFigures>[1] | undefined;
      const r = await runExperiment({
        experiment: { ...parsed.experiment, seed, stability: { runs: Math.max(STABILITY_RUNS, parsed.experiment.stability.runs) } },
        experimentFile: file,
        onSignatures: (s) => (measured = s),
      });
      results.push(r);
      // Summarised now: the signatures themselves are not kept (the results file does not hold them either).
      figures.push(signatureFigures(r, measured!));
      console.error(`${name}, seed ${seed}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
    runs.set(name, results);
    signatures.set(name, figures);
  }
  return { runs, signatures };
}

async function main() {
  const start = performance.now();
  const { runs, signatures } = await runAll();
  const seconds = (performance.now() - start) / 1000;
  const { markdown, thumbnails } = reproductionMarkdown(runs, {
    seeds,
    seconds,
    date: new Date(),
    thumbnailDir: THUMBNAILS,
    thumbnailScale: THUMBNAIL_SCALE,
    signatures,
  });
  // Thumbnails of earlier runs may name images this run no longer finds.
  rmSync(join(root, THUMBNAILS), { recursive: true, force: true });
  mkdirSync(join(root, THUMBNAILS), { recursive: true });
  for (const t of thumbnails) writeFileSync(join(root, t.file), greyPng(t.pixels, t.rows, t.cols, THUMBNAIL_SCALE));
  writeFileSync(join(root, "REPRODUCTION.md"), markdown);
  console.error(`REPRODUCTION.md and ${thumbnails.length} thumbnails written in ${seconds.toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
