// Colour images: an image folder of real MNIST digits tinted red and green, end to end (detected
// and explicit channels, a grey folder saved as RGB staying grey); Colored MNIST's recipe (its
// agreement rates, its seed); the figures the README quotes; the thumbnails in colour in chromium.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { PNG } from "pngjs";
import { checkExperiment } from "../src/check";
import { parseExperiment } from "../src/check/experiment";
import { agreeingColour, coloured, imageColours } from "../src/data/coloredMnist";
import { loadImages, splitFiles } from "../src/data/source";
import { coloursOf } from "../src/pipeline/coloredMnist";
import { saveLayersModel } from "../src/pipeline/modelFiles";
import { runExperiment } from "../src/pipeline/run";
import { loadTf } from "../src/pipeline/tf";
import { formatProblem } from "../src/shared/problems";
import type { Results } from "../src/shared/results";
import { browserMissing, openHarnessPage, send, type HarnessPage } from "./browser/browser";
import { figuresOf } from "../scripts/colored-mnist";
import { imagePng } from "../src/host/thumbnail";
import { imagePixels, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const mnist = loadImages(splitFiles("mnist", "train", ".")!);
const mnistTest = loadImages(splitFiles("mnist", "test", ".")!);

/** The first `n` MNIST training images of `digit`, 28x28 bytes each. */
function digits(digit: number, n: number, from = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < mnist.count && out.length < n + from; i++)
    if (mnist.labels[i] === digit) out.push(mnist.pixels.subarray(i * 784, (i + 1) * 784));
  return out.slice(from);
}

/** An RGB PNG of a grey digit tinted `[r, g, b]` (each 0-1): the ink in that colour on black. */
function tintedPng(pixels: Uint8Array, tint: [number, number, number]): Buffer {
  const data = Buffer.alloc(pixels.length * 4);
  pixels.forEach((v, i) => data.set([...tint.map((t) => Math.round(v * t)), 255], i * 4));
  return PNG.sync.write({ width: 28, height: 28, data } as PNG, { colorType: 2, inputColorType: 6 });
}

const RED: [number, number, number] = [1, 0, 0];
const GREEN: [number, number, number] = [0, 1, 0];
const WHITE: [number, number, number] = [1, 1, 1];

/** train/ and test/ folders of 1s in red and 7s in green (or every digit in `tint`). */
function tintedFolder(dir: string, tint?: [number, number, number]): void {
  for (const [split, n, from] of [
    ["train", 30, 0],
    ["test", 10, 30],
  ] as const) {
    for (const [digit, colour] of [
      [1, RED],
      [7, GREEN],
    ] as const) {
      mkdirSync(join(dir, split, String(digit)), { recursive: true });
      digits(digit, n, from).forEach((pixels, i) =>
        writeFileSync(join(dir, split, String(digit), `${String(i).padStart(3, "0")}.png`), tintedPng(pixels, tint ?? colour)),
      );
    }
  }
}

