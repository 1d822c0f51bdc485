// NumPy's .npz: a zip of .npy files, one per array, named KEY.npy (numpy.savez stores them,
// numpy.savez_compressed deflates them). The zip's central directory (at its end) gives each
// entry's place and sizes; ZIP64 sizes and offsets, which numpy writes for large arrays, are read
// from the entry's extra field. A stored entry's values are read where they lie; a deflated one
// is inflated once, capped at the size its .npy header announces.
import { createInflateRaw, inflateRawSync } from "node:zlib";
import { DataFileError } from "./dataFileError";
import { MAX_DATA_FILE_BYTES } from "./files";
import { checkFits, NPY_PREAMBLE, npyPreamble, parseNpyHeader, readAt, sizeOf, valueCount, type LocatedArray } from "./npy";

interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

function notZip(file: string, what: string): DataFileError {
  return new DataFileError(file, `not a .npz file (${what})`, "save the arrays with numpy.savez(path, h1=..., labels=...)");
}

/** The zip's entries, from its central directory. */
async function entries(file: string, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 22 + MAX_COMMENT);
  const tail = await readAt(file, size - tailLength, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.length);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw notZip(file, "no zip directory at its end: not a zip, or cut short");
  let count = view.getUint16(at + 10, true);
  let dirSize = view.getUint32(at + 12, true);
  let dirOffset = view.getUint32(at + 16, true);
  if (at >= 20 && view.getUint32(at - 20, true) === ZIP64_EOCD_LOCATOR) {
    const record = Number(view.getBigUint64(at - 12, true));
    if (record + 56 > size) throw notZip(file, "its ZIP64 directory record lies past its end");
    const r = await readAt(file, record, 56);
    const rv = new DataView(r.buffer, r.byteOffset, r.length);
    count = Number(rv.getBigUint64(32, true));
    dirSize = Number(rv.getBigUint64(40, true));
    dirOffset = Number(rv.getBigUint64(48, true));
  }
  if (dirOffset + dirSize > size) throw notZip(file, "its directory lies past its end: the file is cut short");
  const dir = await readAt(file, dirOffset, dirSize);
  const dv = new DataView(dir.buffer, dir.byteOffset, dir.length);
  const found: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL) throw notZip(file, "its directory is broken");
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength)),
      method: dv.getUint16(p + 10, true),
      compressedSize: dv.getUint32(p + 20, true),
      uncompressedSize: dv.getUint32(p + 24, true),
      localOffset: dv.getUint32(p + 42, true),
    };
    zip64Sizes(entry, dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    found.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return found;
}

/** ZIP64: the sizes and offset that do not fit 32 bits (written as 0xFFFFFFFF) follow, in this order, in the extra field 0x0001. */
function zip64Sizes(entry: ZipEntry, extra: Uint8Array): void {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.length);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = view.getUint16(p, true);
    const length = view.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        const v = q + 8 <= p + 4 + length ? Number(view.getBigUint64(q, true)) : 0xffffffff;
        q += 8;
        return v;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      return;
    }
    p += 4 + length;
  }
}

/** The first `length` bytes a deflated entry inflates to, streaming: a header check never inflates the whole array. */
async function inflatedStart(compressed: Uint8Array, length: number): Promise<Uint8Array> {
  const inflate = createInflateRaw();
  const chunks: Buffer[] = [];
  let have = 0;
  await new Promise<void>((resolve, reject) => {
    inflate.on("data", (c: Buffer) => {
      chunks.push(c);
      have += c.length;
      if (have >= length) {
        inflate.destroy();
        resolve();
      }
    });
    inflate.on("end", resolve);
    inflate.on("error", reject);
    inflate.end(compressed.subarray(0, Math.min(compressed.length, 64 * 1024)));
  });
  return Buffer.concat(chunks).subarray(0, length);
}

