// A set of image numbers as bits (one Uint32 word per 32 images): what the selection is in every
// view. Membership is one shift and mask, the images come out ascending without a sort, and two
// selections differ by a word-wise XOR, so a view updates only the images whose state changed.

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

  /** The images in one of the two sets but not both: what changed from one selection to the next. */
  xor(other: Bitset): Bitset {
    const out = new Bitset(this.size);
    for (let w = 0; w < out.words.length; w++) out.words[w] = this.words[w] ^ other.words[w];
    out.count = popcount(out.words);
    return out;
  }

  /** Calls `visit` with each image in the set, ascending. */
  forEach(visit: (image: number) => void): void {
    const { words } = this;
    for (let w = 0; w < words.length; w++) {
      let bits = words[w];
      while (bits !== 0) {
        const low = bits & -bits;
        visit((w << 5) + 31 - Math.clz32(low));
        bits ^= low;
      }
    }
  }

  /** The images, ascending. */
  toArray(): number[] {
    const out = new Array<number>(this.count);
    let n = 0;
    this.forEach((i) => (out[n++] = i));
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
