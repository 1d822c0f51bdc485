// `npx tsx scripts/outlier-thumbnails.ts RESULTS [N] [DIR]`: the top N outliers of a results file
// (12 by default), highest score first, each as a PNG thumbnail in DIR (media/outliers by default),
// and on stdout the Markdown table the README shows them in: rank, thumbnail, source file's image, label,
// prediction, score and reasons, worded as the views word them (src/shared/outlierText.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readResultsFile } from "../src/results/read";
import { className } from "../src/shared/classNames";
import { outlierReasonsText, scoreText } from "../src/shared/outlierText";
import { greyPng } from "./png";
import { tableRow } from "./table";

/** Thumbnails at 2x: 56 pixels for MNIST, legible in a table row. */
const SCALE = 2;

async function main(): Promise<void> {
  const [file, count = "12", dir = join("media", "outliers")] = process.argv.slice(2);
  if (!file) throw new Error("usage: tsx scripts/outlier-thumbnails.ts RESULTS [N] [DIR]");
  const loaded = await readResultsFile(file);
  const { results } = loaded;
  const { rows, cols } = results.images;
  const channels = results.images.channels ?? 1;
  if (rows === 0) throw new Error(`${file} holds no thumbnails (imported signatures without them)`);
  const size = rows * cols * channels;
  const root = resolve(__dirname, "..");
  mkdirSync(resolve(root, dir), { recursive: true });
  const top = results.findings.outliers.slice(0, Number(count));
  const pixels = await loaded.pixelsOf(top.map((o) => o.image));
  const lines = [
    tableRow(["rank", "image", "source", "label", "predicted", "score", "reasons"]),
    tableRow(["---:", "---", "---", "---", "---", "---:", "---"]),
  ];
  top.forEach((o, rank) => {
    const image = pixels.subarray(rank * size, (rank + 1) * size);
    // Colour images are drawn grey (their mean over the channels): the PNG encoder writes grey only.
    const grey =
      channels === 1
        ? image
        : Uint8Array.from({ length: rows * cols }, (_, p) => Math.round((image[p * 3] + image[p * 3 + 1] + image[p * 3 + 2]) / 3));
    const png = join(dir, `outlier-${rank + 1}.png`);
    writeFileSync(resolve(root, png), greyPng(grey, rows, cols, SCALE));
    const predicted = results.predictions[o.image];
    const split = results.images.split[o.image];
    const source = `${split} #${results.images.sourceIndex[o.image]}`;
    lines.push(
      tableRow([
        rank + 1,
        `![${className(results, o.digit)}, ${source}](${relative(root, resolve(root, png)).split("\\").join("/")})`,
        source,
        className(results, o.digit),
        className(results, predicted),
        scoreText(o.score),
        outlierReasonsText(results, o, predicted) || "no single signal at its threshold",
      ]),
    );
  });
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
