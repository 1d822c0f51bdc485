// Reads a results file: the JSON header NAME.results.json, checked for its version and fields, and
// its per-image columns from NAME.results.bin (src/shared/columns.ts), checked against the header
// before anything is allocated and read as typed arrays over one buffer; the pixels are read by
// range when a view shows them (a million digits' are 784 MB).
// An all-JSON file of version 2 (before the `.bin`) still opens, into the same shape. The CLI reads
// through this; the extension host through its cache (src/host/resultsFile.ts), so a file open in
// several views is read once.
import { open, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import {
  BIN_MAGIC,
  BIN_PREAMBLE,
  DTYPE_BYTES,
  expectedColumns,
  pixelBytes,
  LINK_IMAGES,
  PIXELS_COLUMN,
  withColumns,
  withoutColumns,
  type ColumnEntry,
  type ColumnsDirectory,
} from "../shared/columns";
import { JSON_RESULTS_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION, type ModelState, type Results } from "../shared/results";
import { binFileOf, columnsLayout } from "./write";

export interface LoadedResults {
  file: string;
  results: Results;
  /**
   * The pixels of `images` (whole numbers below the image count), rows*cols*channels bytes each, one
   * image after another: read by range from the `.bin`, which is checked to be the one read still.
   */
  pixelsOf(images: readonly number[]): Promise<Uint8Array>;
  /**
   * The `.bin`'s bytes up to the pixels (the other columns), as one buffer: what the results view posts
   * to its webview, which makes the same views onto it (withColumns). An all-JSON file's are made in memory.
   */
  columns: { directory: ColumnsDirectory; buffer: ArrayBuffer };
  /** "json": an all-JSON file of version 2 (before the `.bin`), converted in memory; the host says so once. */
  format: "columns" | "json";
}

/** The file's JSON; a file cut short (a copy interrupted, a full disk) is said so, not as JSON.parse's words. */
function parsed(text: string, file: string): Results {
  try {
    return JSON.parse(text) as Results;
  } catch (e) {
    const words = e instanceof Error ? e.message : String(e);
    // Cut short: V8 says "end of JSON input", "Unterminated …", or names the text's end as the position where it needed more.
    const at = /at position (\d+)/.exec(words);
    if (/end of JSON input|Unterminated/.test(words) || (at && Number(at[1]) >= text.length)) {
      throw new Error(
        `${file} is incomplete: it stops after ${text.length.toLocaleString("en")} characters, before its end; run its experiment again`,
      );
    }
    throw new Error(`${file} is not an MTQ results file: it is not JSON (${words}); open a NAME.results.json written by MTQ`);
  }
}

export async function readResultsFile(file: string): Promise<LoadedResults> {
  const results = parsed(await readFile(file, "utf8"), file);
  const version = (results as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION && version !== JSON_RESULTS_SCHEMA_VERSION) {
    throw new Error(
      `${file} is not an MTQ results file of version ${RESULTS_SCHEMA_VERSION} (found version ${String(version)}); ` +
        "run its experiment again",
    );
  }
  const json = version === JSON_RESULTS_SCHEMA_VERSION;
  const missing = missingField(results, json) ?? (json ? shortList(results) : directoryProblem(results));
  if (missing) {
    throw new Error(`${file} is not a complete MTQ results file: ${missing}; run its experiment again`);
  }
  if (json) return { file, ...fromJson(results, file), format: "json" };
  return { file, ...(await readColumns(file, results)), format: "columns" };
}

/**
 * An all-JSON file's results as a `.bin` in memory would give them: the same typed columns, whichever
 * file they came from. Laid out, not hashed: the hash pairs a header with a `.bin` on disk, and there is none.
 */
function fromJson(results: Results, file: string): Pick<LoadedResults, "results" | "pixelsOf" | "columns"> {
  results.schemaVersion = RESULTS_SCHEMA_VERSION;
  const pixels = Buffer.from(results.images.pixelsBase64!, "base64");
  const { bin, entries } = columnsLayout(results, pixels);
  const directory: ColumnsDirectory = { file: basename(binFileOf(file)), bytes: bin.length, sha256: "", columns: entries };
  const buffer = bin.buffer.slice(0, entries.find((c) => c.name === PIXELS_COLUMN)!.offset) as ArrayBuffer;
  const size = pixelBytes(results.images);
  const pixelsOf = (images: readonly number[]) => {
    const out = new Uint8Array(images.length * size);
    images.forEach((image, n) => out.set(pixels.subarray(image * size, (image + 1) * size), n * size));
    return Promise.resolve(out);
  };
  return { results: withColumns({ ...withoutColumns(results), columns: directory }, buffer), pixelsOf, columns: { directory, buffer } };
}

/** The header's `.bin`, checked against its directory (size, hash, every column's place) before its columns are read. */
async function readColumns(file: string, results: Results): Promise<Pick<LoadedResults, "results" | "pixelsOf" | "columns">> {
  const directory = results.columns!;
  const binFile = join(dirname(file), directory.file);
  const refuse = (
    why: string,
    fix = `write both again: run its experiment again, or copy ${basename(file)} and ${directory.file} together`,
  ) => new Error(`${file} cannot be read with ${binFile}: ${why}; ${fix}`);
  const size = await stat(binFile).then(
    (s) => s.size,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT")
        throw refuse(`the columns file ${directory.file} is missing`, `copy it beside ${basename(file)}, or run its experiment again`);
      throw refuse(`it cannot be opened (${e.code ?? e.message})`);
    },
  );
  if (size !== directory.bytes) {
    throw refuse(
      size < directory.bytes
        ? `it holds ${size.toLocaleString("en")} bytes where the header says ${directory.bytes.toLocaleString("en")}: it is cut short`
        : `it holds ${size.toLocaleString("en")} bytes where the header says ${directory.bytes.toLocaleString("en")}: they are not one run's pair`,
    );
  }
  const pixelsEntry = directory.columns.find((c) => c.name === PIXELS_COLUMN)!;
  const end = Math.max(
    BIN_PREAMBLE,
    ...directory.columns.filter((c) => c !== pixelsEntry).map((c) => c.offset + c.length * DTYPE_BYTES[c.dtype]),
  );
  const handle = await open(binFile, "r");
  try {
    const buffer = new ArrayBuffer(end);
    const bytes = new Uint8Array(buffer);
    await readFully(handle, bytes, 0);
    const hash = Buffer.from(bytes.subarray(BIN_MAGIC.length, BIN_PREAMBLE)).toString("hex");
    if (Buffer.from(bytes.subarray(0, BIN_MAGIC.length)).toString("latin1") !== BIN_MAGIC)
      throw refuse(`${directory.file} is not an MTQ columns file`);
    if (hash !== directory.sha256)
      throw refuse(`${directory.file} is another run's (its hash is not the header's): they are not one run's pair`);
    const preamble = bytes.slice(0, BIN_PREAMBLE);
    const size = pixelBytes(results.images);
    const pixelsOf = async (images: readonly number[]) => {
      const out = new Uint8Array(images.length * size);
      const pixelsHandle = await open(binFile, "r");
      try {
        const now = new Uint8Array(BIN_PREAMBLE);
        await readFully(pixelsHandle, now, 0);
        if (Buffer.compare(now, preamble) !== 0)
          throw refuse(`${directory.file} has been written again since it was read`, "open it again");
        // A run of consecutive images is one read (every image's: one read of the column).
        const reads: Promise<void>[] = [];
        for (let n = 0; n < images.length;) {
          let end = n + 1;
          while (end < images.length && images[end] === images[end - 1] + 1) end++;
          reads.push(readFully(pixelsHandle, out.subarray(n * size, end * size), pixelsEntry.offset + images[n] * size));
          n = end;
        }
        await Promise.all(reads);
      } finally {
        await pixelsHandle.close();
      }
      return out;
    };
    return { results: withColumns(results, buffer), pixelsOf, columns: { directory, buffer } };
  } finally {
    await handle.close();
  }
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.length;) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`it ended before byte ${(position + done).toLocaleString("en")}`);
    done += bytesRead;
  }
}

