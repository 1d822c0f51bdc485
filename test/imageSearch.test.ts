// The search box's query language (src/shared/imageSearch.ts): each form of the README's "Finding
// images" parses to its term, a wrong query says what is wrong in words, and the terms match the
// images they name on a real run (1s against 7s with injected 4s), checked against the columns
// read directly; the README's examples parse.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  parseSearch,
  matchImages,
  searchVocabulary,
  imagesCountText,
  SEARCH_HELP,
  type SearchTerm,
  type SearchVocabulary,
} from "../src/shared/imageSearch";
import { imageSource } from "../src/shared/imageSource";
import type { Results } from "../src/shared/results";
import { readResultsFile } from "../src/results/read";
import { runExample } from "./helpers";

const digits: SearchVocabulary = { imageCount: 500, labels: [1, 4, 7], clusters: [3, 2], confidence: true };
const fashion: SearchVocabulary = {
  imageCount: 100,
  labels: [0, 1, 9],
  classNames: { "0": "T-shirt/top", "1": "Trouser", "9": "Ankle boot" },
  clusters: [4],
  confidence: false,
};

function terms(query: string, vocabulary = digits): SearchTerm[] {
  const parsed = parseSearch(query, vocabulary);
  assert.ok(parsed.ok, `${query}: ${parsed.ok ? "" : parsed.error}`);
  return parsed.terms;
}

function error(query: string, vocabulary = digits): string {
  const parsed = parseSearch(query, vocabulary);
  assert.ok(!parsed.ok, `${query} should not parse`);
  return parsed.error;
}

