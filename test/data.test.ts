import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as jpeg from "jpeg-js";
import { csvFacts, parseCsvImages, readCsvImages } from "../src/data/csv";
import { DataFileError } from "../src/data/dataFileError";
import { idxDims, readIdx } from "../src/data/idx";
import { imageHeader, MAX_IMAGE_PIXELS, readImageFolder } from "../src/data/imageFolder";
import { countPerLabel } from "../src/data/images";
import { pickIndices } from "../src/data/pick";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "../src/pipeline/preprocess";
import { loadImages, splitFiles } from "../src/data/source";
import { randomFor } from "../src/data/random";
import { idxBytes, tempDir } from "./helpers";
import { gzipBomb, jpegClaiming, pngBomb, pngHeader } from "./hostileFiles";
import { MAX_DATA_FILE_BYTES } from "../src/data/files";

describe("built-in MNIST", () => {
  it("holds the real 60,000 + 10,000 digits", () => {
    const train = loadImages(splitFiles("mnist", "train", ".")!);
    const test = loadImages(splitFiles("mnist", "test", ".")!);
    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    assert.deepEqual([train.rows, train.cols], [28, 28]);
    assert.deepEqual(Array.from(test.labels.subarray(0, 5)), [7, 2, 1, 0, 4]);
    assert.deepEqual(Array.from(train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
    assert.equal(countPerLabel(train.labels).get(1), 6742);
    assert.equal(maxPixel(train.pixels), 255);
  });

  it("picks the first n of each digit in file order, like the report's cut_data", () => {
    const { labels } = loadImages(splitFiles("mnist", "train", ".")!);
    const picked = pickIndices(labels, [1, 7], 3, "first", randomFor(1, "pick"));
    assert.deepEqual(Array.from(picked), [3, 6, 8, 15, 29, 38]);
    assert.deepEqual(
      Array.from(picked, (i) => labels[i]),
      [1, 1, 1, 7, 7, 7],
    );
  });

  it("random picks depend on the seed only", () => {
    const { labels } = loadImages(splitFiles("mnist", "train", ".")!);
    const a = pickIndices(labels, [3, 8], 50, "random", randomFor(5, "pick"));
    const b = pickIndices(labels, [3, 8], 50, "random", randomFor(5, "pick"));
    const c = pickIndices(labels, [3, 8], 50, "random", randomFor(6, "pick"));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a.length, 100);
    assert.ok(
      a.every((v, i) => i === 0 || a[i - 1] < v),
      "file order",
    );
  });
});

describe("preprocessing", () => {
  it("one-hot encodes over the sorted kept labels", () => {
    const classes = sortedClasses([7, 1, 3]);
    assert.deepEqual(classes, [1, 3, 7]);
    assert.deepEqual(Array.from(oneHot([3, 1, 7], classes)), [0, 1, 0, 1, 0, 0, 0, 0, 1]);
    assert.throws(() => oneHot([4], classes), /label 4/);
  });

  it("scales pixels to [0, 1]", () => {
    assert.deepEqual(Array.from(scaledPixels(Uint8Array.from([0, 51, 255]), 255)), [0, 0.2, 1].map(Math.fround));
  });
});

describe("IDX files", () => {
  const dir = tempDir();
  const pixels = Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 20);

  it("reads back what was written, plain and gzipped (detected by content)", () => {
    const plain = join(dir, "images.idx");
    const gz = join(dir, "images-without-gz-extension");
    writeFileSync(plain, idxBytes([3, 2, 2], pixels));
    writeFileSync(gz, gzipSync(idxBytes([3, 2, 2], pixels)));
    for (const f of [plain, gz]) {
      const idx = readIdx(f);
      assert.deepEqual(idx.dims, [3, 2, 2]);
      assert.deepEqual(idx.data, pixels);
    }
  });

  it("rejects truncated, wrong-magic, corrupt-gzip and missing files with a clear message", () => {
    const full = idxBytes([3, 2, 2], pixels);
    const cases: [string, Uint8Array, RegExp][] = [
      ["truncated", full.subarray(0, full.length - 5), /truncated IDX file: the header announces 3x2x2 = 12 values but only 7 follow/],
      ["header", full.subarray(0, 6), /header is truncated/],
      ["magic", Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), /not an IDX file \(wrong magic number\)/],
      ["type", Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), /value type 0x0d is not supported/],
      ["gzip", gzipSync(full).subarray(0, 20), /does not decompress/],
    ];
    for (const [name, bytes, message] of cases) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      assert.throws(
        () => readIdx(f),
        (e: unknown) => e instanceof DataFileError && message.test(e.message) && e.file === f,
        name,
      );
    }
    assert.throws(() => readIdx(join(dir, "nope")), /file not found/);
  });

  it("finds the same problems from the header and the size alone (gzipped: streamed), without holding the values", async () => {
    const full = idxBytes([3, 2, 2], pixels);
    const cases: [string, Uint8Array, RegExp][] = [
      ["truncated", full.subarray(0, full.length - 5), /truncated IDX file: the header announces 3x2x2 = 12 values but only 7 follow/],
      ["oversized", Buffer.concat([full, Buffer.from([1])]), /the IDX header announces 12 values but 13 follow/],
      ["header", full.subarray(0, 6), /header is truncated/],
      ["magic", Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), /not an IDX file \(wrong magic number\)/],
      ["type", Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), /value type 0x0d is not supported/],
      ["gzip", gzipSync(full).subarray(0, 20), /does not decompress/],
      [
        "gzip-truncated",
        gzipSync(full.subarray(0, full.length - 5)),
        /truncated IDX file: the header announces 3x2x2 = 12 values but only 7 follow/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      const f = join(dir, `cheap-${name}`);
      writeFileSync(f, bytes);
      const said = (e: unknown) => e instanceof DataFileError && message.test(e.message) && e.file === f;
      assert.throws(() => readIdx(f), said, `${name}: the full reader`);
      await assert.rejects(idxDims(f), said, `${name}: the header`);
    }
    writeFileSync(join(dir, "cheap.gz"), gzipSync(full));
    assert.deepEqual(await idxDims(join(dir, "cheap.gz")), [3, 2, 2]);
    await assert.rejects(idxDims(join(dir, "nope")), /file not found/);
  });

  it("refuses an image file whose count differs from its labels", () => {
    writeFileSync(join(dir, "i3"), idxBytes([3, 2, 2], pixels));
    writeFileSync(join(dir, "l2"), idxBytes([2], Uint8Array.from([1, 7])));
    const files = splitFiles({ idx: { images: "i3", labels: "l2" } }, "train", dir)!;
    assert.throws(() => loadImages(files), /3 images but 2 labels/);
  });
});

