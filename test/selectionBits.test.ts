// The one rule and encoder for a selection in a message, both ways (src/shared/selectionBits.ts):
// listed when that is shorter, else its bitset's base64; the encoder is Node's base64 of the words'
// bytes to the letter, the view's Bitset and the host's selectionOf read what it writes, and each
// side refuses a bitset not of its results' image count.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectionOf } from "../src/host/postedSelection";
import type { FromResultsView, Selection, ToResultsView } from "../src/shared/protocol";
import { bitsLength, postedSelection, wordsToBase64 } from "../src/shared/selectionBits";
import { Bitset } from "../webview/bitset";

/** A seeded choice of about `share` of `count` images, ascending. */
function someImages(count: number, share: number, seed = 7): number[] {
  let s = seed;
  const images: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (s / 2 ** 32 < share) images.push(i);
  }
  return images;
}

describe("a selection in a message (selectionBits)", () => {
  it("encodes a bitset's words as Node's base64 of their bytes, at every length", () => {
    for (const size of [0, 1, 31, 32, 33, 64, 65, 96, 97, 128, 1000, 70_000]) {
      const bits = Bitset.of(size, someImages(size, 0.3, size + 1));
      const expected = Buffer.from(bits.words.buffer, bits.words.byteOffset, bits.words.byteLength).toString("base64");
      assert.equal(wordsToBase64(bits.words), expected, `${size} images`);
      assert.equal(bits.toBase64(), expected);
      assert.equal(expected.length, bitsLength(size));
    }
  });

  it("lists a few images, and sends many as a bitset that both sides read as the same images", () => {
    const count = 1_000_000;
    const few: Selection = { images: [3, 70, 999_999], label: "outliers" };
    assert.equal(postedSelection(few, count), few, "a few images are shorter listed: the selection itself");
    const half: Selection = { images: someImages(count, 0.5), label: "lasso on layer 1" };
    const posted = postedSelection(half, count);
    assert.ok("bits" in posted);
    assert.equal(posted.bits.length, 166_668, "a million images' bitset in 167 kB of text");
    // The same, from the view's bitset at hand or from the host's list.
    const view = Bitset.of(count, half.images);
    assert.deepEqual(postedSelection(half, count, view.words), posted);
    assert.deepEqual(selectionOf(posted, count), half, "the host reads the images");
    assert.deepEqual(Bitset.fromBase64(count, posted.bits)!.toArray(), half.images, "the view reads the images");
    // Where the list and the bitset are as long, either way round the rule: each is read back as the same images.
    const sparse = { images: someImages(count, 0.02), label: "sparse" };
    assert.deepEqual(selectionOf(postedSelection(sparse, count), count), sparse);
  });

  it("measures the messages at a million images, half of them selected: the list's JSON against the bitset's", (t) => {
    const count = 1_000_000;
    const half: Selection = { images: someImages(count, 0.5), label: "lasso on layer 1" };
    const listed: FromResultsView = { type: "saveSelection", selection: half };
    const start = performance.now();
    const bits: FromResultsView = { type: "saveSelection", selection: postedSelection(half, count) };
    const encode = performance.now() - start;
    const sizes = [JSON.stringify(listed).length, JSON.stringify(bits).length];
    const select: ToResultsView = { type: "select", selection: postedSelection(half, count) };
    assert.equal(JSON.stringify(select).length, JSON.stringify(bits).length - "saveSelection".length + "select".length);
    t.diagnostic(
      `${half.images.length} of ${count}: listed ${sizes[0]} characters of JSON, as a bitset ${sizes[1]}; encoded in ${encode.toFixed(1)} ms`,
    );
    assert.ok(sizes[0] > 3_400_000 && sizes[0] < 3_700_000, `about 3.5 MB listed: ${sizes[0]}`);
    assert.ok(sizes[1] < 167_000, `167 kB as a bitset: ${sizes[1]}`);
  });

  it("is refused by either side when it is not of the results' image count", () => {
    const bits = Bitset.of(1000, [1, 2, 999]).toBase64();
    for (const count of [999, 1001, 1024, 1025, 70_000]) {
      const other = bitsLength(count) === bits.length;
      assert.equal(selectionOf({ label: "x", bits }, count) === null, !other, `host, ${count} images`);
      assert.equal(Bitset.fromBase64(count, bits) === null, !other, `view, ${count} images`);
    }
    // Of the right length but not base64, longer, a number, or huge: refused before it is decoded.
    for (const bad of [`!${bits.slice(1)}`, `${bits}AAAA`, 5 as unknown as string, "A".repeat(64 * 2 ** 20)]) {
      assert.equal(selectionOf({ label: "x", bits: bad }, 1000), null);
      assert.equal(Bitset.fromBase64(1000, bad), null);
    }
  });
});
