// The selection's bitset (webview/bitset.ts) against a plain Set of numbers, on random sets over
// sizes that do and do not fill their last 32-bit word.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import seedrandom from "seedrandom";
import { Bitset } from "../webview/bitset";

const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);

describe("Bitset", () => {
  it("holds what a Set holds: membership, count, ascending images, union and symmetric difference", () => {
    const random = seedrandom("bitset");
    for (const size of [1, 31, 32, 33, 1000, 70_000]) {
      for (const share of [0, 0.01, 0.5, 1]) {
        const pick = () => new Set(Array.from({ length: Math.round(size * share) }, () => Math.floor(random() * size)));
        const [a, b] = [pick(), pick()];
        const [x, y] = [Bitset.of(size, a), Bitset.of(size, b)];
        assert.equal(x.count, a.size);
        assert.deepEqual(x.toArray(), sorted(a));
        for (let i = 0; i < Math.min(size, 2000); i++) assert.equal(x.has(i), a.has(i));
        const union = x.union(y);
        assert.deepEqual(union.toArray(), sorted(new Set([...a, ...b])));
        assert.equal(union.count, new Set([...a, ...b]).size);
        const changed = x.xor(y);
        assert.deepEqual(changed.toArray(), sorted(new Set([...a, ...b].filter((i) => a.has(i) !== b.has(i)))));
        assert.equal(changed.count, changed.toArray().length);
        assert.deepEqual(x.and(y).toArray(), sorted(new Set([...a].filter((i) => b.has(i)))));
        assert.equal(x.and(y).count, [...a].filter((i) => b.has(i)).length);
        // A tally by key (-1: none) counts what a loop over the images counts.
        const keys = Int32Array.from({ length: size }, (_, i) => (i % 5) - 1);
        const tally = new Int32Array(4).fill(7);
        x.tally(keys, tally, 2);
        const expected = new Int32Array(4).fill(7);
        for (const i of a) if (keys[i] >= 0) expected[keys[i]] += 2;
        assert.deepEqual(tally, expected);
        // Toggling a flag bit (4) by one set, then by what changed, leaves it set where the other set is.
        const flags = new Uint8Array(size).fill(1);
        x.toggleIn(flags, 4);
        changed.toggleIn(flags, 4);
        assert.deepEqual(
          Array.from(flags, (f, i) => [i, f])
            .filter(([, f]) => f !== 1)
            .map(([i, f]) => (assert.equal(f, 5), i)),
          sorted(b),
        );
      }
    }
  });

  it("leaves out what is not an image: negative, fractional, past the end", () => {
    const set = Bitset.of(40, [-1, 2.5, 40, 41, 39, 0, 0]);
    assert.deepEqual(set.toArray(), [0, 39]);
    assert.equal(set.count, 2);
  });

  it("goes to base64 and back (what the view's state keeps of a large selection); text of another size or not base64 is refused", () => {
    const random = seedrandom("base64");
    for (const size of [1, 31, 32, 33, 1000, 100_003]) {
      const images = new Set(Array.from({ length: Math.ceil(size / 3) }, () => Math.floor(random() * size)));
      const set = Bitset.of(size, images);
      const text = set.toBase64();
      assert.match(text, /^[A-Za-z0-9+/]*=*$/);
      assert.equal(text.length, 4 * Math.ceil((4 * Math.ceil(size / 32)) / 3));
      assert.equal(text, Buffer.from(set.words.buffer, set.words.byteOffset, set.words.byteLength).toString("base64"));
      const back = Bitset.fromBase64(size, text)!;
      assert.equal(back.count, images.size);
      assert.deepEqual(back.toArray(), sorted(images));
      assert.equal(Bitset.fromBase64(size + 64, text), null, "another size's bitset");
    }
    assert.equal(Bitset.fromBase64(10, "not base64!"), null);
    // Bits past the size in the last word (a hand-edited state) are no images.
    assert.deepEqual(Bitset.fromBase64(3, btoa("\xff\xff\xff\xff"))!.toArray(), [0, 1, 2]);
  });
});