describe("image headers", () => {
  const dir = tempDir();

  it("give a PNG's and a JPEG's size without decoding them, and refuse what is neither or is cut short", async () => {
    const png = join(__dirname, "..", "examples", "images", "one", "mnist-test-00002.png");
    assert.deepEqual(await imageHeader(png), { format: "PNG", width: 28, height: 28, channels: 1 });
    const rgba = Buffer.alloc(40 * 30 * 4, 200);
    const jpg = join(dir, "photo.jpg");
    writeFileSync(jpg, jpeg.encode({ data: rgba, width: 40, height: 30 }, 90).data);
    assert.deepEqual(await imageHeader(jpg), { format: "JPEG", width: 40, height: 30, channels: 3 });
    const cases: [string, Buffer, RegExp][] = [
      ["text.png", Buffer.from("not a PNG"), /not a PNG or JPEG image \(its first bytes are neither\)/],
      ["cut.png", readFileSync(png).subarray(0, 20), /cannot decode this PNG \(no IHDR header\)/],
      ["cut.jpg", readFileSync(jpg).subarray(0, 10), /cannot decode this JPEG/],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(join(dir, name), bytes);
      await assert.rejects(imageHeader(join(dir, name)), (e: unknown) => e instanceof DataFileError && message.test(e.message));
    }
  });

  it("refuse an image whose header claims more than 4096x4096 pixels, or a colour type PNG does not define, from the header alone", async () => {
    assert.equal(MAX_IMAGE_PIXELS, 4096 * 4096);
    const cases: [string, Buffer, RegExp][] = [
      [
        "wide.png",
        pngHeader(100_000, 100_000),
        /the PNG header gives 100000x100000 = 10,000,000,000 pixels, above the 16,777,216 \(4096x4096\)/,
      ],
      ["tall.jpg", jpegClaiming(65_535, 65_535), /the JPEG header gives 65535x65535 = 4,294,836,225 pixels, above the 16,777,216/],
      [
        "odd.png",
        pngHeader(28, 28, 2, 4),
        /cannot decode this PNG \(its header gives colour type 2 at 4 bits, which PNG does not define\)/,
      ],
      ["none.png", pngHeader(0, 28), /cannot decode this PNG \(its header gives no pixels\)/],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(join(dir, name), bytes);
      await assert.rejects(imageHeader(join(dir, name)), (e: unknown) => e instanceof DataFileError && message.test(e.message));
    }
    // At the limit exactly: read, not refused.
    writeFileSync(join(dir, "limit.png"), pngHeader(4096, 4096, 6, 16));
    assert.deepEqual(await imageHeader(join(dir, "limit.png")), { format: "PNG", width: 4096, height: 4096, channels: 4 });
  });

  it("refuse a huge image at run time before decoding it: a PNG of 20000x20000 real pixels (400 MB) in 400 KB", async () => {
    const folder = join(dir, "bomb");
    mkdirSync(join(folder, "0"), { recursive: true });
    writeFileSync(join(folder, "0", "big.png"), await pngBomb(20_000, 20_000));
    const set = readImageFolder(folder, { labelOf: new Map([["0", 0]]) }, { size: [28, 28], invert: false });
    const started = performance.now();
    assert.throws(
      () => set.pixelsAt(0),
      (e: unknown) =>
        e instanceof DataFileError &&
        /big\.png$/.test(e.file) &&
        /20000x20000 = 400,000,000 pixels/.test(e.message) &&
        /resize it/.test(e.fix),
    );
    // Decoding would take seconds and gigabytes; the header is read in microseconds.
    assert.ok(performance.now() - started < 500);
  });
});

