// Comparing two results: the adjusted Rand index against a hand computation, then real MNIST
// runs compared with themselves (full agreement) and across two seeds, and the README's figures:
// the report's example under seeds 24 and 7, the dense example against the CNN one, each figure
// within a stated tolerance.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readExperimentFile } from "../src/check/experiment";
import { runExperiment } from "../src/pipeline/run";
import { adjustedRandIndex, compareResults, contingencyMatrix, imagesInB } from "../src/results/compare";
import type { Comparison } from "../src/shared/comparison";
import type { Results } from "../src/shared/results";
import { tempDir } from "./helpers";
import { assertQuoted, readmeQuotes } from "./readmeFigures";
import { seedResults } from "./seedResults";

const root = join(__dirname, "..");
/** How far a measured adjusted Rand index may be from the README's (which rounds to 2 decimals). */
const ARI_TOLERANCE = 0.05;
const README_TEXT = readFileSync(join(root, "README.md"), "utf8");
/** How far a measured share may be from the README's percentage (5 points). */
const SHARE_TOLERANCE = 0.05;
const cli = join(root, "dist", "cli.js");

describe("adjusted Rand index", () => {
  it("matches a hand computation", () => {
    // A = {0,1,2}{3,4,5}, B = {0,1}{2,3}{4,5}. Pairs together in both: (0,1), (4,5) = 2.
    // Pairs in A's rows: 3 + 3 = 6; in B's columns: 1 + 1 + 1 = 3; all pairs: 15.
    // Expected = 6 * 3 / 15 = 1.2; max = (6 + 3) / 2 = 4.5; ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3.
    const table = contingencyMatrix([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], 2, 3);
    assert.deepEqual(table, [
      [2, 1, 0],
      [0, 1, 2],
    ]);
    assert.ok(Math.abs(adjustedRandIndex(table)! - 0.8 / 3.3) < 1e-12);
  });

  it("is 1 for the same partition under other cluster numbers, and null without a pair", () => {
    assert.equal(adjustedRandIndex(contingencyMatrix([0, 0, 1, 1, 2], [2, 2, 0, 0, 1], 3, 3)), 1);
    assert.equal(adjustedRandIndex(contingencyMatrix([0], [0], 1, 1)), null);
  });
});

