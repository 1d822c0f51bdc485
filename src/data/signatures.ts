// Signatures computed elsewhere (`data.source.signatures`): one array per hidden layer, the
// labels, the model's predictions and optional thumbnails, each a .npy file or an array of one
// .npz / safetensors file. `signatureFacts` is what the checks and the run both start from: every
// array's header, and the labels and predictions (small: one integer per image). The layers'
// values are read only for the rows a run takes (`layerRows`), never a whole large file.
import { basename, extname, resolve } from "node:path";
import type { Source } from "../shared/experiment";
import type { JsonPath } from "../shared/problems";
import { DataFileError } from "./dataFileError";
import { locateNpy, valueCount, type LocatedArray } from "./npy";
import { locateNpz } from "./npz";
import { locateSafetensors } from "./safetensors";
import { SourceFileError } from "./source";

export type SignaturesSpec = Extract<Source, { signatures: unknown }>["signatures"];

/** One array the experiment names, and the field that names it. */
export interface ArrayRef {
  file: string;
  key?: string;
  path: JsonPath;
}

export interface SignatureRefs {
  layers: ArrayRef[];
  labels: ArrayRef;
  predictions: ArrayRef;
  thumbnails?: ArrayRef;
}

/** Where each array is: paths relative to `baseDir`, or keys of `file`. */
export function signatureRefs(spec: SignaturesSpec, baseDir: string): SignatureRefs {
  const at = (name: string, ...field: (string | number)[]): ArrayRef => {
    const path = ["data", "source", "signatures", ...field];
    return spec.file ? { file: resolve(baseDir, spec.file), key: name, path } : { file: resolve(baseDir, name), path };
  };
  return {
    layers: spec.layers.map((l, i) => at(l, "layers", i)),
    labels: at(spec.labels, "labels"),
    predictions: at(spec.predictions, "predictions"),
    ...(spec.thumbnails !== undefined && { thumbnails: at(spec.thumbnails, "thumbnails") }),
  };
}

/** The array a reference names, its header read (the format chosen by the file's extension). */
export async function locate(ref: ArrayRef): Promise<LocatedArray> {
  const ext = extname(ref.file).toLowerCase();
  try {
    if (ref.key === undefined) {
      if (ext === ".npz" || ext === ".safetensors") {
        throw new DataFileError(
          ref.file,
          `a ${ext} file holds several arrays: this field names one array`,
          'name the file in "signatures.file" and the arrays by their keys here',
        );
      }
      return await locateNpy(ref.file);
    }
    if (ext === ".npz") return await locateNpz(ref.file, ref.key);
    if (ext === ".safetensors") return await locateSafetensors(ref.file, ref.key);
    throw new DataFileError(ref.file, `"signatures.file" must be an .npz or a .safetensors file`, "save the arrays with numpy.savez");
  } catch (e) {
    if (e instanceof DataFileError) throw new SourceFileError(e, ref.path);
    throw e;
  }
}

/** Decodes `count` values of `located`'s dtype from `bytes` into `out` (float32 or float64), from `at`. */
function decode(located: LocatedArray, bytes: Uint8Array, out: Float32Array | Float64Array, at: number): void {
  const { kind, size, littleEndian: le } = located.dtype;
  const count = bytes.length / size;
  if (kind === "f" && size === 4 && le && bytes.byteOffset % 4 === 0 && out instanceof Float32Array) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count), at);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const get: (o: number) => number =
    kind === "f"
      ? size === 2
        ? (o) => float16(view.getUint16(o, le))
        : size === 4
          ? (o) => view.getFloat32(o, le)
          : (o) => view.getFloat64(o, le)
      : kind === "bf"
        ? (o) => bfloat16(view.getUint16(o, le))
        : kind === "u" || kind === "b"
          ? size === 1
            ? (o) => view.getUint8(o)
            : size === 2
              ? (o) => view.getUint16(o, le)
              : size === 4
                ? (o) => view.getUint32(o, le)
                : (o) => Number(view.getBigUint64(o, le))
          : size === 1
            ? (o) => view.getInt8(o)
            : size === 2
              ? (o) => view.getInt16(o, le)
              : size === 4
                ? (o) => view.getInt32(o, le)
                : (o) => Number(view.getBigInt64(o, le));
  for (let i = 0; i < count; i++) out[at + i] = get(i * size);
}

