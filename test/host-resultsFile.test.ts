// The extension host's results reader (src/host/resultsFile.ts, no VS Code needed): the tree and
// the views reading one file share one parse, and a file written again is read again.
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { ResultsFiles } from "../src/host/resultsFile";
import { PIXELS_COLUMN, withColumns } from "../src/shared/columns";
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

  it("posts a view every column it reads, as read (the maps' places as float32), and not the neighbours' or silhouettes' columns", async () => {
    const loaded = await new ResultsFiles().read(file);
    const { header, columns } = loaded.posted;
    const names = header.columns!.columns.map((c) => c.name);
    assert.ok(
      loaded.results.layers.every((l) => l.neighbours && l.neighbourDistances),
      "the run stores its neighbours",
    );
    assert.ok(!names.some((n) => /\.(neighbours|neighbourDistances|silhouettes)$/.test(n)), names.join(", "));
    const pixelsAt = loaded.results.columns!.columns.find((c) => c.name === PIXELS_COLUMN)!.offset;
    assert.ok(columns.byteLength < pixelsAt / 2, `${columns.byteLength} bytes posted of ${pixelsAt}`);
    const viewed = withColumns(structuredClone(header), columns);
    assert.deepEqual(viewed.images.labels, loaded.results.images.labels);
    assert.deepEqual(viewed.predictions, loaded.results.predictions);
    viewed.layers.forEach((layer, n) => {
      const read = loaded.results.layers[n];
      for (const field of ["assignments", "umapKept", "pcaKept"] as const) {
        assert.deepEqual(layer[field], read[field], `layer ${n + 1}'s ${field}`);
      }
      // The maps' places as the view draws them: float32, half the bytes.
      for (const field of ["umap", "pca"] as const) {
        assert.deepEqual(layer[field], Float32Array.from(read[field]!), `layer ${n + 1}'s ${field}`);
      }
      // Columns the view does not read: the host's alone.
      for (const field of ["neighbours", "neighbourDistances", "silhouettes"] as const) assert.equal(layer[field], undefined, field);
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