/**
 * The first field a reader relies on that is absent or of another type ("images.labels is not a
 * list"): a file of the right version edited by hand, or written by something else, is said so
 * rather than failing later in a view or a comparison on a property of undefined.
 */
function missingField(results: Results, json: boolean): string | undefined {
  const kinds: [string, unknown, "object" | "array" | "string" | "number"][] = [
    ["experiment", results.experiment, "object"],
    ["experimentFile", results.experimentFile, "string"],
    ["classes", results.classes, "array"],
    ...(json ? [["predictions", results.predictions, "array"] as [string, unknown, "array"]] : []),
    ["layers", results.layers, "array"],
    ["flows", results.flows, "object"],
    ["findings", results.findings, "object"],
    ["images", results.images, "object"],
    ...(json ? [] : [["columns", results.columns, "object"] as [string, unknown, "object"]]),
  ];
  const images = results.images as Partial<Results["images"]> | undefined;
  if (typeof images === "object" && images !== null) {
    kinds.push(["images.count", images.count, "number"]);
    if (json) kinds.push(["images.labels", images.labels, "array"], ["images.pixelsBase64", images.pixelsBase64, "string"]);
    else kinds.push(["images.rows", images.rows, "number"], ["images.cols", images.cols, "number"]);
  }
  if (!json && typeof results.columns === "object" && results.columns !== null) {
    const c = results.columns as Partial<ColumnsDirectory>;
    kinds.push(
      ["columns.file", c.file, "string"],
      ["columns.bytes", c.bytes, "number"],
      ["columns.sha256", c.sha256, "string"],
      ["columns.columns", c.columns, "array"],
    );
  }
  if (!json && Array.isArray(results.snapshots))
    results.snapshots.forEach((s, i) => kinds.push([`snapshots[${i}].layers`, s?.layers, "array"]));
  for (const [name, value, kind] of kinds) {
    const ok =
      kind === "array"
        ? Array.isArray(value)
        : kind === "object"
          ? typeof value === "object" && value !== null && !Array.isArray(value)
          : typeof value === kind;
    if (!ok)
      return `"${name}" is ${value === undefined ? "missing" : `not ${kind === "array" ? "a list" : kind === "object" ? "an object" : `a ${kind}`}`}`;
  }
  return undefined;
}