function experimentOf(value: unknown, file: string) {
  const parsed = parseExperiment(JSON.stringify(value), file);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

const folderExperiment = (channels?: 1 | 3) => ({
  name: "tinted",
  description: "1s in red, 7s in green",
  seed: 3,
  data: { source: { folder: { path: "train", testPath: "test", ...(channels && { channels }) } }, digits: [1, 7], perDigit: 30 },
  training: { epochs: 2 },
});

async function run(dir: string, value: unknown): Promise<Results> {
  const file = writeJson(dir, "tinted.mtq.json", value);
  assert.deepEqual((await checkExperiment({ file })).problems.map(formatProblem), []);
  return runExperiment({ experiment: experimentOf(value, file), experimentFile: file });
}

describe("colour image folders", () => {
  const dir = tempDir();
  const greyDir = tempDir();
  before(() => {
    tintedFolder(dir);
    tintedFolder(greyDir, WHITE);
  });

  it("detects colour and keeps red, green and blue for the model, the results and the views", async () => {
    const results = await run(dir, folderExperiment());
    assert.equal(results.images.channels, 3);
    const pixels = results.images.pixels!;
    assert.equal(pixels.length, results.images.count * 28 * 28 * 3);
    // Image 0 is the first 1, in red: its red bytes are MNIST's, its green and blue none.
    const one = digits(1, 1)[0];
    assert.deepEqual(
      Uint8Array.from({ length: 784 }, (_, p) => pixels[p * 3]),
      one,
    );
    assert.equal(
      pixels.subarray(0, 784 * 3).reduce((n, v, i) => n + (i % 3 === 0 ? 0 : v), 0),
      0,
    );
    assert.deepEqual(
      coloursOf(results).slice(0, 60),
      Array.from(results.images.labels)
        .slice(0, 60)
        .map((l) => (l === 1 ? 0 : 1)),
    );
    assert.equal(results.findings.accuracy.train, 1);
  });

  it('reads the same folder grey with "channels": 1, and a grey folder saved as RGB stays grey', async () => {
    const grey = await run(dir, folderExperiment(1));
    assert.equal(grey.images.channels, undefined);
    const pixels = grey.images.pixels!;
    assert.equal(pixels.length, grey.images.count * 784);
    // Red ink's luminance: 0.299 of the grey value.
    const one = digits(1, 1)[0];
    assert.deepEqual(
      Uint8Array.from(pixels.subarray(0, 784)),
      Uint8Array.from(one, (v) => Math.round(0.299 * v)),
    );
    const stored = await run(greyDir, folderExperiment());
    assert.equal(stored.images.channels, undefined);
    assert.deepEqual(Uint8Array.from(stored.images.pixels!.subarray(0, 784)), one);
  });

  it('"channels": 3 feeds a CNN [rows, cols, 3]', async () => {
    const value = { ...folderExperiment(3), model: { kind: "cnn", conv: [{ filters: 4 }], dense: [8] } };
    const results = await run(dir, value);
    assert.equal(results.images.channels, 3);
    assert.equal(results.layers.length, 2);
  });
});

describe("a saved TF.js model taking colour images (28x28x3)", () => {
  const dir = tempDir();
  const saved = { kind: "saved", path: "rgb/model.json" };
  before(async () => {
    tintedFolder(dir, WHITE);
    const { tf } = await loadTf();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [28, 28, 3] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    await saveLayersModel(tf, model, join(dir, "rgb"));
    model.dispose();
  });

  it("runs on Colored MNIST, and on a folder without `channels` (read in the model's 3 channels, grey images too)", async () => {
    const colouredMnist = { ...folderExperiment(), data: { source: { coloredMnist: {} }, digits: [1, 7], perDigit: 20 }, model: saved };
    assert.equal((await run(dir, colouredMnist)).images.channels, 3);
    assert.equal((await run(dir, { ...folderExperiment(), model: saved })).images.channels, 3);
  });

  it('is refused on grey images: MNIST, or a folder with "channels": 1', async () => {
    for (const source of ["mnist", { folder: { path: "train", channels: 1 } }]) {
      const value = { ...folderExperiment(), data: { source, digits: [1, 7], perDigit: 20 }, model: saved };
      const file = writeJson(dir, "grey.mtq.json", value);
      const problems = (await checkExperiment({ file })).problems.map(formatProblem);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(
        problems[0],
        /model\.path: the model rgb\/model\.json takes inputs of shape 28x28x3 but the images are 28x28 grey .*MTQ feeds one grey channel and this model takes 3\. Fix: .*an image folder reads 3 channels with "channels": 3/,
      );
    }
  });
});

describe("the tree's thumbnails", () => {
  it("are RGB PNGs for colour images", () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = PNG.sync.read(imagePng(imagePixels(Buffer.concat([new Uint8Array(12), rgb]), 1, 2, 2, 3), 2, 2, 3));
    assert.deepEqual([png.width, png.height], [2, 2]);
    assert.deepEqual(
      Uint8Array.from(png.data).filter((_, i) => i % 4 !== 3),
      rgb,
    );
  });
});