const bf = new DataView(new ArrayBuffer(4));
function bfloat16(bits: number): number {
  bf.setUint32(0, bits << 16);
  return bf.getFloat32(0);
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Every value of a (small) array, as numbers: labels and predictions. */
export async function allValues(located: LocatedArray): Promise<Float64Array> {
  const count = valueCount(located.shape);
  const out = new Float64Array(count);
  decode(located, await located.read(0, count * located.dtype.size), out, 0);
  return out;
}

/** Values per row: everything after the first axis. */
function rowLength(shape: readonly number[]): number {
  return valueCount(shape.slice(1));
}

/** Rows near one another are read in one go, gaps included, up to this many bytes: a few large reads beat thousands of small ones. */
const READ_CHUNK = 8 * 1024 * 1024;
/** The largest gap between two rows taken that is read through rather than skipped. */
const READ_THROUGH = 256 * 1024;

/** The values of `rows` (in any order) of `located`, row after row, as float32. */
export async function rowValues(located: LocatedArray, rows: Int32Array): Promise<Float32Array> {
  const width = rowLength(located.shape);
  const rowBytes = width * located.dtype.size;
  const out = new Float32Array(rows.length * width);
  const order = Array.from(rows.keys()).sort((a, b) => rows[a] - rows[b]);
  for (let i = 0; i < order.length;) {
    const first = rows[order[i]];
    let j = i + 1;
    while (
      j < order.length &&
      (rows[order[j]] - rows[order[j - 1]] - 1) * rowBytes <= READ_THROUGH &&
      (rows[order[j]] - first + 1) * rowBytes <= READ_CHUNK
    )
      j++;
    const span = rows[order[j - 1]] - first + 1;
    const bytes = await located.read(first * rowBytes, span * rowBytes);
    for (let k = i; k < j; k++) {
      const at = (rows[order[k]] - first) * rowBytes;
      decode(located, bytes.subarray(at, at + rowBytes), out, order[k] * width);
    }
    i = j;
  }
  return out;
}

/** A layer's signature width: its units (2-D), its channels (averaged, axis 1), or all its values (flattened). */
export function signatureWidth(shape: readonly number[], convSignature: SignaturesSpec["convSignature"]): number {
  return shape.length > 2 && convSignature === "average" ? shape[1] : rowLength(shape);
}

/** Rows of a layer as signatures: as they are, or each channel (axis 1) averaged over the other axes. */
export function signaturesOf(values: Float32Array, shape: readonly number[], convSignature: SignaturesSpec["convSignature"]): Float32Array {
  if (shape.length <= 2 || convSignature === "flatten") return values;
  const channels = shape[1];
  const spatial = valueCount(shape.slice(2));
  const rows = values.length / (channels * spatial);
  const out = new Float32Array(rows * channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      const from = (r * channels + c) * spatial;
      for (let s = 0; s < spatial; s++) sum += values[from + s];
      out[r * channels + c] = spatial > 0 ? sum / spatial : 0;
    }
  }
  return out;
}

/** What the checks and the run know of the arrays once their headers and the labels and predictions are read. */
export interface SignatureFacts {
  layers: LocatedArray[];
  labels: Uint8Array;
  predictions: Uint8Array;
  thumbnails?: LocatedArray;
}

const isFloat = (a: LocatedArray) => a.dtype.kind === "f" || a.dtype.kind === "bf";
const isInteger = (a: LocatedArray) => a.dtype.kind === "i" || a.dtype.kind === "u";

function named(a: LocatedArray): string {
  return a.key === undefined ? "the array" : `the array "${a.key}"`;
}

