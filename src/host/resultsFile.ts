// The extension host's one reader of results files. The tree, the results view and the comparison
// view all read through it, so a file shown in several of them is read once. A parse is reused while the file keeps its
// size and modification time; a new run writing the file (an atomic rename) changes both, so the
// next read parses the new one and the old entry is dropped.
import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { readResultsFile, type LoadedResults } from "../results/read";
import { binFileOf } from "../results/write";
import { pixelBytes, viewedColumns, withoutColumns } from "../shared/columns";
import { MAX_PIXELS_REQUEST, type ResultsColumns } from "../shared/protocol";

interface Entry {
  size: number;
  mtimeMs: number;
  /** While the read runs. */
  loading?: Promise<LoadedResults>;
  /** Once read: held weakly, so a file no view shows any more is freed rather than cached for good. */
  loaded?: WeakRef<LoadedResults>;
}

export class ResultsFiles {
  private readonly entries = new Map<string, Entry>();

  /** The file as it is on disk now, parsed once per version of it while anything holds the parse. */
  async read(file: string): Promise<LoadedResults> {
    const { size, mtimeMs } = await stat(file).catch((e: unknown) => {
      this.entries.delete(file);
      throw e;
    });
    const known = this.entries.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) {
      const loaded = known.loaded?.deref();
      if (loaded) return loaded;
      if (known.loading) return known.loading;
    }
    const loading = readResultsFile(file);
    const entry: Entry = { size, mtimeMs, loading };
    this.entries.set(file, entry);
    try {
      const loaded = await loading;
      entry.loaded = new WeakRef(loaded);
      return loaded;
    } catch (e) {
      // A failed read is not kept: the next one tries the file again.
      if (this.entries.get(file) === entry) this.entries.delete(file);
      throw e;
    } finally {
      delete entry.loading;
    }
  }
}

/** The reader every view of this extension host shares. */
export const resultsFiles = new ResultsFiles();

/**
 * What a panel says while it reads `file`: its name and size, the .bin's included ("Loading
 * all-of-mnist.results.json (61 MB)…"). Two stats, no read: the panel shows it at once.
 */
export function loadingText(file: string): string {
  const size = [file, binFileOf(file)].reduce((sum, f) => {
    try {
      return sum + statSync(f).size;
    } catch {
      return sum;
    }
  }, 0);
  const mb = size / 2 ** 20;
  return `Loading ${basename(file)} (${mb >= 10 ? mb.toFixed(0) : mb.toFixed(1)} MB)…`;
}

/** Each read file as its views are posted it, packed once however many views show it or how often they reload. */
const posted = new WeakMap<LoadedResults, ResultsColumns>();

/** A read results file as a webview is posted it: the header and the columns' bytes, never a per-image list as JSON. */
export function resultsColumns(loaded: LoadedResults): ResultsColumns {
  const known = posted.get(loaded);
  if (known) return known;
  const { directory, buffer } = viewedColumns(loaded.columns.directory, loaded.columns.buffer);
  const message = { header: { ...withoutColumns(loaded.results), columns: directory }, columns: buffer };
  posted.set(loaded, message);
  return message;
}

/** The pixels of the asked `images` that are in the file (whole numbers below its count, at most MAX_PIXELS_REQUEST), for a `pixels` reply. */
export async function pixelsOf(loaded: LoadedResults, asked: unknown): Promise<{ images: number[]; pixels: Uint8Array }> {
  const { count } = loaded.results.images;
  const images = (Array.isArray(asked) ? asked : [])
    .filter((i): i is number => Number.isInteger(i) && i >= 0 && i < count)
    .slice(0, MAX_PIXELS_REQUEST);
  return { images, pixels: pixelBytes(loaded.results.images) === 0 ? new Uint8Array(0) : await loaded.pixelsOf(images) };
}
