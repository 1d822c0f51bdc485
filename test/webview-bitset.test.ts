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
      }
    }
  });

  it("leaves out what is not an image: negative, fractional, past the end", () => {
    const set = Bitset.of(40, [-1, 2.5, 40, 41, 39, 0, 0]);
    assert.deepEqual(set.toArray(), [0, 39]);
    assert.equal(set.count, 2);
  });
});
