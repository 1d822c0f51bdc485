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
  columnView,
  DTYPE_BYTES,
  expectedColumns,
  pixelBytes,
  LINK_IMAGES,
  PIXELS_COLUMN,
  postedLayout,
  putPosted,
  withColumns,
  withColumnValues,
  withoutColumns,
  type ColumnArray,
  type ColumnEntry,
  type ColumnsDirectory,
} from "../shared/columns";
import type { ResultsColumns } from "../shared/protocol";
import { JSON_RESULTS_SCHEMA_VERSION, RESULTS_SCHEMA_VERSION, type ModelState, type Results } from "../shared/results";
import { binFileOf, columnsLayout } from "./write";

/** What a results view is posted of a results file, readable before the rest of its columns. */
export interface ViewedResults {
  /**
   * The header (without per-image lists) and the columns the view draws, packed into one buffer
   * (postedLayout, src/shared/columns.ts): the webview makes typed arrays over it (withColumns).
   */
  posted: ResultsColumns;
  /**
   * The pixels of `images` (whole numbers below the image count), rows*cols*channels bytes each, one
   * image after another: read by range from the `.bin`, which is checked to be the one read still.
   */
  pixelsOf(images: readonly number[]): Promise<Uint8Array>;
  /** "json": an all-JSON file of version 2 (before the `.bin`), converted in memory; the host says so once. */
  format: "columns" | "json";
}

export interface LoadedResults extends ViewedResults {
  file: string;
  /** Every per-image column, as stored: typed arrays over the buffer posted and the host's own (the neighbours', the maps' float64 places). */
  results: Results;
}

/**
 * A results file being read: `viewed` once what a results view is posted is read (the header and
 * the columns it draws), `loaded` once every column is (the neighbours' read after, a million
 * images' 213 MB: a view is posted first).
 */