describe("parseSearch", () => {
  it("reads an image by number, with or without 'image' or '#', and a range", () => {
    for (const q of ["85", "#85", "image 85", "image:85", "id 85", "IMAGE  85"])
      assert.deepEqual(terms(q), [{ kind: "image", from: 85, to: 85 }], q);
    assert.deepEqual(terms("80-90"), [{ kind: "image", from: 80, to: 90 }]);
    assert.deepEqual(terms("image 80 - 90"), [{ kind: "image", from: 80, to: 90 }]);
    assert.deepEqual(terms("490-900"), [{ kind: "image", from: 490, to: 499 }], "a range is cut at the last image");
  });

  it("reads a label by number, number word or class name, and several at once", () => {
    assert.deepEqual(terms("label:7"), [{ kind: "label", labels: [7] }]);
    assert.deepEqual(terms("digit 7"), [{ kind: "label", labels: [7] }]);
    assert.deepEqual(terms("label 1,7"), [{ kind: "label", labels: [1, 7] }]);
    assert.deepEqual(terms("seven"), [{ kind: "label", labels: [7] }]);
    assert.deepEqual(terms("class trouser", fashion), [{ kind: "label", labels: [1] }]);
    assert.deepEqual(terms("Trouser", fashion), [{ kind: "label", labels: [1] }]);
    assert.deepEqual(terms("class ankle boot", fashion), [{ kind: "label", labels: [9] }], "a class name of two words");
    assert.deepEqual(terms('"ankle boot"', fashion), [{ kind: "label", labels: [9] }]);
  });

  it("reads a prediction and wrong predictions", () => {
    for (const q of ["pred:7", "pred 7", "predicted seven", "predicted as 7", "prediction: 7"])
      assert.deepEqual(terms(q), [{ kind: "prediction", labels: [7] }], q);
    assert.deepEqual(terms("predicted ankle boot", fashion), [{ kind: "prediction", labels: [9] }]);
    assert.deepEqual(terms("wrong"), [{ kind: "wrong" }]);
    assert.deepEqual(terms("misclassified"), [{ kind: "wrong" }]);
    assert.deepEqual(terms("correct"), [{ kind: "wrong", not: true }]);
  });

  it("reads confidence ranges, open or closed, as shares or percentages", () => {
    const c = (low: number, high: number, lowOpen: boolean, highOpen: boolean) => [{ kind: "confidence", low, high, lowOpen, highOpen }];
    assert.deepEqual(terms("conf<0.6"), c(0, 0.6, false, true));
    assert.deepEqual(terms("conf < 0.6"), c(0, 0.6, false, true));
    assert.deepEqual(terms("conf<=60%"), c(0, 0.6, false, false));
    assert.deepEqual(terms("confidence>0.9"), c(0.9, 1, true, false));
    assert.deepEqual(terms("conf:>=.9"), c(0.9, 1, false, false));
    assert.deepEqual(terms("confidence 0.2-0.5"), c(0.2, 0.5, false, false));
    assert.deepEqual(terms("conf 20%-50%"), c(0.2, 0.5, false, false));
  });

  it("reads a cluster of a layer in its short and long forms", () => {
    for (const q of ["l1:c2", "L1C2", "l1 c2", "layer 1 cluster 2", "layer1 cluster2", "layer 1 c2"])
      assert.deepEqual(terms(q), [{ kind: "cluster", layer: 0, clusters: [2] }], q);
    assert.deepEqual(terms("l2:c0,1"), [{ kind: "cluster", layer: 1, clusters: [0, 1] }]);
  });

  it("reads outliers, their reasons, injected and kept", () => {
    assert.deepEqual(terms("outlier"), [{ kind: "outlier" }]);
    assert.deepEqual(terms("outliers"), [{ kind: "outlier" }]);
    assert.deepEqual(terms("outlier:rare-path"), [{ kind: "outlier", reason: "rare-path" }]);
    assert.deepEqual(terms("rare path"), [{ kind: "outlier", reason: "rare-path" }]);
    assert.deepEqual(terms("far"), [{ kind: "outlier", reason: "far-from-cluster" }]);
    assert.deepEqual(terms("unsure"), [{ kind: "outlier", reason: "unsure" }]);
    assert.deepEqual(terms("outlier:misclassified"), [{ kind: "outlier", reason: "misclassified" }]);
    assert.deepEqual(terms("injected"), [{ kind: "injected", injected: true }]);
    assert.deepEqual(terms("kept"), [{ kind: "injected", injected: false }]);
  });

  it("reads free words, with the numbers after them, as one phrase; quotes keep keywords as words", () => {
    assert.deepEqual(terms("MNIST train #370"), [{ kind: "text", text: "mnist train #370" }]);
    assert.deepEqual(terms("four/img_003.png"), [{ kind: "text", text: "four/img_003.png" }]);
    assert.deepEqual(terms("fashion.csv row 12 kept"), [
      { kind: "text", text: "fashion.csv row 12" },
      { kind: "injected", injected: false },
    ]);
    assert.deepEqual(terms('"outlier"'), [{ kind: "text", text: "outlier" }]);
  });

  it("joins terms (all must hold) and negates with - or not", () => {
    assert.deepEqual(terms("pred:7 conf<0.6 -injected"), [
      { kind: "prediction", labels: [7] },
      { kind: "confidence", low: 0, high: 0.6, lowOpen: false, highOpen: true },
      { kind: "injected", injected: true, not: true },
    ]);
    assert.deepEqual(terms("not l1:c0 outlier"), [{ kind: "cluster", layer: 0, clusters: [0], not: true }, { kind: "outlier" }]);
  });

  it("says what is wrong with a query, in words", () => {
    assert.match(error(""), /^Type what you know about an image/);
    assert.match(error("   "), /^Type what you know/);
    assert.match(error("image 500"), /no image 500: the images are numbered 0 to 499/);
    assert.match(error("90-80"), /from the lower number to the higher/);
    assert.match(error("image x"), /"x" is not an image number/);
    assert.match(error("l3:c0"), /no layer 3: the model's hidden layers are numbered 1 to 2/);
    assert.match(error("l1:c3"), /no cluster 3 in layer 1: its clusters are numbered 0 to 2/);
    assert.match(error("layer 1"), /needs a cluster after it/);
    assert.match(error("conf<2"), /between 0 and 1/);
    assert.match(error("conf 0.6-0.2"), /from the lower confidence to the higher/);
    assert.match(error("conf:~0.5"), /write a confidence as conf<0.6/);
    assert.match(error("conf<0.5", fashion), /imported without the model's confidence/);
    assert.match(error("class sandal", fashion), /no such class; the classes are T-shirt\/top, Trouser, Ankle boot/);
    assert.match(error("pred:eleven"), /no such class; the classes are 1, 4, 7/);
    assert.match(error("outlier:odd"), /an outlier's reason is rare-path, far, unsure or misclassified/);
    assert.match(error("colour:red"), /no such field/);
    assert.match(error("not"), /"not" needs a term after it/);
    assert.match(error("pred"), /"pred" needs a class/);
  });
});

describe("matchImages on a real run (1s against 7s, injected 4s)", () => {
  let r: Results;
  const match = (query: string) => {
    const parsed = parseSearch(query, searchVocabulary(r, r));
    assert.ok(parsed.ok, `${query}: ${parsed.ok ? "" : parsed.error}`);
    return [...matchImages({ results: r, state: r }, parsed.terms)];
  };
  const where = (test: (i: number) => boolean) => Array.from({ length: r.images.count }, (_, i) => i).filter(test);

  before(async () => {
    r = (await readResultsFile(runExample("ones-vs-sevens-injected-4s"))).results;
  });

  it("finds by number, label, prediction and confidence as the columns say", () => {
    assert.deepEqual(match("85"), [85]);
    assert.deepEqual(match("image 10-14"), [10, 11, 12, 13, 14]);
    const sevens = where((i) => r.images.labels[i] === 7);
    assert.ok(sevens.length > 0);
    assert.deepEqual(match("label:7"), sevens);
    assert.deepEqual(match("seven"), sevens);
    const unsureSevens = where((i) => r.predictions[i] === 7 && r.confidence![i] < 0.6);
    assert.deepEqual(match("predicted seven conf<0.6"), unsureSevens);
    assert.deepEqual(
      match("confidence 0.2-0.9"),
      where((i) => r.confidence![i] >= 0.2 && r.confidence![i] <= 0.9),
    );
    assert.deepEqual(
      match("wrong kept"),
      where((i) => !r.images.injected[i] && r.predictions[i] !== r.images.labels[i]),
    );
  });

  it("finds a cluster, the injected images and the outliers", () => {
    assert.deepEqual(
      match("layer 2 cluster 1"),
      where((i) => r.layers[1].assignments[i] === 1),
    );
    const injected = where((i) => Boolean(r.images.injected[i]));
    assert.ok(injected.length > 0);
    assert.deepEqual(match("injected"), injected);
    assert.deepEqual(match("four"), injected, "the injected images are the 4s");
    assert.deepEqual(
      match("-injected"),
      where((i) => !r.images.injected[i]),
    );
    assert.ok(r.findings.outliers.length > 0);
    assert.deepEqual(
      match("outlier"),
      r.findings.outliers.map((o) => o.image).sort((a, b) => a - b),
    );
    for (const reason of ["rare-path", "far-from-cluster", "unsure", "misclassified"] as const)
      assert.deepEqual(
        match(`outlier:${reason}`),
        r.findings.outliers
          .filter((o) => o.reasons.includes(reason))
          .map((o) => o.image)
          .sort((a, b) => a - b),
        reason,
      );
  });

  it("finds an image by its source, a number in it whole", () => {
    const image = 3;
    const source = imageSource(r, image);
    assert.match(source, /^MNIST (train|test) #\d+$/);
    const same = where((i) => imageSource(r, i) === source);
    assert.deepEqual(match(source), same);
    assert.deepEqual(match(source.toLowerCase()), same, "without case");
    // "#37" is not "#370": a source's number is matched whole.
    const index = r.images.sourceIndex[image];
    const split = r.images.split[image];
    assert.deepEqual(
      match(`train #${index}`),
      where((i) => r.images.split[i] === "train" && r.images.sourceIndex[i] === index),
    );
    assert.ok(split === "train" || split === "test");
  });

  it("counts in words", () => {
    assert.equal(imagesCountText(0), "no image");
    assert.equal(imagesCountText(1), "1 image");
    assert.equal(imagesCountText(70000), "70,000 images");
  });
});

describe("the README's Finding images", () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Finding images"), readme.indexOf("\n## ", readme.indexOf("### Finding images")));
  const fashionDigits: SearchVocabulary = { ...fashion, clusters: [3, 2], confidence: true, imageCount: 500 };

  it("has the section, and every query it shows parses (with digits or with class names)", () => {
    assert.ok(section.length > 1000, "the section is there");
    const queries = [...section.matchAll(/`([^`]+)`/g)]
      .map((m) => m[1])
      .filter((q) => !/^(mtq\.|npm |src\/|test\/)/.test(q) && !/ images|no layer|no such class|: image /.test(q));
    assert.ok(queries.length > 30, `${queries.length} queries`);
    for (const q of queries) assert.ok(parseSearch(q, digits).ok || parseSearch(q, fashionDigits).ok, `the README's ${q} parses`);
  });

  it("shows every example of the search box's tooltip, and each parses", () => {
    for (const { examples } of SEARCH_HELP)
      for (const example of examples) {
        assert.ok(section.includes(`\`${example}\``), `the README shows ${example}`);
        assert.ok(parseSearch(example, digits).ok || parseSearch(example, fashionDigits).ok, `${example} parses`);
      }
  });
});