/**
 * The first column of the header's directory that is not where the header's results need it: a
 * column missing, of another type or length than the image count makes it, or outside the `.bin`
 * (a header edited by hand, or lying). Checked before the `.bin` is read, so no size it states is
 * allocated unchecked.
 */
function directoryProblem(results: Results): string | undefined {
  const directory = results.columns!;
  const { count, rows, cols } = results.images;
  if (![count, rows, cols].every((n) => Number.isSafeInteger(n) && n >= 0))
    return `"images.count", "images.rows" and "images.cols" must be whole numbers`;
  if (!/^[0-9a-f]{64}$/.test(directory.sha256)) return `"columns.sha256" is not a SHA-256 in hex`;
  if (basename(directory.file) !== directory.file || !directory.file.endsWith(".bin"))
    return `"columns.file" must name a NAME.bin beside it, not ${JSON.stringify(directory.file)}`;
  if (!Number.isSafeInteger(directory.bytes) || directory.bytes < BIN_PREAMBLE) return `"columns.bytes" is not a size of a columns file`;
  const states: [string, ModelState][] = [
    ["", results],
    ...(results.snapshots ?? []).map((s, i): [string, ModelState] => [`snapshots[${i}].`, s]),
  ];
  for (const [prefix, state] of states) {
    // Each link's images are `count` values of the column: a count that is not one would cut it wrong.
    const links = (state.flows as Partial<ModelState["flows"]> | undefined)?.links;
    if (!Array.isArray(links)) return `"${prefix}flows.links" is not a list`;
    const bad = links.findIndex((l) => !Number.isSafeInteger(l?.count) || l.count < 0);
    if (bad >= 0) return `"${prefix}flows.links[${bad}].count" is not a count of images`;
    // Each image's neighbours are neighbourCount values of their columns: the columns' lengths follow from it.
    const layers = Array.isArray(state.layers) ? state.layers : [];
    const wrong = layers.findIndex(
      (l) => l?.neighbourCount !== undefined && (!Number.isSafeInteger(l.neighbourCount) || l.neighbourCount < 1),
    );
    if (wrong >= 0) return `"${prefix}layers[${wrong}].neighbourCount" is not a whole number of neighbours`;
  }
  const byName = new Map<string, ColumnEntry>(directory.columns.map((c) => [String(c?.name), c]));
  for (const want of expectedColumns(results)) {
    const c = byName.get(want.name);
    if (!c) {
      if (want.optional) continue;
      return `the column "${want.name}" is missing from "columns"`;
    }
    if (c.dtype !== want.dtype) return `the column "${want.name}" is of type ${String(c.dtype)}, not ${want.dtype}`;
    if (c.length !== want.length) return `the column "${want.name}" holds ${String(c.length)} values, not ${want.length}`;
    const end = c.offset + c.length * DTYPE_BYTES[c.dtype];
    if (!Number.isSafeInteger(c.offset) || c.offset < BIN_PREAMBLE || c.offset % 8 !== 0 || end > directory.bytes) {
      return `the column "${want.name}" lies outside the columns file (bytes ${String(c.offset)} to ${end} of ${directory.bytes})`;
    }
  }
  return undefined;
}

/**
 * The first per-image list of an all-JSON file, of the final model or of a snapshot, that does not
 * hold a value (two for a map) per image: missingField checks the fields' kinds, not their lengths,
 * and a file edited by hand would otherwise give a view or a table cells of undefined.
 */
function shortList(results: Results): string | undefined {
  for (const want of expectedColumns(results)) {
    // The pixels (base64) and the links' images (a list per link) are not per-image lists in an all-JSON file.
    if (want.name === PIXELS_COLUMN || want.name.endsWith(LINK_IMAGES)) continue;
    const list = want.name
      .split(/[.[\]]+/)
      .filter(Boolean)
      .reduce<unknown>((value, key) => (value as Record<string, unknown> | null | undefined)?.[key], results);
    if (list == null && want.optional) continue;
    if (!Array.isArray(list)) return `"${want.name}" is not a list`;
    if (list.length !== want.length) return `"${want.name}" holds ${list.length} values, not ${want.length}`;
  }
  return undefined;
}
