// NumPy's .npy format: the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the header's length
// (2 bytes in version 1, 4 after), a Python dict literal {'descr', 'fortran_order', 'shape'}, then
// the values. The header is parsed from the first bytes; the values are read only where asked
// (src/data/arrays.ts), so a check never holds a large file and no allocation trusts the header
// beyond the file's actual size.
import { stat } from "node:fs/promises";
import { DataFileError } from "./dataFileError";
import { openedForReading, unreadable } from "./files";

/** An element type: NumPy's kind letter ("f" float, "i" signed, "u" unsigned, "b" bool), plus bfloat16 from safetensors. */
export interface Dtype {
  kind: "f" | "i" | "u" | "b" | "bf";
  /** Bytes per value. */
  size: number;
  littleEndian: boolean;
  /** As the user's tools name it (float32, int64...). */
  name: string;
}

/** What any array file says of an array before its values are read. */
export interface ArrayHeader {
  dtype: Dtype;
  shape: number[];
}

export interface NpyHeader extends ArrayHeader {
  /** Where the values start, from the start of the .npy bytes. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** Enough bytes for the magic, the version and the header's length. */
export const NPY_PREAMBLE = 12;

const SUPPORTED: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };

export function dtypeName(kind: Dtype["kind"], size: number): string {
  if (kind === "b") return "bool";
  if (kind === "bf") return "bfloat16";
  return `${kind === "f" ? "float" : kind === "i" ? "int" : "uint"}${size * 8}`;
}

function notNpy(file: string, what: string): DataFileError {
  return new DataFileError(file, `not a .npy file (${what})`, "save the array with numpy.save(path, array)");
}

/** The header's length and where it starts, from the first NPY_PREAMBLE bytes. */
export function npyPreamble(bytes: Uint8Array, file: string): { start: number; length: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw notNpy(file, "it does not start with \\x93NUMPY");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (major === 1) return { start: 10, length: view.getUint16(8, true) };
  if (major === 2 || major === 3) {
    if (bytes.length < 12) throw truncatedHeader(file);
    return { start: 12, length: view.getUint32(8, true) };
  }
  throw new DataFileError(
    file,
    `.npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`,
    "save it with numpy.save",
  );
}

function truncatedHeader(file: string): DataFileError {
  return new DataFileError(file, "the .npy header is cut short", "the file is incomplete: copy it again");
}

/** The header from the file's first bytes (`bytes` holds at least the preamble and the header's length). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const { start, length } = npyPreamble(bytes, file);
  if (bytes.length < start + length) throw truncatedHeader(file);
  const text = new TextDecoder().decode(bytes.subarray(start, start + length));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    // A structured dtype's descr is a list, not a string.
    const structured = /'descr'\s*:\s*\[/.test(text);
    throw new DataFileError(
      file,
      structured ? "the array has a structured (record) dtype" : "the .npy header lacks descr, fortran_order or shape",
      structured ? "save a plain numeric array, one field per file" : "save it with numpy.save",
    );
  }
  if (fortran === "True") {
    throw new DataFileError(
      file,
      "the array is in Fortran (column-major) order",
      "save it in C order: numpy.save(path, numpy.ascontiguousarray(array))",
    );
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw notNpy(file, `its shape (${shapeText}) is not a list of sizes`);
  return { dtype: parseDescr(descr, file), shape, dataOffset: start + length };
}

function parseDescr(descr: string, file: string): Dtype {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const kind = m?.[2] as Dtype["kind"] | undefined;
  const size = Number(m?.[3]);
  if (!m || !kind || !SUPPORTED[kind].includes(size)) {
    throw new DataFileError(
      file,
      `the dtype '${descr}' is not supported`,
      "save floats as float16/32/64 and labels as int8-64 or uint8-64 (numpy: array.astype(numpy.float32))",
    );
  }
  // "=" is the writer's native order; every machine NumPy runs on today is little-endian.
  return { kind, size, littleEndian: m[1] !== ">", name: dtypeName(kind, size) };
}

/** Values the shape holds. */
export function valueCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** An array found in a file: its header, and its values' bytes read on demand. */
export interface LocatedArray extends ArrayHeader {
  /** The file, and the key of the array inside it (.npz, safetensors). */
  file: string;
  key?: string;
  /** `length` bytes of the values from byte `start` of them (C order). */
  read(start: number, length: number): Promise<Uint8Array>;
}

/** `length` bytes at `position` of `file`, or the DataFileError saying it is missing or shorter. */
export async function readAt(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await openedForReading(file);
  try {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < length) throw new DataFileError(file, "the file is shorter than it was a moment ago", "stop writing it before the run");
    return out;
  } finally {
    await handle.close();
  }
}

/** The size of `file` on disk. */
export async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    throw unreadable(file, e);
  }
}

/** Values' bytes the header announces, against the bytes there are: a truncated array is refused before anything is allocated for it. */
export function checkFits(file: string, header: ArrayHeader, available: number, what = "the file"): void {
  const needed = valueCount(header.shape) * header.dtype.size;
  if (needed > available) {
    throw new DataFileError(
      file,
      `truncated: the header announces ${header.shape.join("x")} ${header.dtype.name} values (${needed} bytes) but ${what} holds ${available}`,
      "the file is incomplete: copy or write it again",
    );
  }
}

/** A .npy file's array: its header read now (the file's first bytes), its values when asked. */
export async function locateNpy(file: string): Promise<LocatedArray> {
  const size = await sizeOf(file);
  const preamble = await readAt(file, 0, Math.min(size, NPY_PREAMBLE));
  const { start, length } = npyPreamble(preamble, file);
  if (start + length > size) throw truncatedHeader(file);
  const header = parseNpyHeader(await readAt(file, 0, start + length), file);
  checkFits(file, header, size - header.dataOffset);
  return { ...header, file, read: (from, n) => readAt(file, header.dataOffset + from, n) };
}
