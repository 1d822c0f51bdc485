// Colored MNIST's figures: does a model tell the digits apart by shape or by colour? Runs an
// experiment (default examples/colored-mnist.mtq.json) through the pipeline and prints, per hidden
// layer, how pure its clusters are by digit and by colour, where the images whose colour disagrees
// with their digit go, and the accuracies (src/pipeline/coloredMnist.ts). With --agreements, the
// same experiment once per training agreement, as a table: how far the model leans on the colour.
//   npx tsx scripts/colored-mnist.ts [FILE] [--agreements 0.9,0.95,0.98,0.99,1]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { coloredMnistFigures, type ColoredMnistFigures } from "../src/pipeline/coloredMnist";
import { runExperiment } from "../src/pipeline/run";
import { tableRow } from "./table";

/** The figures of `file`'s experiment, its training agreement replaced by `agreement` when given. */
export async function figuresOf(file: string, agreement?: number): Promise<ColoredMnistFigures> {
  const value = JSON.parse(readFileSync(file, "utf8")) as { data: { source: { coloredMnist?: { agreement?: number } } } };
  if (agreement !== undefined) {
    if (!value.data.source.coloredMnist) throw new Error(`${file}: --agreements needs a coloredMnist source`);
    value.data.source.coloredMnist.agreement = agreement;
  }
  const { experiment, problems } = parseExperiment(JSON.stringify(value), file);
  if (!experiment) throw new Error(problems.map((p) => p.message).join("\n"));
  return coloredMnistFigures(await runExperiment({ experiment, experimentFile: file }));
}

const percent = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf("--agreements");
  const agreements = at >= 0 ? args.splice(at, 2)[1].split(",").map(Number) : undefined;
  const file = resolve(args[0] ?? "examples/colored-mnist.mtq.json");
  if (!agreements) {
    console.log(JSON.stringify(await figuresOf(file), null, 2));
    return;
  }
  const rows: string[][] = [];
  for (const agreement of agreements) {
    const f = await figuresOf(file, agreement);
    const first = f.layers[0];
    const last = f.layers[f.layers.length - 1];
    rows.push([
      String(agreement),
      String(first.disagreeing.count),
      `${percent(first.disagreeing.withTheirColour)} / ${percent(last.disagreeing.withTheirColour)}`,
      `${percent(first.purityByDigit)} / ${percent(first.purityByColour)}`,
      percent(f.accuracyDisagreeing),
      percent(f.testAccuracy),
    ]);
  }
  const header = [
    "training agreement",
    "kept images in the other colour",
    "of them with their colour's digit (layer 1 / last)",
    "layer 1 purity by digit / by colour",
    "their training accuracy",
    "test accuracy (colours 90% flipped)",
  ];
  console.log([tableRow(header), tableRow(header.map(() => "---")), ...rows.map(tableRow)].join("\n"));
}

if (require.main === module) void main();