export interface ResultsReading {
  viewed: Promise<ViewedResults>;
  loaded: Promise<LoadedResults>;
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

/** Reads `file` whole (the CLI, the tests): readResults's `loaded`. */
export function readResultsFile(file: string): Promise<LoadedResults> {
  return readResults(file).loaded;
}

export function readResults(file: string): ResultsReading {
  const header = readHeader(file);
  const viewed = header.then(({ results, json }) => (json ? fromJson(results, file) : readColumns(file, results)));
  const loaded = viewed.then(async ({ rest, ...read }) => ({ file, ...read, results: await rest }));
  // A failed read is said through `loaded` (whoever reads only it is told); `viewed` says it too.
  viewed.catch(() => undefined);
  return { viewed, loaded };
}

/** The header, checked for its version and fields; `json`: an all-JSON file of version 2. */
async function readHeader(file: string): Promise<{ results: Results; json: boolean }> {
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
  return { results, json };
}

/** What the reader has once a view's columns are read: the rest of the results come with `rest`. */
type Viewed = ViewedResults & { rest: Promise<Results> };

/**
 * An all-JSON file's results as a `.bin` in memory would give them: the same typed columns, whichever
 * file they came from. Laid out, not hashed: the hash pairs a header with a `.bin` on disk, and there is none.
 */
function fromJson(results: Results, file: string): Viewed {
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
  const header = { ...withoutColumns(results), columns: directory };
  return { posted: postedFrom(header, buffer), pixelsOf, format: "json", rest: Promise.resolve(withColumns(header, buffer)) };
}

/** What a view is posted of results whose `.bin` up to its pixels is `buffer`, laid out as the header's `columns` say. */
export function postedFrom(header: Results, buffer: ArrayBuffer): ResultsColumns {
  const layout = postedLayout(header.columns!);
  const posted = new ArrayBuffer(layout.bytes);
  for (const c of layout.columns) putPosted(c, columnView(buffer, c.from.offset, c.from.dtype, c.from.length), posted);
  return { header: { ...withoutColumns(header), columns: layout.directory }, columns: posted };
}

/**
 * The header's `.bin`, checked against its directory (size, hash, every column's place) before its
 * columns are read: first those a view is posted, read into the buffer posted where their type is
 * the same (the maps' places read as float64 for the host and posted as float32), then the rest
 * (the neighbours') in `rest`. Every column is read where the host keeps it, no copy of the `.bin`.
 */
async function readColumns(file: string, results: Results): Promise<Viewed> {
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
  const handle = await open(binFile, "r");
  const layout = postedLayout(directory);
  const posted = new ArrayBuffer(layout.bytes);
  /** The host's own columns (the ones posted in another type, and the unposted), packed one after another. */
  const postedAsIs = new Map(layout.columns.filter((c) => c.to.dtype === c.from.dtype).map((c) => [c.from, c.to]));
  const own = directory.columns.filter((c) => c !== pixelsEntry && !postedAsIs.has(c));
  const ownAt = new Map<ColumnEntry, number>();
  let ownBytes = 0;
  for (const c of own) {
    ownAt.set(c, ownBytes);
    ownBytes += Math.ceil((c.length * DTYPE_BYTES[c.dtype]) / 8) * 8;
  }
  const ownBuffer = new ArrayBuffer(ownBytes);
  const values = new Map<string, ColumnArray>();
  for (const c of directory.columns) {
    if (c === pixelsEntry) continue;
    const to = postedAsIs.get(c);
    values.set(c.name, to ? columnView(posted, to.offset, c.dtype, c.length) : columnView(ownBuffer, ownAt.get(c)!, c.dtype, c.length));
  }
  const read = (c: ColumnEntry) => {
    const v = values.get(c.name)!;
    return readFully(handle, new Uint8Array(v.buffer, v.byteOffset, v.byteLength), c.offset);
  };
  const postedNames = new Set(layout.columns.map((c) => c.from.name));
  let preamble: Uint8Array;
  try {
    preamble = new Uint8Array(BIN_PREAMBLE);
    await readFully(handle, preamble, 0);
    const hash = Buffer.from(preamble.subarray(BIN_MAGIC.length)).toString("hex");
    if (Buffer.from(preamble.subarray(0, BIN_MAGIC.length)).toString("latin1") !== BIN_MAGIC)
      throw refuse(`${directory.file} is not an MTQ columns file`);
    if (hash !== directory.sha256)
      throw refuse(`${directory.file} is another run's (its hash is not the header's): they are not one run's pair`);
    // Each column a read of its own, at once: the thread pool's reads overlap.
    await Promise.all(directory.columns.filter((c) => postedNames.has(c.name)).map(read));
  } catch (e) {
    await handle.close();
    throw e;
  }
  for (const c of layout.columns) if (!postedAsIs.has(c.from)) putPosted(c, values.get(c.from.name)!, posted);
  const header = { ...withoutColumns(results), columns: layout.directory };
  const rest = Promise.all(own.filter((c) => !postedNames.has(c.name)).map(read))
    .finally(() => handle.close())
    .then(() => withColumnValues(results, (name) => values.get(name)));
  // Said through `loaded`, which awaits it.
  rest.catch(() => undefined);
  const pixelSize = pixelBytes(results.images);
  const pixelsOf = async (images: readonly number[]) => {
    const out = new Uint8Array(images.length * pixelSize);
    const pixelsHandle = await open(binFile, "r");
    try {
      const now = new Uint8Array(BIN_PREAMBLE);
      await readFully(pixelsHandle, now, 0);
      if (Buffer.compare(now, preamble) !== 0) throw refuse(`${directory.file} has been written again since it was read`, "open it again");
      // A run of consecutive images is one read (every image's: one read of the column).
      const reads: Promise<void>[] = [];
      for (let n = 0; n < images.length;) {
        let end = n + 1;
        while (end < images.length && images[end] === images[end - 1] + 1) end++;
        reads.push(readFully(pixelsHandle, out.subarray(n * pixelSize, end * pixelSize), pixelsEntry.offset + images[n] * pixelSize));
        n = end;
      }
      await Promise.all(reads);
    } finally {
      await pixelsHandle.close();
    }
    return out;
  };
  return { posted: { header, columns: posted }, pixelsOf, format: "columns", rest };
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
