// The results format: a small JSON header NAME.results.json and its per-image columns in
// NAME.results.bin (src/shared/columns.ts), written by src/results/write.ts and read back by
// src/results/read.ts into the same shape the pipeline made; an all-JSON file of version 2 still
// opens; a truncated, mismatched or lying pair is refused with a message naming both files.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { binFileOf, writeResults } from "../src/results/write";
import { BIN_PREAMBLE, PIXELS_COLUMN, silhouetteOf } from "../src/shared/columns";
import { JSON_RESULTS_SCHEMA_VERSION, type ModelState, type Results } from "../src/shared/results";
import { allPixels, tempDir } from "./helpers";
import { seedResults } from "./seedResults";

/** Every per-image list of a model state, as plain numbers (an injected image's silhouette null). */
function lists(state: ModelState) {
  return {
    predictions: Array.from(state.predictions),
    confidence: state.confidence && Array.from(state.confidence),
    layers: state.layers.map((l) => ({
      assignments: Array.from(l.assignments),
      silhouettes: Array.from(l.silhouettes, (_, i) => silhouetteOf(l, i)),
      umap: Array.from(l.umap),
    })),
  };
}

function sameResults(read: Results, made: Results): void {
  assert.deepEqual(Array.from(read.images.labels), Array.from(made.images.labels));
  assert.deepEqual(Array.from(read.images.injected, Boolean), Array.from(made.images.injected, Boolean));
  assert.deepEqual(read.images.split, made.images.split);
  assert.deepEqual(Array.from(read.images.sourceIndex), Array.from(made.images.sourceIndex));
  assert.deepEqual(lists(read), lists(made));
  const flows = (f: Results["flows"]) => ({ ...f, links: f.links.map((l) => ({ ...l, images: Array.from(l.images) })) });
  assert.deepEqual(flows(read.flows), flows(made.flows));
  assert.deepEqual(read.findings, made.findings);
  assert.equal(read.snapshots?.length, made.snapshots?.length);
}

