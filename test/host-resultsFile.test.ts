// The extension host's results reader (src/host/resultsFile.ts, no VS Code needed): the tree and
// the views reading one file share one parse, and a file written again is read again.
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { ResultsFiles, resultsColumns } from "../src/host/resultsFile";
import { withColumns } from "../src/shared/columns";
import { writeResults } from "../src/results/write";
import type { Results } from "../src/shared/results";
import { allPixels, tempDir } from "./helpers";
import { seedResults } from "./seedResults";

describe("the host's results reader", () => {
  const dir = tempDir();
  let file: string;
  let results: Results;

  before(async () => {
    ({ file, results } = await seedResults(dir, 7));
  });

  it("posts a view every column it draws, as read, and not the neighbours' columns", async () => {
    const loaded = await new ResultsFiles().read(file);
    const { header, columns } = resultsColumns(loaded);
    const names = header.columns!.columns.map((c) => c.name);
    assert.ok(
      loaded.results.layers.every((l) => l.neighbours && l.neighbourDistances),
      "the run stores its neighbours",
    );
    assert.ok(!names.some((n) => /\.neighbour(s|Distances)$/.test(n)), names.join(", "));
    assert.ok(
      columns.byteLength < loaded.columns.buffer.byteLength,
      `${columns.byteLength} bytes posted of ${loaded.columns.buffer.byteLength}`,
    );
    const viewed = withColumns(structuredClone(header), columns);
    assert.deepEqual(viewed.images.labels, loaded.results.images.labels);
    assert.deepEqual(viewed.predictions, loaded.results.predictions);
    viewed.layers.forEach((layer, n) => {
      const read = loaded.results.layers[n];
      for (const field of ["assignments", "silhouettes", "umap", "pca", "umapKept", "pcaKept"] as const) {
        assert.deepEqual(layer[field], read[field], `layer ${n + 1}'s ${field}`);
      }
      assert.equal(layer.neighbours, undefined);
    });
    assert.deepEqual(
      viewed.flows.links.map((l) => Array.from(l.images)),
      loaded.results.flows.links.map((l) => Array.from(l.images)),
    );
  });

  it("parses a file once for every reader, at once or one after another", async () => {
    const reader = new ResultsFiles();
    const [tree, panel] = await Promise.all([reader.read(file), reader.read(file)]);
    assert.equal(tree, panel);
    assert.equal(await reader.read(file), tree);
    assert.equal(tree.results.seed, 7);
    assert.equal((await allPixels(tree)).length, results.images.count * results.images.rows * results.images.cols);
  });

  it("reads the file again once a new run has written it", async () => {
    const reader = new ResultsFiles();
    const first = await reader.read(file);
    await writeResults({ ...results, seed: 2024 }, file);
    const after = await reader.read(file);
    assert.notEqual(after, first);
    assert.equal(after.results.seed, 2024);
    assert.equal(await reader.read(file), after);
    await writeResults(results, file);
  });

  it("keeps no failed read: a file mended or put back is read as it is then", async () => {
    const reader = new ResultsFiles();
    writeFileSync(file, "{}");
    await assert.rejects(reader.read(file), /is not an MTQ results file of version \d+ \(found version undefined\)/);
    await writeResults(results, file);
    assert.equal((await reader.read(file)).results.seed, 7);
    rmSync(file);
    await assert.rejects(reader.read(file), { code: "ENOENT" });
    await writeResults(results, file);
    assert.equal((await reader.read(file)).results.seed, 7);
  });
});
