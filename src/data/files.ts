// A data file's bytes, plain or gzipped (recognised by content, not name): read whole for the run,
// or streamed for the checks, which must never hold a large file in memory.
import { createReadStream, readFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { createGunzip, gunzipSync } from "node:zlib";
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

const isGzip = (head: Uint8Array) => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** The file's bytes, gunzipped when its content says gzip. */
export function readMaybeGzip(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw unreadable(file, e);
  }
  if (isGzip(raw)) {
    try {
      return new Uint8Array(gunzipSync(raw));
    } catch {
      throw notGzip(file);
    }
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
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
 * large the file. A gzip cut short or corrupt fails the iteration with `notGzip`.
 */
export async function* contentChunks(file: string, gzip: boolean): AsyncGenerator<Buffer> {
  const raw = createReadStream(file);
  const stream: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on("error", (e) => stream.destroy(e));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (e) {
    if (gzip && (e as NodeJS.ErrnoException).code?.startsWith("Z_")) throw notGzip(file);
    throw unreadable(file, e);
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
