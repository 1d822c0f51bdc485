// Colored MNIST's figures: does a model tell the digits apart by shape or by colour? Runs an
// experiment (default examples/colored-mnist.mtq.json) through the pipeline and measures, per hidden
// layer, how pure its clusters are by digit and by colour, where the images whose colour disagrees
// with their digit go, and the accuracy on them. `npx tsx scripts/colored-mnist.ts [FILE]`.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { runExperiment } from "../src/pipeline/run";
import { coloredMnistFigures } from "../src/pipeline/coloredMnist";

async function main() {
  const file = resolve(process.argv[2] ?? "examples/colored-mnist.mtq.json");
  const { experiment, problems } = parseExperiment(readFileSync(file, "utf8"), file);
  if (!experiment) throw new Error(JSON.stringify(problems));
  const results = await runExperiment({ experiment, experimentFile: file });
  console.log(JSON.stringify(coloredMnistFigures(results), null, 2));
}

void main();