describe("data files read whole are bounded: 500 MB on disk or once gunzipped", () => {
  const dir = tempDir();
  const beyond = MAX_DATA_FILE_BYTES + 1024 * 1024;
  const inflatesBeyond = /the gzip inflates to more than 500 MB, above the 500 MB a data file read whole may hold/;
  const isError = (message: RegExp) => (e: unknown) =>
    e instanceof DataFileError && message.test(e.message) && /keep only the images/.test(e.fix);

  it("refuses an IDX gzip bomb: the check stops streaming at the bound, the run inflates no more than the header announces", async () => {
    assert.equal(MAX_DATA_FILE_BYTES, 500 * 1024 * 1024);
    // The header tells the truth (that many zero images follow), but they are more than the bound.
    const count = Math.ceil(beyond / 784);
    const bomb = join(dir, "bomb-idx3-ubyte.gz");
    writeFileSync(bomb, await gzipBomb(idxBytes([count, 28, 28], new Uint8Array(0)), new Uint8Array(784), 16 + count * 784));
    await assert.rejects(idxDims(bomb), isError(inflatesBeyond));
    assert.throws(() => readIdx(bomb), isError(new RegExp(`the IDX header announces ${count}x28x28 values, above the 500 MB`)));
    // The header lies low: 10 images announced, 500 MB follow. The run stops one byte past the 7,856 announced.
    const liar = join(dir, "liar-idx3-ubyte.gz");
    writeFileSync(liar, await gzipBomb(idxBytes([10, 28, 28], new Uint8Array(0)), new Uint8Array(784), beyond));
    const started = performance.now();
    assert.throws(() => readIdx(liar), /the IDX header announces 10x28x28 values but more follow/);
    assert.ok(performance.now() - started < 1000, "inflated no further than the header's claim");
  });

  it("refuses a CSV gzip bomb in the check and in the run", async () => {
    const row = Buffer.from(`1,${new Array(784).fill(0).join(",")}\n`);
    const bomb = join(dir, "bomb.csv.gz");
    writeFileSync(bomb, await gzipBomb(new Uint8Array(0), row, beyond));
    await assert.rejects(csvFacts(bomb), isError(inflatesBeyond));
    assert.throws(() => readCsvImages(bomb), isError(inflatesBeyond));
  });
});

describe("CSV files", () => {
  const dir = tempDir();

  it("reads a header, labels and pixels", () => {
    const row = (label: number, v: number) => [label, ...Array(784).fill(v)].join(",");
    const f = join(dir, "digits.csv");
    writeFileSync(f, ["label," + Array.from({ length: 784 }, (_, i) => `p${i}`).join(","), row(1, 0), row(7, 255), ""].join("\n"));
    const set = readCsvImages(f);
    assert.deepEqual([set.count, set.rows, set.cols], [2, 28, 28]);
    assert.deepEqual(Array.from(set.labels), [1, 7]);
    assert.equal(set.pixels[784], 255);
  });

  it("finds the same problems streaming the file line by line, keeping only the labels", async () => {
    const cases: [string, RegExp][] = [
      ["1,0,0,0,0\n7,0,0,0\n", /line 2 has 4 columns, the first row has 5/],
      ["1,0,0,0,0\n7,0,300,0,0\n", /line 2, column 3: "300" is not a pixel value 0-255/],
      ["1,0,0,0,0\n7,0,300,0\n", /line 2 has 4 columns, the first row has 5/],
      ["1,0,0\n", /line 1 has 3 columns; expected a label then a square image/],
      ["label,a,b,c,d\n1.5,0,0,0,0\n", /line 2, column 1: "1.5" is not an integer label 0-255/],
      ["label,a,b,c,d\n\n", /the CSV file has no data rows/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const f = join(dir, `rows-${i}.csv`);
      writeFileSync(f, i % 2 ? gzipSync(text) : text);
      assert.throws(() => parseCsvImages(text, f), message);
      await assert.rejects(csvFacts(f), message);
    }
    const f = join(dir, "fine.csv");
    writeFileSync(f, "label,a,b,c,d\r\n1,0,0,0,255\r\n\r\n7, 1 ,2.5,0x1,0\r\n");
    const facts = await csvFacts(f);
    assert.deepEqual([facts.count, facts.rows, facts.cols, Array.from(facts.labels)], [2, 2, 2, [1, 7]]);
    assert.deepEqual(Array.from(readCsvImages(f).pixels), [0, 0, 0, 255, 1, 3, 1, 0]);
  });

  it("names the line of a row of the wrong width or a bad value", () => {
    assert.throws(() => parseCsvImages("1,0,0,0,0\n7,0,0,0\n", "x.csv"), /line 2 has 4 columns, the first row has 5/);
    assert.throws(() => parseCsvImages("1,0,0,0,0\n7,0,300,0,0\n", "x.csv"), /line 2, column 3: "300" is not a pixel value 0-255/);
    assert.throws(() => parseCsvImages("1,0,0\n", "x.csv"), /line 1 has 3 columns; expected a label then a square image/);
  });
});
