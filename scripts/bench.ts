// `npm run bench`: each stage's time at 200, 2,000 and 10,000 images on the built-in MNIST,
// whole pipeline, both hidden layers. Prints figures; asserts nothing.
import { join } from "node:path";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment } from "../src/pipeline/validate";
import { STAGES } from "../src/shared/results";

const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const cases = [
  { label: "200 (1 vs 7)", digits: [1, 7], perDigit: 100 },
  { label: "2,000 (all digits)", digits: ALL_DIGITS, perDigit: 200 },
  { label: "10,000 (all digits)", digits: ALL_DIGITS, perDigit: 1000 },
];
const only = process.argv[2];

async function main() {
  console.log(`| images | ${STAGES.join(" | ")} | total | backend |`);
  console.log(`|---|${STAGES.map(() => "---:").join("|")}|---:|---|`);
  for (const c of cases.filter((c) => !only || c.label.startsWith(only))) {
    const parsed = parseExperiment(JSON.stringify({ name: "bench", data: { digits: c.digits, perDigit: c.perDigit }, training: { epochs: 5 } }), join(__dirname, "bench.mtq.json"));
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    const start = performance.now();
    const results = await runExperiment({ experiment: parsed.experiment, experimentFile: join(__dirname, "bench.mtq.json") });
    const total = (performance.now() - start) / 1000;
    const s = (ms?: number) => ((ms ?? 0) / 1000).toFixed(1);
    console.log(`| ${c.label} | ${STAGES.map((st) => s(results.timings[st])).join(" | ")} | ${total.toFixed(1)} s | ${results.backend} |`);
  }
}

void main();
