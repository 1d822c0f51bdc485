// A selection as it crosses between a view and the host (protocol.ts's PostedSelection), both ways:
// listed, or as the base64 of its bitset's little-endian 32-bit words when that is shorter. The one
// encoder and the one rule for both sides: the view posts selectionChanged, saveSelection,
// exportTable and showInResults so, the host posts `select` so. A list of half of a million images
// is about 3.5 MB of JSON (3.54 MB measured) that VS Code serialises and the other side parses; its
// bitset, 167 kB whatever is selected. A few images of many are shorter listed.
import type { PostedSelection, Selection } from "./protocol";

/** The characters of a bitset's base64 for results of `count` images (a word per 32 images). */
export function bitsLength(count: number): number {
  return 4 * Math.ceil((4 * Math.ceil(count / 32)) / 3);
}

/**
 * `selection` of results of `count` images as it is posted: listed, or as a bitset when that is
 * shorter. `words`, the selection's bitset when it is at hand (the view's); else made from its list.
 */
export function postedSelection(selection: Selection, count: number, words?: Uint32Array): PostedSelection {
  const length = bitsLength(count);
  const { images } = selection;
  // A list is at least 2 characters an image: only a short one is measured.
  if (2 * images.length <= length && listedLength(images) <= length) return selection;
  return { label: selection.label, bits: wordsToBase64(words ?? wordsOf(images, count)) };
}

/** The characters of `images` as JSON: each number's digits and a comma. */
function listedLength(images: number[]): number {
  let length = 0;
  for (const i of images) length += String(i).length + 1;
  return length;
}

/** The bitset's words of `images` among `count` (bit i: image i); others are left out. */
function wordsOf(images: number[], count: number): Uint32Array {
  const words = new Uint32Array(Math.ceil(count / 32));
  for (const i of images) if (Number.isInteger(i) && i >= 0 && i < count) words[i >>> 5] |= 1 << (i & 31);
  return words;
}

/**
 * Base64 of `words`' bytes (little-endian, as a Uint32Array holds them on every platform we run on).
 * Encoded into ASCII bytes, decoded once: btoa of the bytes as a string (String.fromCharCode of
 * 32 kB parts) took 20 ms of a lasso's 367 at a million in a CPU profile (load 8).
 */
export function wordsToBase64(words: Uint32Array): string {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const out = new Uint8Array(4 * Math.ceil(bytes.length / 3));
  let o = 0;
  let k = 0;
  for (; k + 2 < bytes.length; k += 3) {
    const v = (bytes[k] << 16) | (bytes[k + 1] << 8) | bytes[k + 2];
    out[o++] = BASE64[v >>> 18];
    out[o++] = BASE64[(v >>> 12) & 63];
    out[o++] = BASE64[(v >>> 6) & 63];
    out[o++] = BASE64[v & 63];
  }
  if (k < bytes.length) {
    const v = (bytes[k] << 16) | (k + 1 < bytes.length ? bytes[k + 1] << 8 : 0);
    out[o++] = BASE64[v >>> 18];
    out[o++] = BASE64[(v >>> 12) & 63];
    out[o++] = k + 1 < bytes.length ? BASE64[(v >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return new TextDecoder().decode(out);
}

/** Base64's alphabet as character codes, and its padding. */
const BASE64 = Uint8Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", (c) => c.charCodeAt(0));
const PAD = "=".charCodeAt(0);
