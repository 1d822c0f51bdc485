// IDX, the MNIST file format: a 4-byte magic (0, 0, type, number of dimensions), one big-endian
// uint32 per dimension, then the values. Only unsigned bytes (type 0x08) occur in image sets.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { DataFileError } from "./dataFileError";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** The file's bytes, gunzipped when its content (not its name) says gzip. */
export function readMaybeGzip(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? String(e)})`,
      "check the path; relative paths are resolved from the experiment file's folder",
    );
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return new Uint8Array(gunzipSync(raw));
    } catch {
      throw new DataFileError(
        file,
        "the file starts like gzip but does not decompress (truncated or corrupt)",
        "download or copy the file again",
      );
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(
      file,
      "not an IDX file (wrong magic number)",
      "give an IDX file such as train-images-idx3-ubyte, or a CSV source instead",
    );
  }
  if (bytes[2] !== UBYTE) {
    throw new DataFileError(
      file,
      `IDX value type 0x${bytes[2].toString(16).padStart(2, "0")} is not supported (only unsigned bytes, 0x08)`,
      "convert the values to unsigned bytes 0-255",
    );
  }
  const ndims = bytes[3];
  const headerLength = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerLength) {
    throw new DataFileError(file, "the IDX header is truncated", "the file is incomplete: copy it again");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    throw new DataFileError(
      file,
      `truncated IDX file: the header announces ${dims.join("x")} = ${expected} values but only ${actual} follow`,
      "the file is incomplete: copy or download it again",
    );
  }
  if (actual > expected) {
    throw new DataFileError(
      file,
      `the IDX header announces ${expected} values but ${actual} follow`,
      "the header and the data disagree: regenerate the file",
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

export function readIdx(file: string): IdxArray {
  return parseIdx(readMaybeGzip(file), file);
}