describe("comparing results of real MNIST runs", () => {
  const dir = tempDir();
  let a: Results;
  let b: Results;
  let fileA: string;
  let fileB: string;
  before(async () => {
    ({ results: a, file: fileA } = await seedResults(dir, 24));
    ({ results: b, file: fileB } = await seedResults(dir, 25));
  });

  it("agrees fully with itself: ARI 1 in every layer, no changed path", () => {
    const c = compareResults(a, a, fileA, fileA);
    assert.equal(c.matched.a.length, a.images.count);
    assert.deepEqual(
      c.layers.map((l) => l.ari),
      a.layers.map(() => 1),
    );
    assert.deepEqual(c.changed, []);
    assert.deepEqual(c.notes, []);
  });

  it("measures the agreement of two seeds on the same images, as the README quotes it (ARI within 0.05, paths within 5)", () => {
    const c = compareResults(a, b, fileA, fileB);
    assert.equal(c.matched.a.length, a.images.count, "same data: every image matched");
    for (const l of c.layers) {
      assert.ok(l.ari !== null && l.ari >= 0 && l.ari <= 1, `layer ${l.layerA + 1}: ARI ${l.ari}`);
      assert.equal(
        l.contingency.flat().reduce((s, x) => s + x, 0),
        a.images.count,
      );
    }
    for (const p of c.changed) assert.ok(p.layers.length > 0 || p.predictionA !== p.predictionB);
    const quoted = "ARI 0.61 in layer 1 (where one seed chose k = 3, the other 2) and 0.70 in layer 2, 17 of 150 paths changed";
    assertQuoted(quoted, 0.61, c.layers[0].ari!, ARI_TOLERANCE, "layer 1's ARI");
    assertQuoted(quoted, 0.7, c.layers[1].ari!, ARI_TOLERANCE, "layer 2's ARI");
    assertQuoted(quoted, 17, c.changed.length, 5, "paths changed");
  });

  it("pairs the layers nearest the output when the depths differ (dense vs CNN)", () => {
    const deeper: Results = { ...b, layers: [a.layers[0], ...b.layers] };
    const c = compareResults(a, deeper, fileA, fileB);
    assert.deepEqual(
      c.layers.map((l) => [l.layerA, l.layerB]),
      [
        [0, 1],
        [1, 2],
      ],
    );
    assert.deepEqual(
      c.layers.map((l) => l.ari),
      compareResults(a, b, fileA, fileB).layers.map((l) => l.ari),
    );
    assert.match(c.notes.join(" "), /A has 2 hidden layers and B 3: the 2 nearest the output are compared/);
  });

  it("finds A's images in B by their source, whatever their order there", () => {
    const reversed = [...Array(b.images.count).keys()].reverse();
    const shuffledB: Results = {
      ...b,
      images: { ...b.images, split: reversed.map((i) => b.images.split[i]), sourceIndex: reversed.map((i) => b.images.sourceIndex[i]) },
    };
    const c = compareResults(a, shuffledB, fileA, fileB);
    assert.deepEqual(imagesInB(c, [0, 1, 5]), [b.images.count - 1, b.images.count - 2, b.images.count - 6]);
  });

  it("says when the two results share no image", () => {
    const elsewhere: Results = { ...b, images: { ...b.images, sourceIndex: Array.from(b.images.sourceIndex).map((i) => i + 100000) } };
    const c = compareResults(a, elsewhere, fileA, fileB);
    assert.equal(c.matched.a.length, 0);
    assert.deepEqual(c.changed, []);
    assert.ok(c.layers.every((l) => l.ari === null));
    assert.match(c.notes.join(" "), /share no image/);
  });

  it("mtq compare prints the comparison, as JSON with --json, and exits 2 on a bad file", () => {
    const text = spawnSync(process.execPath, [cli, "compare", fileA, fileB], { encoding: "utf8" });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /layer 1: k \d+ in A, \d+ in B; adjusted Rand index \d\.\d\d/);
    assert.match(text.stdout, /changed paths: \d+ of 150 images/);
    const json = spawnSync(process.execPath, [cli, "compare", fileA, fileA, "--json"], { encoding: "utf8" });
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as Comparison;
    assert.deepEqual(parsed.changed, []);
    const experiment = join(dir, "seed-24.mtq.json");
    for (const bad of [join(dir, "missing.results.json"), experiment]) {
      const r = spawnSync(process.execPath, [cli, "compare", fileA, bad], { encoding: "utf8" });
      assert.equal(r.status, 2);
      assert.ok(r.stderr.startsWith(`mtq compare: ${bad}: `), r.stderr);
      assert.equal(r.stdout, "");
    }
  });
});

/**
 * A summary as `mtq run` prints it, quoted in the README (a share may carry its interval), against
 * the run: every layer's k and width exactly, its silhouette within 0.03, the accuracies, the 1s'
 * and 7s' purities and the injected digits' follow-path shares within 5 points, path entropies within 0.15.
 */
