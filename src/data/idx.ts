// IDX, the MNIST file format: a 4-byte magic (0, 0, type, number of dimensions), one big-endian
// uint32 per dimension, then the values. Only unsigned bytes (type 0x08) occur in image sets.
import { DataFileError } from "./dataFileError";
import {
  contentChunks,
  fileKind,
  holdsOnDisk,
  MAX_DATA_FILE_BYTES,
  openedForReading,
  readMaybeGzip,
  tooLarge,
  type ContentBound,
} from "./files";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
/** The longest header: the magic, then 255 dimensions. */
const MAX_HEADER = 4 + 4 * 255;

/** The dimensions the header announces, or how it is broken; `bytes` holds at least the header when the file has one. */
function headerDims(bytes: Uint8Array, file: string): { dims: number[]; headerLength: number } {
  checkMagic(bytes, file);
  const ndims = bytes[3];
  const headerLength = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerLength) {
    throw new DataFileError(file, "the IDX header is truncated", "the file is incomplete: copy it again");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return { dims: Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false)), headerLength };
}

/** The magic number's first three bytes: zero, zero, the unsigned-byte type. */
function checkMagic(bytes: Uint8Array, file: string): void {
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
}

/** A file whose values are fewer or more than its header announces. */
function sizeMismatch(file: string, dims: number[], actual: number): DataFileError | undefined {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (actual < expected) {
    return new DataFileError(
      file,
      `truncated IDX file: the header announces ${dims.join("x")} = ${expected} values but only ${actual} follow`,
      "the file is incomplete: copy or download it again",
    );
  }
  if (actual > expected) {
    return new DataFileError(
      file,
      `the IDX header announces ${expected} values but ${actual} follow`,
      "the header and the data disagree: regenerate the file",
    );
  }
  return undefined;
}

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const { dims, headerLength } = headerDims(bytes, file);
  const mismatch = sizeMismatch(file, dims, bytes.length - headerLength);
  if (mismatch) throw mismatch;
  return { dims, data: bytes.subarray(headerLength) };
}

/**
 * An IDX file's dimensions and values. Its header is read first: a gzipped file is inflated to no
 * more than the header announces (more is refused), and a claim above MAX_DATA_FILE_BYTES is
 * refused before anything is inflated.
 */
export function readIdx(file: string): IdxArray {
  const bound = (start: Uint8Array): ContentBound | undefined => {
    let header;
    try {
      header = headerDims(start, file);
    } catch {
      return undefined; // said by parseIdx, or by gunzip for a corrupt gzip
    }
    const { dims, headerLength } = header;
    const announced = headerLength + dims.reduce((a, b) => a * b, 1);
    if (announced > MAX_DATA_FILE_BYTES) throw tooLarge(file, `the IDX header announces ${dims.join("x")} values`);
    // One byte beyond what is announced is enough to know there is more.
    const beyond = new DataFileError(
      file,
      `the IDX header announces ${dims.join("x")} values but more follow`,
      "the header and the data disagree: regenerate the file",
    );
    return { bytes: announced + 1, beyond };
  };
  return parseIdx(readMaybeGzip(file, bound), file);
}

/**
 * The dimensions of an IDX file, checked against its size without holding its values: a plain
 * file's header and `stat` size; a gzipped one streamed through gunzip, counting bytes, so a cut
 * short gzip and a size that disagrees with the header are found in constant memory.
 */
export async function idxDims(file: string): Promise<number[]> {
  const { gzip, size } = await fileKind(file);
  if (!gzip) {
    if (size > MAX_DATA_FILE_BYTES) throw tooLarge(file, holdsOnDisk(size));
    const handle = await openedForReading(file);
    try {
      const head = new Uint8Array(Math.min(size, MAX_HEADER));
      await handle.read(head, 0, head.length, 0);
      const { dims, headerLength } = headerDims(head, file);
      const mismatch = sizeMismatch(file, dims, size - headerLength);
      if (mismatch) throw mismatch;
      return dims;
    } finally {
      await handle.close();
    }
  }
  let head = new Uint8Array(0);
  let total = 0;
  for await (const chunk of contentChunks(file, true)) {
    if (head.length < MAX_HEADER) {
      const known = head.length >= 4;
      head = Buffer.concat([head, chunk.subarray(0, MAX_HEADER - head.length)]);
      // Not IDX at all: said at once, without decompressing the rest.
      if (!known && head.length >= 4) checkMagic(head, file);
    }
    total += chunk.length;
  }
  const { dims, headerLength } = headerDims(head, file);
  const mismatch = sizeMismatch(file, dims, total - headerLength);
  if (mismatch) throw mismatch;
  return dims;
}