/** An integer array of one value per image, each a label 0-255. */
async function labelValues(a: LocatedArray, ref: ArrayRef, what: string): Promise<Uint8Array> {
  const fail = (message: string, fix: string) => new SourceFileError(new DataFileError(a.file, message, fix), ref.path);
  if (!isInteger(a)) {
    throw fail(
      `${named(a)} holds ${a.dtype.name} values; ${what} must be integers`,
      `save them as integers (numpy: ${what}.astype(numpy.int64)); is this the right file?`,
    );
  }
  const shape = a.shape.length === 2 && a.shape[1] === 1 ? [a.shape[0]] : a.shape;
  if (shape.length !== 1) {
    throw fail(`${named(a)} has shape ${a.shape.join("x")}; ${what} are one integer per image`, `save a 1-D array of ${what}`);
  }
  const values = await allValues(a);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v > 255) {
      throw fail(
        `row ${i} holds ${v}; ${what} are labels 0-255`,
        `number the classes 0-255 (numpy: the index of each class in your list of classes)`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Every array's header and the labels and predictions, or every error found (each array is
 * tried even when another fails, so that each bad field is named): what the checks start from,
 * and the run too.
 */
export async function signatureFacts(refs: SignatureRefs): Promise<SignatureFacts | SourceFileError[]> {
  const errors: SourceFileError[] = [];
  const settle = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (e) {
      if (!(e instanceof SourceFileError)) throw e;
      errors.push(e);
      return undefined;
    }
  };
  const fail = (a: LocatedArray, ref: ArrayRef, message: string, fix: string) =>
    errors.push(new SourceFileError(new DataFileError(a.file, message, fix), ref.path));
  const layers = await Promise.all(
    refs.layers.map((ref) =>
      settle(async () => {
        const a = await locate(ref);
        if (!isFloat(a)) {
          fail(
            a,
            ref,
            `${named(a)} holds ${a.dtype.name} values; a layer's signatures are floats`,
            "save the layer's outputs as floats (torch: .float().numpy()); is this the right file?",
          );
        } else if (a.shape.length < 2) {
          fail(a, ref, `${named(a)} has ${a.shape.length} dimension; a layer is one row per image`, "save images x units (or more axes)");
        }
        return a;
      }),
    ),
  );
  const [labels, predictions, thumbnails] = await Promise.all([
    settle(async () => labelValues(await locate(refs.labels), refs.labels, "labels")),
    settle(async () => labelValues(await locate(refs.predictions), refs.predictions, "predictions")),
    refs.thumbnails &&
      settle(async () => {
        const a = await locate(refs.thumbnails!);
        const [, , , channels] = a.shape;
        if (a.dtype.kind !== "u" || a.dtype.size !== 1 || !(a.shape.length === 3 || (a.shape.length === 4 && channels === 3))) {
          fail(
            a,
            refs.thumbnails!,
            `${named(a)} is ${a.dtype.name} of shape ${a.shape.join("x")}; thumbnails are uint8, images x rows x columns (x 3 for RGB)`,
            "save them as numpy.uint8 images, channels last",
          );
        }
        return a;
      }),
  ]);
  if (errors.length > 0) return errors;
  const facts = { layers: layers as LocatedArray[], labels: labels!, predictions: predictions!, ...(thumbnails && { thumbnails }) };
  // Every array has one row per image, as the labels count them.
  const count = facts.labels.length;
  const rowsOf: [number, ArrayRef][] = [
    ...facts.layers.map((a, i): [number, ArrayRef] => [a.shape[0], refs.layers[i]]),
    [facts.predictions.length, refs.predictions],
    ...(facts.thumbnails && refs.thumbnails ? [[facts.thumbnails.shape[0], refs.thumbnails] as [number, ArrayRef]] : []),
  ];
  for (const [rows, ref] of rowsOf) {
    if (rows === count) continue;
    const labelsName = refs.labels.key === undefined ? basename(refs.labels.file) : `"${refs.labels.key}"`;
    errors.push(
      new SourceFileError(
        new DataFileError(
          ref.file,
          `${rows} rows but the labels (${labelsName}) have ${count}`,
          "write every array from the same images, in the same order",
        ),
        ref.path,
      ),
    );
  }
  return errors.length > 0 ? errors : facts;
}
