// A set of image numbers as bits (one Uint32 word per 32 images): what the selection is in every
// view. Membership is one shift and mask, the images come out ascending without a sort, and two
// selections differ by a word-wise XOR, so a view updates only the images whose state changed.

import { bitsLength, wordsToBase64 } from "../src/shared/selectionBits";

export class Bitset {
  readonly words: Uint32Array;
  /** How many images are in the set. */
  count = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** The set of `images` in [0, size); others are left out. */
  static of(size: number, images: Iterable<number>): Bitset {
    const set = new Bitset(size);
    for (const i of images) if (Number.isInteger(i) && i >= 0 && i < size) set.add(i);
    return set;
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  add(i: number): void {
    const bit = 1 << (i & 31);
    const w = i >>> 5;
    if ((this.words[w] & bit) === 0) {
      this.words[w] |= bit;
      this.count++;
    }
  }

  /** This set with `other`'s images added. */
  union(other: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let w = 0; w < out.words.length; w++) out.words[w] = this.words[w] | other.words[w];
    out.count = popcount(out.words);
    return out;
  }

  /** The images in both sets. */
  and(other: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let w = 0; w < out.words.length; w++) out.words[w] = this.words[w] & other.words[w];
    out.count = popcount(out.words);
    return out;
  }

  /** The images in one of the two sets but not both: what changed from one selection to the next. */
  xor(other: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let w = 0; w < out.words.length; w++) out.words[w] = this.words[w] ^ other.words[w];
    out.count = popcount(out.words);
    return out;
  }

  /** Toggles `flag` in `flags[i]` of each image i in the set (a map's SELECTED bit where the selection changed). */
  toggleIn(flags: Uint8Array, flag: number): void {
    const { words } = this;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w];
      while (bits !== 0) {
        const low = bits & -bits;
        flags[(w << 5) + 31 - Math.clz32(low)] ^= flag;
        bits ^= low;
      }
    }
  }

  /** Adds `by` to `counts[keys[i]]` for each image i in the set whose key is not negative: a tally (per Sankey link, say) without a call per image. */
  tally(keys: ArrayLike<number>, counts: Int32Array, by: number): void {
    const { words } = this;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w];
      while (bits !== 0) {
        const low = bits & -bits;
        const key = keys[(w << 5) + 31 - Math.clz32(low)];
        if (key >= 0) counts[key] += by;
        bits ^= low;
      }
    }
  }

  /** The set as base64 of its words' bytes (little-endian; src/shared/selectionBits.ts): a million images in 167 kB, their list up to 6.9 MB of JSON. */
  toBase64(): string {
    return wordsToBase64(this.words);
  }

  /** A set of `size` images from toBase64's text; null when the text is not one (another file's, or not base64). */
  static fromBase64(size: number, text: string): Bitset | null {
    // Measured before decoding: a hostile 200 MB string is not decoded.
    if (typeof text !== "string" || text.length !== bitsLength(size)) return null;
    let binary: string;
    try {
      binary = atob(text);
    } catch {
      return null;
    }
    const set = new Bitset(size);
    if (binary.length !== set.words.byteLength) return null;
    const bytes = new Uint8Array(set.words.buffer);
    for (let k = 0; k < bytes.length; k++) bytes[k] = binary.charCodeAt(k);
    // Bits past `size` in the last word are no images.
    if (size % 32 && set.words.length) set.words[set.words.length - 1] &= 2 ** (size % 32) - 1;
    set.count = popcount(set.words);
    return set;
  }

  /** The images, ascending. */
  toArray(): number[] {
    const out = new Array<number>(this.count);
    const { words } = this;
    let n = 0;
    // Word by word, no call per image (a visitor's call per image took most of a million's time).
    for (let w = 0; w < words.length; w++) {
      let bits = words[w];
      while (bits !== 0) {
        const low = bits & -bits;
        out[n++] = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
      }
    }
    return out;
  }
}

function popcount(words: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < words.length; w++) {
    let v = words[w];
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}