/** The array stored under `key` in the .npz `file`: its .npy header read now, its values when asked. */
export async function locateNpz(file: string, key: string): Promise<LocatedArray> {
  const size = await sizeOf(file);
  const all = await entries(file, size);
  const entry = all.find((e) => e.name === `${key}.npy` || e.name === key);
  if (!entry) {
    throw new DataFileError(
      file,
      `no array "${key}" in the .npz (it holds ${all.map((e) => `"${e.name.replace(/\.npy$/, "")}"`).join(", ") || "nothing"})`,
      "name one of its arrays, or save it with numpy.savez(path, KEY=array)",
    );
  }
  const local = await readAt(file, entry.localOffset, Math.min(30, size - entry.localOffset));
  const lv = new DataView(local.buffer, local.byteOffset, local.length);
  if (local.length < 30 || lv.getUint32(0, true) !== LOCAL) throw notZip(file, `the entry "${entry.name}" is broken`);
  const dataStart = entry.localOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
  const where = `the .npz entry "${entry.name}"`;
  if (dataStart + entry.compressedSize > size) {
    throw new DataFileError(file, `truncated: ${where} runs past the end of the file`, "the file is incomplete: copy or write it again");
  }
  const inEntry = `${file} (${key})`;
  if (entry.method === 0) {
    const start = await readAt(file, dataStart, Math.min(entry.compressedSize, NPY_PREAMBLE));
    const { start: at, length } = npyPreamble(start, inEntry);
    if (at + length > entry.compressedSize) throw notZip(file, `the .npy header of "${entry.name}" is cut short`);
    const header = parseNpyHeader(await readAt(file, dataStart, at + length), inEntry);
    checkFits(file, header, entry.compressedSize - header.dataOffset, where);
    return { ...header, file, key, read: (from, n) => readAt(file, dataStart + header.dataOffset + from, n) };
  }
  if (entry.method !== 8) {
    throw new DataFileError(file, `${where} uses zip compression ${entry.method}`, "save with numpy.savez or numpy.savez_compressed");
  }
  const compressed = await readAt(file, dataStart, entry.compressedSize);
  let header;
  try {
    const start = await inflatedStart(compressed, NPY_PREAMBLE);
    const { start: at, length } = npyPreamble(start, inEntry);
    header = parseNpyHeader(await inflatedStart(compressed, at + length), inEntry);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(file, `${where} does not inflate (corrupt or cut short)`, "write the .npz again");
  }
  const total = header.dataOffset + valueCount(header.shape) * header.dtype.size;
  // Deflate shrinks at most 1032:1: a claim beyond that is a broken entry, not a size to allocate.
  if (entry.uncompressedSize > entry.compressedSize * 1032 + 1024) {
    throw new DataFileError(file, `${where} claims more bytes than deflate can hold`, "write the .npz again");
  }
  checkFits(file, header, entry.uncompressedSize - header.dataOffset, where);
  // A deflated entry is held inflated, whole (a stored one is read where it lies): bounded like any data file read whole.
  if (total > MAX_DATA_FILE_BYTES) {
    throw new DataFileError(
      file,
      `${where} is compressed and inflates to ${Math.ceil(total / 1024 ** 2)} MB, above the ${MAX_DATA_FILE_BYTES / 1024 ** 2} MB ` +
        "a compressed array may hold",
      "save the arrays uncompressed, with numpy.savez (not savez_compressed): their rows are then read where they lie",
    );
  }
  let values: Uint8Array | undefined;
  const inflated = () => {
    if (values) return values;
    let out: Buffer;
    try {
      // Never more than the header announces, which the entry's own size bounds.
      out = inflateRawSync(compressed, { maxOutputLength: Math.max(total, 1) });
    } catch {
      throw new DataFileError(file, `${where} does not inflate (corrupt or cut short)`, "write the .npz again");
    }
    if (out.length < total) checkFits(file, header, out.length - header.dataOffset, where);
    values = out.subarray(header.dataOffset);
    return values;
  };
  return { ...header, file, key, read: async (from, n) => inflated().subarray(from, from + n) };
}
