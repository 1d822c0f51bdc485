// Times the results view's search (src/shared/imageSearch.ts) on all 70,000 MNIST digits
// (examples/all-of-mnist.mtq.json, made once and cached under .tmp/bench/): for each form of query,
// parsing it and matching it over the columns as the view holds them (typed arrays), the median of
// a few runs, with the images found. Selecting them afterwards is the view's selection update,
// which `npm run bench:webview` times. Prints figures; not a test.
// `npm run bench:search -- FILE.results.json` times another results file.
import { loadavg } from "node:os";
import { readResultsFile } from "../src/results/read";
import { matchImages, parseSearch, searchVocabulary } from "../src/shared/imageSearch";
import { allOfMnistResults } from "./allOfMnistResults";
import { commandLine, usageError } from "./args";
import { median } from "./median";

const USAGE = "npm run bench:search -- [FILE.results.json]";
const { positionals } = commandLine({ options: {}, allowPositionals: true }, USAGE);
if (positionals.length > 1) usageError(`one results file at most, not ${positionals.length}`, USAGE);

const RUNS = 7;

const QUERIES = [
  "85",
  "80-90000",
  "label:7",
  "predicted seven conf<0.6",
  "confidence 0.2-0.5",
  "layer 1 cluster 2",
  "outlier:rare-path",
  "wrong -injected",
  "MNIST train #370",
  "train #37",
];

async function main(): Promise<void> {
  const file = allOfMnistResults(positionals[0]);
  const { results } = await readResultsFile(file);
  const vocabulary = searchVocabulary(results, results);
  console.log(`${file}: ${results.images.count.toLocaleString("en")} images, load average ${loadavg()[0].toFixed(1)}`);
  console.log("query                          found    parse ms  match ms (median of " + RUNS + ")");
  for (const query of QUERIES) {
    const parse: number[] = [];
    const match: number[] = [];
    let found = 0;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const parsed = parseSearch(query, vocabulary);
      const t1 = performance.now();
      if (!parsed.ok) throw new Error(`${query}: ${parsed.error}`);
      found = matchImages({ results, state: results }, parsed.terms).length;
      match.push(performance.now() - t1);
      parse.push(t1 - t0);
    }
    console.log(
      `${query.padEnd(30)} ${String(found).padStart(6)}  ${median(parse).toFixed(2).padStart(8)}  ${median(match).toFixed(1).padStart(8)}`,
    );
  }
  console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
