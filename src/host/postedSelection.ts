// A selection as a results view posts it (src/shared/protocol.ts's PostedSelection): listed, or as
// a bitset's base64 when that is shorter (a lasso of half a million images: 167 kB of text where
// its list was 3.9 MB of JSON, which VS Code serialises and the host parses on every lasso).
import type { PostedSelection, Selection } from "../shared/protocol";

/**
 * The selection `posted` names among results of `count` images, listed ascending: null for none,
 * and for a message that is not one (a bitset of another length, a list with other things in it).
 */
export function selectionOf(posted: PostedSelection | null, count: number): Selection | null {
  if (posted === null || typeof posted !== "object" || typeof posted.label !== "string") return null;
  if ("bits" in posted) {
    const images = imagesOfBits(posted.bits, count);
    return images && { images, label: posted.label };
  }
  const { images } = posted;
  return Array.isArray(images) && images.every((i) => Number.isInteger(i) && i >= 0 && i < count) ? { images, label: posted.label } : null;
}

/** The images of a bitset's base64 (bit i of the little-endian words: image i), ascending; null when it is not the bitset of `count` images. */
function imagesOfBits(bits: unknown, count: number): number[] | null {
  if (typeof bits !== "string") return null;
  const bytes = Buffer.from(bits, "base64");
  if (bytes.length !== 4 * Math.ceil(count / 32)) return null;
  // Bits past `count` in the last word are no images.
  if (count % 32) bytes.writeUInt32LE(bytes.readUInt32LE(bytes.length - 4) & (2 ** (count % 32) - 1), bytes.length - 4);
  // Counted first, so the list is made at its length: half a million images pushed to one took 12-88 ms, 4-13 so (load 6).
  let selected = 0;
  for (const byte of bytes) selected += POPCOUNT[byte];
  const images = new Array<number>(selected);
  let n = 0;
  for (let b = 0; b < bytes.length; b++) {
    for (let v = bytes[b]; v !== 0; v &= v - 1) images[n++] = 8 * b + 31 - Math.clz32(v & -v);
  }
  return images;
}

/** Bits set in each byte. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => v.toString(2).replaceAll("0", "").length);
