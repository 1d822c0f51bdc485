// A selection as a view posts it (src/shared/protocol.ts's PostedSelection, made by
// src/shared/selectionBits.ts's postedSelection): listed, or as a bitset's base64 when that is
// shorter (a lasso of half a million images: 167 kB of text where its list was about 3.5 MB of JSON,
// which VS Code serialises and the host parses). Every selection a view posts is read here:
// selectionChanged, saveSelection, exportTable and the comparison's showInResults.
import type { PostedSelection, Selection } from "../shared/protocol";
import { bitsLength } from "../shared/selectionBits";

/**
 * The selection `posted` names among results of `count` images (a bitset's images ascending, a list
 * as posted): null for none, and for a message that is not one (a bitset of another length or not
 * base64, a list with other things in it).
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
  const byteLength = 4 * Math.ceil(count / 32);
  // Checked before decoding: Buffer.from skips what is not base64, and a hostile view's 200 MB string took 0.4 s to decode.
  if (typeof bits !== "string" || bits.length !== bitsLength(count) || !BASE64.test(bits)) return null;
  const bytes = Buffer.from(bits, "base64");
  if (bytes.length !== byteLength) return null;
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
  // An empty bitset is no selection, as the view reads it (Bitset.fromBase64, then nothing selected).
  return selected > 0 ? images : null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bits set in each byte. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => v.toString(2).replaceAll("0", "").length);
