// A digit's pixels as a tiny greyscale or colour PNG data URI: the tree's item icons show the digit itself,
// so a user sees at a glance which 7s look like 1s. Encoded by hand (a PNG is a few chunks around
// zlib data) to keep the extension host free of image libraries.
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit PNG of `pixels` (rows*cols*channels bytes, row by row, 0 = black): greyscale, or RGB for 3 channels. */
export function imagePng(pixels: Uint8Array, rows: number, cols: number, channels: 1 | 3 = 1): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(cols, 0);
  header.writeUInt32BE(rows, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 3 ? 2 : 0; // colour type: truecolour or greyscale
  const line = cols * channels;
  const scanlines = Buffer.alloc(rows * (line + 1)); // each row: filter byte 0 (none), then pixels
  for (let r = 0; r < rows; r++) scanlines.set(pixels.subarray(r * line, (r + 1) * line), r * (line + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(scanlines)), chunk("IEND", new Uint8Array(0))]);
}

export function pngDataUri(png: Buffer): string {
  return `data:image/png;base64,${png.toString("base64")}`;
}
