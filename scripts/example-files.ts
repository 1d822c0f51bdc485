// `npx tsx scripts/example-files.ts`: regenerates the example's own model and images from the
// built-in MNIST, so that what examples/ ships can be remade and checked:
// - examples/models/ones-vs-sevens-cnn/: examples/cnn-ones-vs-sevens.mtq.json's CNN, trained and
//   saved by TF.js (model.json + weight shard), for examples/saved-model.mtq.json;
// - examples/images/{four,one,seven}/: 60 PNGs of each from MNIST's test split, for
//   examples/image-folder.mtq.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { prepareData } from "../src/pipeline/prepare";
import { loadImages, splitFiles } from "../src/data/source";
import { trainedOnKept } from "../src/pipeline/model";
import { saveLayersModel } from "../src/pipeline/modelFiles";
import { loadTf } from "../src/pipeline/tf";
import { readExperimentFile } from "../src/check/experiment";

const examples = join(__dirname, "..", "examples");

async function saveExampleModel(): Promise<void> {
  const file = join(examples, "cnn-ones-vs-sevens.mtq.json");
  const { experiment: parsed, problems } = readExperimentFile(file);
  if (!parsed) throw new Error(JSON.stringify(problems));
  const { tf } = await loadTf();
  const { trained } = await trainedOnKept(tf, prepareData(parsed, file), file);
  const dir = join(examples, "models", "ones-vs-sevens-cnn");
  rmSync(dir, { recursive: true, force: true });
  console.log(`wrote ${await saveLayersModel(tf, trained.model, dir)}`);
}

function saveExampleImages(): void {
  const test = loadImages(splitFiles("mnist", "test", ".")!);
  const root = join(examples, "images");
  rmSync(root, { recursive: true, force: true });
  for (const [name, digit] of [
    ["four", 4],
    ["one", 1],
    ["seven", 7],
  ] as const) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    let written = 0;
    for (let i = 0; i < test.count && written < 60; i++) {
      if (test.labels[i] !== digit) continue;
      const png = new PNG({ width: 28, height: 28 });
      test.pixels.subarray(i * 784, (i + 1) * 784).forEach((v, p) => png.data.set([v, v, v, 255], p * 4));
      writeFileSync(join(dir, `mnist-test-${String(i).padStart(5, "0")}.png`), PNG.sync.write(png, { colorType: 0 }));
      written++;
    }
  }
  console.log(`wrote ${root}`);
}

saveExampleImages();
void saveExampleModel();
