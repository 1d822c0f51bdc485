// Writes a results file (the worker and `mtq run`): the per-image columns and the pixels into
// NAME.results.bin, then the small JSON header NAME.results.json that names it (src/shared/columns.ts),
// and says beforehand when it could not be written, so that a run never trains for minutes and then
// fails on its last step.
import { createHash } from "node:crypto";
import { accessSync, constants, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { BIN_MAGIC, BIN_PREAMBLE, columnsOf, DTYPE_BYTES, withoutColumns, type ColumnEntry } from "../shared/columns";
import type { Results } from "../shared/results";
import { writeFileAtomic } from "./atomicWrite";

/** NAME.results.bin for NAME.results.json (any other name: the name plus ".bin"). */
export function binFileOf(file: string): string {
  return file.endsWith(".json") ? `${file.slice(0, -".json".length)}.bin` : `${file}.bin`;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * The results' per-image columns as the `.bin` lays them out: each 8-byte aligned, in columnsOf's
 * order, after a preamble left blank (encodeResults fills it), with their directory entries.
 */
export function columnsLayout(results: Results, pixels: Uint8Array): { bin: Uint8Array; entries: ColumnEntry[] } {
  const columns = columnsOf(results, pixels);
  const entries: ColumnEntry[] = [];
  let offset = BIN_PREAMBLE;
  for (const c of columns) {
    entries.push({ name: c.name, dtype: c.dtype, offset, length: c.values.length });
    offset = align8(offset + c.values.length * DTYPE_BYTES[c.dtype]);
  }
  const bin = new Uint8Array(offset);
  // Typed arrays are little-endian on every platform MTQ runs on (x86, ARM); a DataView would cost a call per value.
  columns.forEach((c, i) => {
    const at = entries[i].offset;
    if (c.dtype === "uint8") bin.set(c.values, at);
    else if (c.dtype === "int32") new Int32Array(bin.buffer, at, c.values.length).set(c.values);
    else if (c.dtype === "float32") new Float32Array(bin.buffer, at, c.values.length).set(c.values);
    else new Float64Array(bin.buffer, at, c.values.length).set(c.values);
  });
  return { bin, entries };
}

/**
 * The results as the `.bin`'s bytes and the header that names them (`binName`): columnsLayout's
 * bytes, their preamble the magic and the SHA-256 of the rest. Same results, same bytes.
 */
export function encodeResults(results: Results, binName: string): { bin: Uint8Array; header: Results } {
  const { bin, entries } = columnsLayout(results, results.images.pixels ?? new Uint8Array(0));
  const sha256 = createHash("sha256").update(bin.subarray(BIN_PREAMBLE)).digest();
  bin.set(Buffer.from(BIN_MAGIC, "latin1"), 0);
  bin.set(sha256, BIN_MAGIC.length);
  const header: Results = {
    ...withoutColumns(results),
    columns: { file: binName, bytes: bin.length, sha256: sha256.toString("hex"), columns: entries },
  };
  return { bin, header };
}

/**
 * Writes the results as the pair: the `.bin` first, then the header, each atomically (a temp file
 * renamed over it), so a reader never sees half a file; a reader that finds a new `.bin` beside an
 * old header refuses the pair by their hash rather than mixing two runs.
 */
export async function writeResults(results: Results, file: string): Promise<void> {
  const binFile = binFileOf(file);
  const { bin, header } = encodeResults(results, basename(binFile));
  await writeFileAtomic(binFile, bin);
  await writeFileAtomic(file, JSON.stringify(header));
}

/** Why `file` cannot be written as a results file (its folder missing or read-only, a folder in its place), or undefined. */
export function resultsFileProblem(file: string): string | undefined {
  const folder = dirname(file);
  try {
    if (!statSync(folder).isDirectory()) return `${folder} is not a folder; write the results into a folder`;
    accessSync(folder, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `the folder ${folder} does not exist; create it, or write the results elsewhere`;
    return `the folder ${folder} cannot be written (${code ?? String(e)}); make it writable, or write the results elsewhere`;
  }
  for (const f of [file, binFileOf(file)]) {
    try {
      if (statSync(f).isDirectory()) return `${f} is a folder; name a file, e.g. ${f}/NAME.results.json`;
    } catch {
      // Absent: it will be created.
    }
  }
  return undefined;
}
