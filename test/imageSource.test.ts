// How the views name where an image comes from (src/shared/imageSource.ts) and what they call a
// label (src/shared/classNames.ts), for every kind of source.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCsvImages } from "../src/data/csv";
import { classNoun, classNounPlural } from "../src/shared/classNames";
import type { Source } from "../src/shared/experiment";
import { imageSource } from "../src/shared/imageSource";

/** Just what imageSource reads: the source, and per image its split, index and (folders) file. */
function sourced(source: Source, split: ("train" | "test")[], sourceIndex: number[], files?: string[]) {
  return { experiment: { data: { source } }, images: { split, sourceIndex, ...(files && { files }) } };
}

describe("imageSource: where an image comes from", () => {
  it("the built-in MNIST: its split and index", () => {
    const results = sourced("mnist", ["train", "test"], [173, 12]);
    assert.equal(imageSource(results, 0), "MNIST train #173");
    assert.equal(imageSource(results, 1), "MNIST test #12");
  });

  it("IDX files: the name of that split's image file and the index", () => {
    const idx = {
      images: "fashion/train-images-idx3-ubyte.gz",
      labels: "fashion/train-labels-idx1-ubyte.gz",
      testImages: "fashion\\t10k-images-idx3-ubyte.gz",
      testLabels: "fashion/t10k-labels-idx1-ubyte.gz",
    };
    const results = sourced({ idx }, ["train", "test"], [0, 12]);
    assert.equal(imageSource(results, 0), "train-images-idx3-ubyte.gz #0");
    assert.equal(imageSource(results, 1), "t10k-images-idx3-ubyte.gz #12", "a Windows-style path too");
  });

  it("CSV files: the name of that split's file and the 1-based data row, the header not counted", () => {
    const results = sourced({ csv: "data/fashion.csv", testCsv: "data/fashion-test.csv" }, ["train", "test", "train"], [173, 0, 1]);
    assert.equal(imageSource(results, 0), "fashion.csv row 174");
    assert.equal(imageSource(results, 1), "fashion-test.csv row 1");
    // The row csv.ts reads as image 1: the second data row under the header (a blank line skipped).
    const csv = parseCsvImages("label,pixel\n5,10\n\n1,20\n", "fashion.csv");
    assert.deepEqual([...csv.labels], [5, 1]);
    assert.equal(imageSource(results, 2), "fashion.csv row 2");
  });

  it("an image folder: the image's own file, relative to its folder; the test folder's say so", () => {
    const source: Source = { folder: { path: "images/train", testPath: "images/test", size: [28, 28], invert: false } };
    const results = sourced(source, ["train", "test"], [3, 0], ["four/img_003.png", "seven/a, b.jpg"]);
    assert.equal(imageSource(results, 0), "four/img_003.png");
    assert.equal(imageSource(results, 1), "seven/a, b.jpg (test folder)");
    // Results written before `files` existed: the folder and the position in its listing.
    assert.equal(imageSource(sourced(source, ["train"], [7]), 0), "train #7");
  });
});

describe("classNoun: what a label is called", () => {
  it("a digit for plain labels, a class when the classes have names", () => {
    assert.equal(classNoun({}), "digit");
    assert.equal(classNounPlural({}), "digits");
    const named = { classNames: { "0": "four", "1": "one" } };
    assert.equal(classNoun(named), "class");
    assert.equal(classNounPlural(named), "classes");
  });
});