function assertSummary(block: string, r: Results): void {
  const line = (pattern: RegExp) => {
    const m = pattern.exec(block);
    assert.ok(m, `the README's summary has no line like ${pattern}`);
    return { text: m[0], n: m.slice(1).map(Number) };
  };
  const f = r.findings;
  const accuracy = line(/accuracy: train (\d+)%.*?, held-out (\d+)%.*? on (\d+) images/);
  assertQuoted(accuracy.text, accuracy.n[0] / 100, f.accuracy.train, SHARE_TOLERANCE, "train accuracy");
  assertQuoted(accuracy.text, accuracy.n[1] / 100, f.accuracy.test!, SHARE_TOLERANCE, "held-out accuracy");
  assert.equal(r.testCount, accuracy.n[2]);
  assert.equal(block.match(/^layer \d+ \(/gm)?.length, r.layers.length, "one line per hidden layer");
  r.layers.forEach((layer, l) => {
    const quoted = line(new RegExp(`layer ${l + 1} \\((\\d+) units\\): k = (\\d+), silhouette ([\\d.]+).*?; 1: (\\d+)%.*?, 7: (\\d+)%`));
    assert.deepEqual([layer.size, layer.k], quoted.n.slice(0, 2), quoted.text);
    assertQuoted(quoted.text, quoted.n[2], layer.silhouette, 0.03, `layer ${l + 1}: silhouette`);
    assertQuoted(quoted.text, quoted.n[3] / 100, f.layers[l].purity[1], SHARE_TOLERANCE, `layer ${l + 1}: purity of 1s`);
    assertQuoted(quoted.text, quoted.n[4] / 100, f.layers[l].purity[7], SHARE_TOLERANCE, `layer ${l + 1}: purity of 7s`);
  });
  const separation = line(/the model separates the kept digits from layer (\d+)/);
  assert.equal(f.separationLayer, separation.n[0]);
  for (const m of block.matchAll(/injected (\d+)s \(/g)) {
    const d = Number(m[1]);
    const injected = line(
      new RegExp(`injected ${d}s \\((\\d+)\\): (\\d+)%.*? follow the 1s.*?, (\\d+)%.*? follow the 7s.*?path entropy ([\\d.]+) bits`),
    );
    const found = f.injected[d];
    assert.equal(found.count, injected.n[0]);
    assertQuoted(injected.text, injected.n[1] / 100, found.followsPathOf[1], SHARE_TOLERANCE, `${d}s on the 1s' path`);
    assertQuoted(injected.text, injected.n[2] / 100, found.followsPathOf[7], SHARE_TOLERANCE, `${d}s on the 7s' path`);
    assertQuoted(injected.text, injected.n[3], found.pathEntropy, 0.15, `${d}s' path entropy`);
  }
}

/** An example of examples/, run with `seed` instead of its own when given. */
async function example(name: string, seed?: number): Promise<Results> {
  const experimentFile = join(root, "examples", `${name}.mtq.json`);
  const parsed = readExperimentFile(experimentFile);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return runExperiment({ experiment: { ...parsed.experiment, ...(seed !== undefined && { seed }) }, experimentFile });
}

describe("the README's comparisons of the report's example (examples/, real MNIST)", () => {
  let seed24: Results;
  let seed7: Results;
  let cnn: Results;
  before(async () => {
    seed24 = await example("ones-vs-sevens");
    seed7 = await example("ones-vs-sevens", 7);
    cnn = await example("cnn-ones-vs-sevens");
  });

  it("seed 24 gives the summary the README prints for npm start: shares within 5 points, silhouettes within 0.03, entropies within 0.15", () => {
    const block = /```\n(ones-vs-sevens: 1 vs 7[\s\S]*?)```/.exec(README_TEXT)?.[1];
    assert.ok(block, "README.md shows the summary of the built-in example");
    assertSummary(block, seed24);
  });

  it("the CNN example gives the summary the README prints for it, within the same tolerances", () => {
    const block = /cnn-ones-vs-sevens\.mtq\.json` takes[\s\S]*?```\n([\s\S]*?)```/.exec(README_TEXT)?.[1];
    assert.ok(block, "README.md shows the summary of the CNN example");
    assertSummary(block, cnn);
  });

  it("seed 24 against seed 7: ARI 0.86 and 0.82 (within 0.05), 27 of 400 paths moved (within 8)", () => {
    assert.equal(seed24.seed, 24);
    const c = compareResults(seed24, seed7, "A", "B");
    readmeQuotes("The report's example against itself with seed 7 instead of 24 (400 images, all matched)");
    assert.equal(c.matched.a.length, 400);
    assertQuoted("layer 1: k 2 in A, 2 in B; adjusted Rand index 0.86", 0.86, c.layers[0].ari!, ARI_TOLERANCE, "layer 1's ARI");
    assertQuoted("layer 2: k 2 in A, 2 in B; adjusted Rand index 0.82", 0.82, c.layers[1].ari!, ARI_TOLERANCE, "layer 2's ARI");
    assert.deepEqual(
      c.layers.map((l) => [l.kA, l.kB]),
      [
        [2, 2],
        [2, 2],
      ],
    );
    // The contingency matrices as printed, each cell within 8 images.
    const printed = [
      { rows: ["c0   180   1", "c1    14 205"], cells: [180, 1, 14, 205] },
      { rows: ["c0   174   0", "c1    19 207"], cells: [174, 0, 19, 207] },
    ];
    printed.forEach(({ rows, cells }, l) => {
      rows.forEach(readmeQuotes);
      c.layers[l].contingency.flat().forEach((n, j) => assertQuoted(rows.join(" "), cells[j], n, 8, `layer ${l + 1}, cell ${j}`));
    });
    const changed = "changed paths: 27 of 400 images (layer 1: 15, layer 2: 19, prediction: 3)";
    assertQuoted(changed, 27, c.changed.length, 8, "paths changed");
    assertQuoted(changed, 15, c.changed.filter((p) => p.layers.includes(1)).length, 6, "changed in layer 1");
    assertQuoted(changed, 19, c.changed.filter((p) => p.layers.includes(2)).length, 6, "changed in layer 2");
    assertQuoted(changed, 3, c.changed.filter((p) => p.predictionA !== p.predictionB).length, 3, "predictions changed");
    // "The seed alone moves 27 of 400 paths, most of them injected 3s and 4s".
    readmeQuotes("The seed alone moves 27 of 400 paths, most of them injected 3s and 4s");
    const injected = c.changed.filter((p) => seed24.images.injected[p.a]).length;
    assert.ok(injected > c.changed.length / 2, `${injected} of ${c.changed.length} changed paths are injected images`);
  });

  it("seed 24 against seed 7: the 4s follow the 7s under both (88% and 84%), the 3s follow the 1s 61% and 72% (within 5 points)", () => {
    const [a3, b3] = [seed24, seed7].map((r) => r.findings.injected[3].followsPathOf[1]);
    const [a4, b4] = [seed24, seed7].map((r) => r.findings.injected[4].followsPathOf[7]);
    assertQuoted("injected 3s follow the 1s     61%     72%", 0.61, a3, SHARE_TOLERANCE, "3s on the 1s' path, seed 24");
    assertQuoted("injected 3s follow the 1s     61%     72%", 0.72, b3, SHARE_TOLERANCE, "3s on the 1s' path, seed 7");
    assertQuoted("injected 4s follow the 7s     88%     84%", 0.88, a4, SHARE_TOLERANCE, "4s on the 7s' path, seed 24");
    assertQuoted("injected 4s follow the 7s     88%     84%", 0.84, b4, SHARE_TOLERANCE, "4s on the 7s' path, seed 7");
    const outliers = /\n(outliers +(\d+) +(\d+))\n/.exec(README_TEXT);
    assert.ok(outliers, "the README's comparison shows both outlier counts");
    assertQuoted(outliers[1], Number(outliers[2]), seed24.findings.outliers.length, 3, "outliers, seed 24");
    assertQuoted(outliers[1], Number(outliers[3]), seed7.findings.outliers.length, 3, "outliers, seed 7");
    readmeQuotes("where the 3s go shifts by 11 points");
    assertQuoted("shifts by 11 points", 0.11, b3 - a3, 2 * SHARE_TOLERANCE, "the 3s' shift between the seeds");
  });

  it("dense against CNN: ARI 0.20 and 0.60 (within 0.05), 146 of 400 paths differ (within 15), 9 predictions (within 5)", () => {
    const c = compareResults(seed24, cnn, "A", "B");
    assert.equal(c.matched.a.length, 400);
    const quoted = "ARI 0.20 between the dense layer 1 and the second conv block, 0.60 between the two models' last hidden layers";
    assert.deepEqual(
      c.layers.map((l) => [l.layerA, l.layerB]),
      [
        [0, 1],
        [1, 2],
      ],
      "the dense layers against the CNN's last two",
    );
    assertQuoted(quoted, 0.2, c.layers[0].ari!, ARI_TOLERANCE, "dense layer 1 against conv block 2");
    assertQuoted(quoted, 0.6, c.layers[1].ari!, ARI_TOLERANCE, "the last hidden layers");
    const differ = "yet 146 of 400 paths differ (9 predictions)";
    assertQuoted(differ, 146, c.changed.length, 15, "paths that differ");
    assertQuoted(differ, 9, c.changed.filter((p) => p.predictionA !== p.predictionB).length, 5, "predictions that differ");
    readmeQuotes("both models are 99% right on held-out images");
    for (const r of [seed24, cnn])
      assertQuoted("both models are 99% right", 0.99, r.findings.accuracy.test!, 0.01, `${r.experiment.name}'s held-out accuracy`);
    readmeQuotes("the CNN separates 1s from 7s only from its layer 3");
    assert.equal(cnn.findings.separationLayer, 3);
  });
});
