// Hostile files built in memory by the tests (test/hostile.test.ts, test/data.test.ts): images
// whose headers claim more pixels than they hold, written as real PNG and JPEG bytes.
import { once } from "node:events";
import { createDeflate, createDeflateRaw, createGzip } from "node:zlib";

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG header (IHDR) of `width` x `height` at `depth` bits of colour type `colourType`. */
export function pngHeader(width: number, height: number, colourType = 0, depth = 8): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  [ihdr[8], ihdr[9]] = [depth, colourType];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr)]);
}

/**
 * A grey PNG of `width` x `height` whose rows are all really there, deflated: every pixel black.
 * Zeros deflate about 1000:1, so 30000x30000 (900 MB of pixels) takes under a megabyte on disk;
 * written by streaming, so the test never holds the pixels either.
 */
export async function pngBomb(width: number, height: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on("data", (c: Buffer) => parts.push(c));
  const row = width + 1; // the filter byte, then one byte per pixel
  const rowsAtOnce = Math.max(1, Math.floor((8 << 20) / row));
  const block = Buffer.alloc(row * rowsAtOnce);
  for (let left = height; left > 0; left -= rowsAtOnce) {
    if (!deflate.write(block.subarray(0, Math.min(left, rowsAtOnce) * row))) await once(deflate, "drain");
  }
  deflate.end();
  await once(deflate, "end");
  return Buffer.concat([pngHeader(width, height), pngChunk("IDAT", Buffer.concat(parts)), pngChunk("IEND", new Uint8Array(0))]);
}

/** A JPEG whose frame header (SOF0) claims `width` x `height` with `components` channels, and no image data after it. */
export function jpegClaiming(width: number, height: number, components = 3): Buffer {
  const sof = Buffer.alloc(2 + 2 + 6 + 3 * components);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(8 + 3 * components, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof[9] = components;
  for (let c = 0; c < components; c++) sof.set([c + 1, 0x11, 0], 10 + 3 * c);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/**
 * A gzip (or, `raw`, a bare deflate stream as zip entries hold) of `head` followed by `unit`
 * repeated up to `total` bytes, deflated by streaming: a bomb (repeated bytes deflate about
 * 1000:1) that neither the test nor the file holds inflated.
 */
export async function gzipBomb(head: Uint8Array, unit: Uint8Array, total: number, { raw = false } = {}): Promise<Buffer> {
  const gzip = raw ? createDeflateRaw({ level: 9 }) : createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on("data", (c: Buffer) => parts.push(c));
  gzip.write(head);
  const units = Math.max(1, Math.floor((8 << 20) / unit.length));
  const block = Buffer.alloc(unit.length * units);
  for (let u = 0; u < units; u++) block.set(unit, u * unit.length);
  for (let left = total - head.length; left > 0; left -= block.length) {
    if (!gzip.write(block.subarray(0, Math.min(left, block.length)))) await once(gzip, "drain");
  }
  gzip.end();
  await once(gzip, "end");
  return Buffer.concat(parts);
}

/** A zip (an .npz) of one deflated entry `name` whose content is `deflated`, said to inflate to `size` bytes (CRC not checked by MTQ: 0). */
export function zipOfDeflated(name: string, deflated: Uint8Array, size: number): Buffer {
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const dir = Buffer.concat([central, nameBytes]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(30 + nameBytes.length + deflated.length, 16);
  return Buffer.concat([local, nameBytes, deflated, dir, end]);
}
