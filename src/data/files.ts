// A data file's bytes, plain or gzipped (recognised by content, not name): read whole for the run,
// or streamed for the checks, which must never hold a large file in memory. Either way no more
// than MAX_DATA_FILE_BYTES: a file's size is read before the file, and a gzip is inflated with
// that bound (a few megabytes of gzip can inflate to gigabytes).
import { createReadStream, readFileSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync, constants as zlibConstants } from "node:zlib";
import { DataFileError } from "./dataFileError";

const FIND_FILE = "check the path; relative paths are resolved from the experiment file's folder";

/** The DataFileError for a file that cannot be opened. */
export function unreadable(file: string, e: unknown): DataFileError {
  const code = (e as NodeJS.ErrnoException).code;
  return new DataFileError(file, code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? String(e)})`, FIND_FILE);
}

/** The file opened for reading, or the DataFileError saying why it cannot be. */
export function openedForReading(file: string): Promise<FileHandle> {
  return open(file, "r").catch((e: unknown) => {
    throw unreadable(file, e);
  });
}

export function notGzip(file: string): DataFileError {
  return new DataFileError(
    file,
    "the file starts like gzip but does not decompress (truncated or corrupt)",
    "download or copy the file again",
  );
}

/**
 * The most bytes a data file read whole (IDX, CSV; after gunzip) may hold: 500 MB. The run holds
 * the file's bytes while it reads the images out of them (a CSV's text as one string, and V8's
 * longest string is 512 MB); MNIST's 60,000 training images take 47 MB, so this is ten times the
 * largest data set MTQ was measured on.
 */
export const MAX_DATA_FILE_BYTES = 500 * 1024 * 1024;

/** The DataFileError for a data file above MAX_DATA_FILE_BYTES: `holds` says what is too large ("the gzip inflates to"). */
export function tooLarge(file: string, holds: string): DataFileError {
  return new DataFileError(
    file,
    `${holds}, above the ${MAX_DATA_FILE_BYTES / 1024 ** 2} MB a data file read whole may hold`,
    "keep only the images the experiment uses in the file (a run holds it in memory), or import signatures from .npy files instead",
  );
}

/** "the file holds 612 MB". */
export const holdsOnDisk = (size: number) => `the file holds ${Math.ceil(size / 1024 ** 2)} MB`;
export const INFLATES_BEYOND = `the gzip inflates to more than ${MAX_DATA_FILE_BYTES / 1024 ** 2} MB`;

const isGzip = (head: Uint8Array) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** What a format's first bytes say the whole content holds, and the error for content beyond it. */
export interface ContentBound {
  bytes: number;
  beyond: DataFileError;
}

/** Compressed bytes inflated to read a gzip's first bytes (a header): deflate's 1032:1 at most makes that 4 MB. */
const GZIP_HEAD = 4096;

/**
 * The file's bytes, gunzipped when its content says gzip. The file's size is read before the file,
 * and a gzip is inflated as it comes, never past MAX_DATA_FILE_BYTES, nor past what `boundOf`
 * finds its first inflated bytes announce (an IDX header's dimensions): a gzip's own size field
 * is not to be trusted, and a header's claim only ever lowers the bound.
 */
export function readMaybeGzip(file: string, boundOf?: (start: Uint8Array) => ContentBound | undefined): Uint8Array {
  let raw: Buffer;
  try {
    const { size } = statSync(file);
    if (size > MAX_DATA_FILE_BYTES) throw tooLarge(file, holdsOnDisk(size));
    raw = readFileSync(file);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw unreadable(file, e);
  }
  // A plain file is held at its size on disk, which bounds it already.
  if (!isGzip(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
  let bound: ContentBound = { bytes: MAX_DATA_FILE_BYTES, beyond: tooLarge(file, INFLATES_BEYOND) };
  if (boundOf) {
    let start: Buffer;
    try {
      // The first bytes only: a sync flush returns what the start inflates to, without an error for the rest.
      start = gunzipSync(raw.subarray(0, GZIP_HEAD), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      throw notGzip(file);
    }
    // No bound from a start that says nothing (a header cut short): reading the whole will say why.
    const claimed = boundOf(start);
    if (claimed && claimed.bytes < bound.bytes) bound = claimed;
  }
  try {
    return new Uint8Array(gunzipSync(raw, { maxOutputLength: Math.max(1, bound.bytes) }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw bound.beyond;
    throw notGzip(file);
  }
}

/** Whether the file is gzipped, and its size on disk. */
export async function fileKind(file: string): Promise<{ gzip: boolean; size: number }> {
  const handle = await openedForReading(file);
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return { gzip: isGzip(head.subarray(0, bytesRead)), size: (await handle.stat()).size };
  } catch (e) {
    throw unreadable(file, e);
  } finally {
    await handle.close();
  }
}

/**
 * The file's content as a stream of chunks, gunzipped when it is gzip: constant memory however
 * large the file. A gzip cut short or corrupt fails the iteration with `notGzip`; content beyond
 * MAX_DATA_FILE_BYTES with `tooLarge`, as soon as it is reached (the run would refuse the file, so
 * the check need not inflate the rest of a gzip that could go on for gigabytes).
 */
export async function* contentChunks(file: string, gzip: boolean): AsyncGenerator<Buffer> {
  const raw = createReadStream(file);
  const stream: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (e) => stream.destroy(e));
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > MAX_DATA_FILE_BYTES) throw tooLarge(file, gzip ? INFLATES_BEYOND : holdsOnDisk((await fileKind(file)).size));
      yield chunk as Buffer;
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    if (gzip && (e as NodeJS.ErrnoException).code?.startsWith("Z_")) throw notGzip(file);
    throw unreadable(file, e);
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