describe("Colored MNIST", () => {
  it("colours each digit red below 5 and green from 5 for the share `agreement` of the images, within 0.01", () => {
    for (const [set, split, agreement] of [
      [mnist, "train", 0.9],
      [mnistTest, "test", 0.1],
      [mnist, "train", 0.75],
    ] as const) {
      const colours = imageColours(set.labels, { agreement, seed: 0, split });
      const agreeing = colours.filter((c, i) => c === agreeingColour(set.labels[i])).length / set.count;
      assert.ok(Math.abs(agreeing - agreement) < 0.01, `${split} ${agreement}: ${agreeing}`);
    }
  });

  it("is the same for the same seed and another for another seed", () => {
    const a = imageColours(mnist.labels, { agreement: 0.9, seed: 0, split: "train" });
    assert.deepEqual(imageColours(mnist.labels, { agreement: 0.9, seed: 0, split: "train" }), a);
    const b = imageColours(mnist.labels, { agreement: 0.9, seed: 1, split: "train" });
    assert.ok(a.some((c, i) => c !== b[i]));
  });

  it("draws the digit's ink in its colour's channel only", () => {
    const few = { ...mnist, count: 5, labels: mnist.labels.subarray(0, 5), pixels: mnist.pixels.subarray(0, 5 * 784) };
    const colours = imageColours(few.labels, { agreement: 0.9, seed: 0, split: "train" });
    const rgb = coloured(few, { agreement: 0.9, seed: 0, split: "train" });
    assert.equal(rgb.channels, 3);
    for (let i = 0; i < 5; i++)
      for (let p = 0; p < 784; p++)
        for (let c = 0; c < 3; c++) assert.equal(rgb.pixels[(i * 784 + p) * 3 + c], c === colours[i] ? few.pixels[i * 784 + p] : 0);
  });

  // The figures the README quotes (scripts/colored-mnist.ts prints them), within a tolerance where another TF.js backend may differ.
  const example = (name: string) => join(root, "examples", name);

  it("examples/colored-mnist.mtq.json (agreement 0.9): the model groups by shape, the red 7s with the 7s", async () => {
    const f = await figuresOf(example("colored-mnist.mtq.json"));
    assert.equal(f.agreement, 0.905);
    assert.equal(f.layers[1].purityByDigit, 1);
    assert.ok(Math.abs(f.layers[1].purityByColour - 0.905) <= 0.01, String(f.layers[1].purityByColour));
    assert.equal(f.layers[1].disagreeing.count, 57);
    assert.ok(f.layers[1].disagreeing.withTheirDigit! >= 0.95, String(f.layers[1].disagreeing.withTheirDigit));
    assert.ok(Math.abs(f.testAccuracy! - 0.9525) <= 0.02, String(f.testAccuracy));
  });

  it("examples/colored-mnist-always.mtq.json (agreement 1): pure maps either way, but it learnt the colour", async () => {
    const f = await figuresOf(example("colored-mnist-always.mtq.json"));
    assert.equal(f.agreement, 1);
    for (const layer of f.layers) assert.deepEqual([layer.purityByDigit, layer.purityByColour], [1, 1]);
    assert.ok(f.testAccuracy! <= 0.15, String(f.testAccuracy));
  });

  it("examples/colored-mnist-strong.mtq.json (0.99): 3 of the 4 images in the other colour sit with the other digit in layer 1", async () => {
    const f = await figuresOf(example("colored-mnist-strong.mtq.json"));
    assert.equal(f.layers[0].disagreeing.count, 4);
    assert.equal(f.layers[0].disagreeing.withTheirColour, 0.75);
    // The green 1 is predicted a 7: the colour wins over the shape.
    assert.equal(f.accuracyDisagreeing, 0.75);
    assert.ok(Math.abs(f.testAccuracy! - 0.404) <= 0.05, String(f.testAccuracy));
  });
});

describe("colour thumbnails in chromium", { skip: browserMissing() }, () => {
  let harness: HarnessPage;
  let page: Page;
  before(async () => {
    harness = await openHarnessPage(root);
    page = harness.page;
  });
  after(async () => {
    await harness?.close();
  });

  /** Red and green pixels of the first thumbnail grid of the selection panel. */
  const selectionColours = async (): Promise<{ channels: string | null; red: number; green: number }> => {
    // Drawn once the host has sent their pixels.
    const canvas = page.locator(".mtq-selection-body canvas.mtq-thumbs:not([data-pending])").first();
    await canvas.waitFor();
    const [red, green] = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let [r, g] = [0, 0];
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] > 128 && d[i + 1] < 32) r++;
        if (d[i + 1] > 128 && d[i] < 32) g++;
      }
      return [r, g];
    });
    return { channels: await canvas.getAttribute("data-channels"), red, green };
  };

  const show = (results: Results, file: string) => harness.show(results, file);

  it("draws the selection panel's thumbnails of a colour folder in their colours", async () => {
    const dir = tempDir();
    tintedFolder(dir);
    await show(await run(dir, folderExperiment()), "tinted.results.json");
    // Image 0 is a red 1, image 30 a green 7.
    await send(page, { type: "select", selection: { images: [0, 30], label: "a 1 and a 7" } });
    const { channels, red, green } = await selectionColours();
    assert.equal(channels, "3");
    assert.ok(red > 20 && green > 20, `red pixels ${red}, green pixels ${green}`);
  });

  it("shows Colored MNIST's images in the other colour: the red 7s off their path, the green 1 predicted a 7", async () => {
    const file = join(root, "examples", "colored-mnist-strong.mtq.json");
    const results = await runExperiment({ experiment: experimentOf(JSON.parse(readFileSync(file, "utf8")), file), experimentFile: file });
    const colours = coloursOf(results);
    const other = Array.from(results.images.labels).flatMap((l, i) => ((l < 5 ? 0 : 1) !== colours[i] ? [i] : []));
    await show(results, "colored-mnist-strong.results.json");
    await send(page, { type: "select", selection: { images: other, label: "drawn in the other colour" } });
    assert.match((await page.locator(".mtq-selection-body").textContent()) ?? "", /4 images: 3 × 7, 1 × 1.*predicted 7: 4/);
    const { red, green } = await selectionColours();
    assert.ok(red > 60 && green > 20, `red pixels ${red}, green pixels ${green}`);
    mkdirSync(join(root, ".tmp", "screens"), { recursive: true });
    const shot = join(root, ".tmp", "screens", "colored-mnist.png");
    await page.screenshot({ path: shot });
    // The README's screenshot, refreshed on request from these real results.
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1") copyFileSync(shot, join(root, "media", "screenshots", "colored-mnist.png"));
  });
});