describe("the results format: a JSON header and its .bin of columns", () => {
  const dir = tempDir();
  let file: string;
  let results: Results;

  before(async () => {
    ({ file, results } = await seedResults(dir, 11));
  });

  it("reads back what the run made: every per-image list as a typed array, the pixels byte for byte", async () => {
    const loaded = await readResultsFile(file);
    assert.equal(loaded.format, "columns");
    sameResults(loaded.results, results);
    assert.ok(loaded.results.images.labels instanceof Int32Array);
    assert.ok(loaded.results.layers[0].umap instanceof Float64Array);
    assert.deepEqual(Buffer.from(await allPixels(loaded)), Buffer.from(results.images.pixels!));
    // Any images' by range, in the order asked.
    const size = results.images.rows * results.images.cols;
    assert.deepEqual(
      Buffer.from(await loaded.pixelsOf([7, 3, 4, 5])),
      Buffer.concat([7, 3, 4, 5].map((i) => results.images.pixels!.subarray(i * size, (i + 1) * size))),
    );
    // The columns are views onto the buffer the view is posted (nothing copied per value), the maps' float64 places the host's own.
    assert.equal((loaded.results.layers[1].assignments as Int32Array).buffer, loaded.posted.columns);
    assert.notEqual((loaded.results.layers[1].umap as Float64Array).buffer, loaded.posted.columns);
  });

  it("keeps the header small: no per-image list and no pixels in the JSON", () => {
    const header = JSON.parse(readFileSync(file, "utf8")) as Results;
    assert.equal(header.images.labels, undefined);
    assert.equal(header.images.pixels, undefined);
    assert.equal(header.layers[0].umap, undefined);
    assert.equal(header.flows.links[0].images, undefined);
    assert.equal(header.columns!.file, "seed-11.results.bin");
    assert.equal(header.columns!.bytes, statSync(binFileOf(file)).size);
    for (const c of header.columns!.columns) assert.equal(c.offset % 8, 0, c.name);
    assert.equal(header.columns!.columns.at(-1)!.name, PIXELS_COLUMN);
    assert.ok(statSync(file).size < 20_000, `the header holds ${statSync(file).size} bytes`);
  });

  it("writes the same bytes for the same results: the .bin byte for byte, the header but for the .bin's name", async () => {
    const again = join(dir, "again.results.json");
    await writeResults(results, again);
    assert.deepEqual(readFileSync(binFileOf(again)), readFileSync(binFileOf(file)));
    assert.deepEqual(JSON.parse(readFileSync(again, "utf8")), {
      ...(JSON.parse(readFileSync(file, "utf8")) as Results),
      columns: { ...(JSON.parse(readFileSync(file, "utf8")) as Results).columns, file: "again.results.bin" },
    });
  });

  it("makes the same .bin and header (but for the timings) from two runs of the same experiment and seed", async () => {
    const other = await seedResults(tempDir(), 11);
    assert.deepEqual(readFileSync(binFileOf(other.file)), readFileSync(binFileOf(file)));
    const header = (f: string) => ({ ...(JSON.parse(readFileSync(f, "utf8")) as Results), timings: {}, experimentFile: "" });
    assert.deepEqual(header(other.file), header(file));
  });

  it("still opens an all-JSON results file of version 2, into the same shape", async () => {
    const old = join(dir, "old.results.json");
    const { pixels, ...images } = results.images;
    const v2 = {
      ...results,
      schemaVersion: JSON_RESULTS_SCHEMA_VERSION,
      images: { ...images, pixelsBase64: Buffer.from(pixels!).toString("base64") },
    };
    writeFileSync(old, JSON.stringify(v2));
    const loaded = await readResultsFile(old);
    assert.equal(loaded.format, "json");
    sameResults(loaded.results, results);
    assert.ok(loaded.results.layers[0].assignments instanceof Int32Array);
    assert.deepEqual(Buffer.from(await allPixels(loaded)), Buffer.from(pixels!));
  });

  it("refuses an all-JSON file whose per-image list is short, naming the list; one without its optional lists opens", async () => {
    const { pixels, ...images } = results.images;
    const plain = (r: Results) =>
      JSON.parse(JSON.stringify(r, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)));
    const v2 = {
      ...plain(results),
      schemaVersion: JSON_RESULTS_SCHEMA_VERSION,
      images: { ...plain({ images } as Results).images, pixelsBase64: Buffer.from(pixels!).toString("base64") },
    };
    const short = join(dir, "short-list.results.json");
    v2.layers[1].umap.pop();
    writeFileSync(short, JSON.stringify(v2));
    await assert.rejects(readResultsFile(short), /"layers\[1\]\.umap" holds \d+ values, not \d+/);
    v2.layers[1].umap = plain(results).layers[1].umap;
    for (const layer of v2.layers)
      for (const field of ["pca", "umapKept", "pcaKept", "neighbours", "neighbourDistances"]) delete layer[field];
    const older = join(dir, "older.results.json");
    writeFileSync(older, JSON.stringify(v2));
    assert.equal((await readResultsFile(older)).results.layers[1].pca, undefined);
  });

  describe("refuses a pair it cannot trust, naming both files and the fix", () => {
    /** A copy of the pair under `name`, its header changed by `edit` and its .bin by `cut`. */
    function pair(name: string, edit: (h: Results) => void = () => undefined): { header: string; bin: string } {
      const header = join(dir, `${name}.results.json`);
      const bin = binFileOf(header);
      const h = JSON.parse(readFileSync(file, "utf8")) as Results;
      h.columns!.file = `${name}.results.bin`;
      edit(h);
      writeFileSync(header, JSON.stringify(h));
      copyFileSync(binFileOf(file), bin);
      return { header, bin };
    }

    it("a .bin cut short", async () => {
      const { header, bin } = pair("cut");
      truncateSync(bin, statSync(bin).size - 100);
      await assert.rejects(readResultsFile(header), (e: Error) => {
        assert.match(
          e.message,
          /cut\.results\.json cannot be read with .*cut\.results\.bin: it holds [\d,]+ bytes where the header says [\d,]+: it is cut short/,
        );
        assert.match(e.message, /copy cut\.results\.json and cut\.results\.bin together/);
        return true;
      });
    });

    it("a .bin missing", async () => {
      const { header } = pair("gone", (h) => (h.columns!.file = "nowhere.results.bin"));
      await assert.rejects(
        readResultsFile(header),
        /the columns file nowhere\.results\.bin is missing; copy it beside gone\.results\.json/,
      );
    });

    it("another run's .bin of the same size", async () => {
      const { header, bin } = pair("other");
      const bytes = readFileSync(bin);
      bytes[BIN_PREAMBLE - 1] ^= 0xff;
      writeFileSync(bin, bytes);
      await assert.rejects(readResultsFile(header), /is another run's \(its hash is not the header's\)/);
    });

    it("a header whose offsets lie: past the end, misaligned, or a length the image count does not make", async () => {
      const cases: [string, (h: Results) => void, RegExp][] = [
        ["past", (h) => (h.columns!.columns[2].offset = 1e15), /the column "images\.split" lies outside the columns file/],
        ["misaligned", (h) => (h.columns!.columns[4].offset += 4), /the column "predictions" lies outside the columns file/],
        ["count", (h) => (h.images.count = 1e12), /the column "images\.labels" holds \d+ values, not 1000000000000/],
        ["dtype", (h) => (h.columns!.columns[0].dtype = "float64"), /the column "images\.labels" is of type float64, not int32/],
        ["gone", (h) => h.columns!.columns.splice(1, 1), /the column "images\.injected" is missing from "columns"/],
        ["path", (h) => (h.columns!.file = "../../etc/passwd.bin"), /"columns\.file" must name a NAME\.bin beside it/],
        ["no directory", (h) => delete h.columns, /"columns" is missing/],
        ["link count", (h) => (h.flows.links[0].count = -1), /"flows\.links\[0\]\.count" is not a count of images/],
        ["links", (h) => (h.flows.links[1].count += 1), /the column "flows\.links\.images" holds \d+ values, not \d+/],
        ["neighbour count", (h) => (h.layers[1].neighbourCount = 0.5), /"layers\[1\]\.neighbourCount" is not a whole number of neighbours/],
        ["neighbours", (h) => (h.layers[0].neighbourCount! += 1), /the column "layers\[0\]\.neighbours" holds \d+ values, not \d+/],
      ];
      for (const [name, edit, why] of cases) {
        const { header } = pair(name.replace(" ", "-"), edit);
        await assert.rejects(readResultsFile(header), (e: Error) => {
          assert.match(e.message, why, name);
          assert.match(e.message, /is not a complete MTQ results file: .*; run its experiment again$/, name);
          return true;
        });
      }
    });
  });
});
