import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { checkExperiment } from "../src/check";
import { prepareData } from "../src/pipeline/prepare";
import { resizedArea } from "../src/data/resize";
import { loadImages, splitFiles } from "../src/data/source";
import { folderClasses, readImageFolder } from "../src/data/imageFolder";
import { runExperiment } from "../src/pipeline/run";
import { tidyTable } from "../src/results/table";
import { summaryText } from "../src/pipeline/summary";
import { parseExperiment } from "../src/check/experiment";
import { classNoun } from "../src/shared/classNames";
import { imageSource } from "../src/shared/imageSource";
import { formatProblem } from "../src/shared/problems";
import type { Results } from "../src/shared/results";
import { idxBytes, tempDir, writeJson } from "./helpers";

const mnist = loadImages(splitFiles("mnist", "train", ".")!);

/** The first `n` MNIST training images of `digit`, 28x28 bytes each. */
function digits(digit: number, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < mnist.count && out.length < n; i++)
    if (mnist.labels[i] === digit) out.push(mnist.pixels.subarray(i * 784, (i + 1) * 784));
  return out;
}

/** A grey PNG (no alpha), as pngjs writes it. */
function greyPng(pixels: Uint8Array, side: number): Buffer {
  return PNG.sync.write({ width: side, height: side, data: Buffer.from(rgba(pixels)) } as PNG, { colorType: 0, inputColorType: 6 });
}

