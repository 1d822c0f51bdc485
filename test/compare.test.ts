// Comparing two results: the adjusted Rand index against a hand computation, then real MNIST
// runs compared with themselves (full agreement) and across two seeds (a measured agreement).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { adjustedRandIndex, compareResults, contingencyMatrix, imagesInB } from "../src/results/compare";
import type { Comparison } from "../src/shared/comparison";
import type { Results } from "../src/shared/results";
import { tempDir } from "./helpers";
import { seedResults } from "./seedResults";

const root = join(__dirname, "..");
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

  it("measures the agreement of two seeds on the same images", () => {
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
    // The figure itself is the finding: report it.
    console.log(
      `seeds 24 vs 25: ARI per layer ${c.layers.map((l) => l.ari).join(", ")}; ${c.changed.length} of ${c.matched.a.length} paths changed`,
    );
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
    const elsewhere: Results = { ...b, images: { ...b.images, sourceIndex: b.images.sourceIndex.map((i) => i + 100000) } };
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
