// The host's answer to a results view's `neighbours` request (src/results/neighbours.ts, which
// src/host/panel.ts posts back from the results it showed): on a real run with training snapshots,
// an image's stored neighbours per layer of the state asked, the final model's or a snapshot's, from
// a results file and from an all-JSON file of version 2; nothing (null per layer) for a file without
// them, an image not in the file, or an epoch not recorded.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { storedNeighbours } from "../src/results/neighbours";
import { readResultsFile } from "../src/results/read";
import { JSON_RESULTS_SCHEMA_VERSION, type LayerResult, type Results } from "../src/shared/results";
import { runExample, tempDir } from "./helpers";

/** Layer `layer`'s stored neighbours of `image`: its row of each column, as plain numbers. */
function row(layer: LayerResult, image: number): { images: number[]; distances: number[] } {
  const k = layer.neighbourCount!;
  return {
    images: Array.from({ length: k }, (_, q) => layer.neighbours![image * k + q]),
    distances: Array.from({ length: k }, (_, q) => layer.neighbourDistances![image * k + q]),
  };
}

/** `results` as an all-JSON file of version 2 (per-image lists as JSON lists, no .bin), without the neighbours when `withNeighbours` is false. */
function allJson(dir: string, name: string, results: Results, withNeighbours: boolean): string {
  const file = join(dir, `${name}.results.json`);
  const strip = (l: LayerResult) => (withNeighbours ? l : { ...l, neighbours: undefined, neighbourDistances: undefined });
  const { columns: _c, ...rest } = results;
  const old = {
    ...rest,
    schemaVersion: JSON_RESULTS_SCHEMA_VERSION,
    layers: results.layers.map(strip),
    snapshots: results.snapshots?.map((s) => ({ ...s, layers: s.layers.map(strip) })),
    images: {
      ...results.images,
      pixelsBase64: Buffer.alloc(results.images.count * results.images.rows * results.images.cols).toString("base64"),
    },
  };
  writeFileSync(
    file,
    JSON.stringify(old, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
  );
  return file;
}

describe("the host's answer to a view's neighbours request", () => {
  const dir = tempDir();
  let file: string;
  let r: Results;

  before(async () => {
    file = runExample("ones-vs-sevens-over-time");
    ({ results: r } = await readResultsFile(file));
  });

  it("gives an image's stored neighbours in each layer of the final model, nearest first, with their distances", () => {
    assert.ok(r.layers.every((l) => l.neighbourCount === 14 && l.neighbours && l.neighbourDistances));
    for (const image of [0, 57, r.images.count - 1]) {
      const reply = storedNeighbours(r, image, undefined);
      assert.equal(reply.length, r.layers.length);
      reply.forEach((layer, l) => {
        assert.deepEqual(layer, row(r.layers[l], image));
        assert.ok(!layer!.images.includes(image), "the image itself left out");
        assert.ok(
          layer!.distances.every((d, q) => q === 0 || d >= layer!.distances[q - 1]),
          "nearest first",
        );
      });
      // The last epoch is the final model's.
      assert.deepEqual(storedNeighbours(r, image, r.experiment.training.epochs), reply);
    }
  });

  it("gives a training snapshot's at its epoch", () => {
    const snapshots = r.snapshots!;
    assert.deepEqual(
      snapshots.map((s) => s.epoch),
      [1, 2, 4, 6],
    );
    for (const snapshot of snapshots) {
      const reply = storedNeighbours(r, 57, snapshot.epoch);
      reply.forEach((layer, l) => assert.deepEqual(layer, row(snapshot.layers[l], 57), `epoch ${snapshot.epoch}, layer ${l + 1}`));
    }
    assert.notDeepEqual(storedNeighbours(r, 57, 1), storedNeighbours(r, 57, undefined), "the first epoch's neighbours are its own");
  });

  it("gives nothing for an image not in the file or an epoch not recorded: a hostile or stale request", () => {
    for (const image of [-1, 1.5, r.images.count, "3", null, Number.NaN])
      assert.deepEqual(
        storedNeighbours(r, image, undefined),
        r.layers.map(() => null),
        `image ${String(image)}`,
      );
    for (const epoch of [3, "2", null, 99])
      assert.deepEqual(
        storedNeighbours(r, 0, epoch),
        r.layers.map(() => null),
        `epoch ${String(epoch)}`,
      );
  });

  it("answers from an all-JSON file of version 2 where it holds them, and with nothing where it does not", async () => {
    const loaded = await readResultsFile(allJson(dir, "old", r, true));
    assert.equal(loaded.format, "json");
    assert.deepEqual(storedNeighbours(loaded.results, 57, undefined), storedNeighbours(r, 57, undefined));
    assert.deepEqual(storedNeighbours(loaded.results, 57, 2), storedNeighbours(r, 57, 2));
    const older = await readResultsFile(allJson(dir, "older", r, false));
    assert.deepEqual(
      storedNeighbours(older.results, 57, undefined),
      r.layers.map(() => null),
    );
  });
});