function rgba(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(pixels.length * 4);
  pixels.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

/** Each pixel repeated 2x2: a 56x56 image whose area-average back to 28x28 is exact. */
function doubled(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(56 * 56);
  for (let r = 0; r < 56; r++) for (let c = 0; c < 56; c++) out[r * 56 + c] = pixels[(r >> 1) * 28 + (c >> 1)];
  return out;
}

function experimentOf(value: unknown, file: string) {
  const parsed = parseExperiment(JSON.stringify(value), file);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

async function problemsOf(value: unknown, file: string): Promise<string[]> {
  return (await checkExperiment({ file, text: JSON.stringify(value) })).problems.map(formatProblem);
}

describe("your own images: a folder of PNG and JPEG images, one subfolder per class", () => {
  const dir = tempDir();
  const file = join(dir, "folder.mtq.json");
  const ones = digits(1, 90);
  const sevens = digits(7, 90);
  const experiment = {
    name: "folder",
    data: {
      source: { folder: { path: "images/train", testPath: "images/test" } },
      digits: [0, 1],
      perDigit: 60,
      holdout: { perDigit: 30 },
    },
    training: { epochs: 5 },
    clustering: { kMin: 2, kMax: 4 },
  };
  let results: Results;

  before(async () => {
    // "one": grey 28x28 PNGs; "seven": 56x56 RGBA PNGs and RGB JPEGs, so decoding and resizing both run.
    ones.forEach((px, i) => {
      const folder = join(dir, "images", i < 60 ? "train" : "test", "one");
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `${String(i).padStart(3, "0")}.png`), greyPng(px, 28));
    });
    sevens.forEach((px, i) => {
      const folder = join(dir, "images", i < 60 ? "train" : "test", "seven");
      mkdirSync(folder, { recursive: true });
      const big = { width: 56, height: 56, data: Buffer.from(rgba(doubled(px))) };
      if (i % 2 === 0) writeFileSync(join(folder, `${String(i).padStart(3, "0")}.png`), PNG.sync.write(big as PNG));
      else writeFileSync(join(folder, `${String(i).padStart(3, "0")}.jpg`), jpeg.encode(big, 95).data);
    });
    writeFileSync(join(dir, "images", "train", "one", "notes.txt"), "not an image: ignored");
    // Last in its folder, beyond holdout.perDigit: never picked, so never decoded.
    writeFileSync(join(dir, "images", "test", "one", "zzz-broken.png"), "not a PNG");
    results = await runExperiment({ experiment: experimentOf(experiment, file), experimentFile: file });
  });

  it("labels the subfolders 0, 1... alphabetically and names the classes after them", async () => {
    assert.deepEqual(results.classes, [0, 1]);
    assert.deepEqual(results.classNames, { "0": "one", "1": "seven" });
    assert.equal(results.images.count, 120);
    assert.deepEqual([results.images.rows, results.images.cols], [28, 28]);
    assert.equal(results.testCount, 60);
  });

  it("decodes only the images it picks: a broken file never picked does not stop the run", async () => {
    assert.equal(results.testCount, 60);
    assert.equal(results.images.sourceIndex.length, 120);
  });

  it("trains on them and tells the classes apart", async () => {
    assert.ok(results.findings.accuracy.train >= 0.95, `train accuracy ${results.findings.accuracy.train}`);
    assert.ok(results.findings.accuracy.test! >= 0.9, `held-out accuracy ${results.findings.accuracy.test}`);
  });

  it("shows the class names in the Sankey and the summary", async () => {
    const labels = results.flows.nodes.map((n) => n.label);
    assert.ok(labels.includes("one") && labels.includes("seven"), labels.join(", "));
    assert.ok(labels.includes("predicted seven"), labels.join(", "));
    assert.match(summaryText(results), /^folder: one vs seven, 120 images/);
    assert.match(summaryText(results), /one: \d+% \[\d+–\d+%\] in cluster \d, seven: \d+% \[\d+–\d+%\] in cluster \d/);
  });

  it("records each image's file within its folder, and the views name the image by it and its label a class", async () => {
    const { files, labels, sourceIndex } = results.images;
    assert.equal(files?.length, 120);
    // Class by class, then by name: the order sourceIndex counts in.
    assert.deepEqual([files![0], files![59], files![60], files![61]], ["one/000.png", "one/059.png", "seven/000.png", "seven/001.jpg"]);
    files!.forEach((f, i) => {
      assert.ok(f.startsWith(`${results.classNames![labels[i]]}/`), f);
      assert.equal(Number(f.slice(f.indexOf("/") + 1, f.indexOf("/") + 4)), sourceIndex[i] % 60);
    });
    assert.equal(imageSource(results, 61), "seven/001.jpg");
    assert.equal(classNoun(results), "class");
    assert.match(summaryText(results), /the (model separates the kept classes from layer \d|kept classes never get a cluster)/);
    // The outliers' reasons count the class's images by the class's plural name ("1 of the sevens takes it").
    assert.match(summaryText(results), /rare path \(\d+ of the (ones|sevens) takes? it/);
  });

  it("gives the tidy table each image's file as its source and its class's name as label_name and prediction_name", () => {
    const table = tidyTable(results);
    const column = (name: string) => table.columns.find((c) => c.name === name)!.values;
    const [source, labelName, predictionName] = [column("source"), column("label_name"), column("prediction_name")];
    assert.deepEqual(source, Array.from(results.images.files!));
    assert.deepEqual(
      labelName,
      Array.from(results.images.labels, (l) => results.classNames![l]),
    );
    assert.deepEqual(
      predictionName,
      Array.from(results.predictions, (p) => results.classNames![p]),
    );
    assert.deepEqual([source[61], labelName[61]], ["seven/001.jpg", "seven"]);
  });

  it("names the test folder's files too when it picks from both folders", async () => {
    const exp = experimentOf(
      { ...experiment, data: { ...experiment.data, from: "train+test", perDigit: 70, holdout: { perDigit: 5 } } },
      file,
    );
    const { kept } = prepareData(exp, file);
    const last = kept.split.lastIndexOf("test");
    assert.deepEqual(
      [kept.split[last], kept.sourceIndex[last], kept.files?.[last]],
      ["test", 40, "seven/069.jpg"],
      "after the test folder's 30 ones and its broken file",
    );
    const picked = { experiment: exp, images: { split: kept.split, sourceIndex: Array.from(kept.sourceIndex), files: kept.files } };
    assert.equal(imageSource(picked, last), "seven/069.jpg (test folder)");
    assert.equal(imageSource(picked, 0), "one/000.png");
  });

  it("reads a grey PNG's pixels exactly, and area-averages a doubled image back exactly", async () => {
    const pixels = results.images.pixels!;
    assert.deepEqual(new Uint8Array(pixels.subarray(0, 784)), ones[0]);
    assert.deepEqual(resizedArea(Float32Array.from(doubled(sevens[0])), 56, 56, 28, 28), Float32Array.from(sevens[0]));
    const train = join(dir, "images", "train");
    assert.deepEqual(
      readImageFolder(train, folderClasses(train), { size: [28, 28], invert: false }).pixelsAt(60),
      sevens[0],
      "a 56x56 PNG of doubled pixels",
    );
  });

  it("inverts dark-on-light images when asked", async () => {
    const train = join(dir, "images", "train");
    const inverted = readImageFolder(train, folderClasses(train), { size: [28, 28], invert: true });
    assert.deepEqual(
      inverted.pixelsAt(0),
      ones[0].map((v) => 255 - v),
    );
  });

  it("keeps subfolders named 0-255 as the labels, without names", async () => {
    const numeric = join(dir, "numeric");
    for (const d of ["1", "7"]) {
      mkdirSync(join(numeric, d), { recursive: true });
      writeFileSync(join(numeric, d, "a.png"), greyPng(digits(Number(d), 1)[0], 28));
    }
    const classes = folderClasses(numeric);
    assert.deepEqual(
      [...classes.labelOf],
      [
        ["1", 1],
        ["7", 7],
      ],
    );
    assert.equal(classes.classNames, undefined);
  });

  it("names the field, the file and the fix when the folder is wrong", async () => {
    const at = (source: unknown) => problemsOf({ ...experiment, data: { ...experiment.data, source } }, file);
    assert.match(
      (await at({ folder: { path: "nowhere" } }))[0],
      /nowhere: data\.source\.folder\.path: folder not found\. Fix: check the path/,
    );
    mkdirSync(join(dir, "flat"), { recursive: true });
    assert.match(
      (await at({ folder: { path: "flat" } }))[0],
      /flat: data\.source\.folder\.path: the folder has no subfolders\. Fix: put each class's images in a subfolder/,
    );
    assert.match(
      (await problemsOf({ ...experiment, data: { ...experiment.data, perDigit: 80 } }, file))[0],
      /data\.perDigit: perDigit is 80 but the image folder has only 60 images of class 0 \(one\)/,
    );
    assert.match(
      (await problemsOf({ ...experiment, data: { ...experiment.data, digits: [0, 5] } }, file))[0],
      /data\.digits\[1\]: class 5 is not in the image folder\. Fix: keep only labels the data has \(the image folder has the labels 0 \(one\), 1 \(seven\)\)/,
    );
  });

  it("names a file that is not the image it claims to be", async () => {
    const bad = join(dir, "bad");
    mkdirSync(join(bad, "cats"), { recursive: true });
    mkdirSync(join(bad, "dogs"), { recursive: true });
    writeFileSync(join(bad, "cats", "a.png"), greyPng(ones[0], 28));
    writeFileSync(join(bad, "cats", "b.png"), greyPng(ones[1], 28));
    writeFileSync(join(bad, "dogs", "b.png"), greyPng(ones[2], 28).subarray(0, 60));
    writeFileSync(join(bad, "dogs", "c.jpg"), "hello");
    writeFileSync(join(bad, "dogs", "d.png"), greyPng(ones[3], 28));
    const exp = experimentOf(
      { ...experiment, data: { ...experiment.data, source: { folder: { path: "bad" } }, perDigit: 2 }, clustering: { kMax: 3 } },
      file,
    );
    assert.throws(
      () => prepareData(exp, file),
      /dogs\/b\.png: data\.source\.folder\.path: cannot decode this PNG \(.*\)\. Fix: save it again as PNG or JPEG/,
    );
    rmSync(join(bad, "dogs", "b.png"));
    assert.throws(() => prepareData(exp, file), /dogs\/c\.jpg: data\.source\.folder\.path: not a PNG or JPEG image/);
  });
});

describe("Fashion-MNIST-style IDX files with class names", () => {
  const dir = tempDir();
  const file = join(dir, "fashion.mtq.json");
  const names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

  it("reads them as MNIST and names the labels in messages", async () => {
    const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 4);
    writeFileSync(join(dir, "images.idx"), idxBytes([40, 28, 28], new Uint8Array(40 * 784).fill(7)));
    writeFileSync(join(dir, "labels.idx"), idxBytes([40], labels));
    const fashion = {
      name: "fashion",
      data: { source: { idx: { images: "images.idx", labels: "labels.idx" } }, digits: [1, 3], perDigit: 20, classNames: names },
      clustering: { kMax: 3 },
    };
    writeJson(dir, "fashion.mtq.json", fashion);
    assert.match(
      (await problemsOf(fashion, file)).join("\n"),
      /data\.perDigit: perDigit is 20 but the data file has only 10 images of class 1 \(Trouser\)/,
    );
    const prepared = prepareData(experimentOf({ ...fashion, data: { ...fashion.data, perDigit: 10 } }, file), file);
    assert.equal(prepared.kept.labels.length, 20);
    assert.equal(prepared.classNames?.["3"], "Dress");
    assert.equal(prepared.kept.files, undefined, "file names for image folders only");
    const exp = experimentOf(fashion, file);
    const picked = { experiment: exp, images: { split: prepared.kept.split, sourceIndex: Array.from(prepared.kept.sourceIndex) } };
    assert.equal(imageSource(picked, 0), `images.idx #${prepared.kept.sourceIndex[0]}`);
    assert.equal(classNoun(prepared), "class");
  });
});
