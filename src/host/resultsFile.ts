// The extension host's one reader of results files. The tree, the results view and the comparison
// view all read through it, so a file shown in several of them is read once. A parse is reused while the file keeps its
// size and modification time; a new run writing the file (an atomic rename) changes both, so the
// next read parses the new one and the old entry is dropped.
import { statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { readResults, type LoadedResults, type ResultsReading, type ViewedResults } from "../results/read";
import { binFileOf } from "../results/write";
import { pixelBytes } from "../shared/columns";
import { MAX_PIXELS_REQUEST } from "../shared/protocol";

interface Entry {
  size: number;
  mtimeMs: number;
  /** While the read runs. */
  reading?: ResultsReading;
  /** Once read: held weakly, so a file no view shows any more is freed rather than cached for good. */
  loaded?: WeakRef<LoadedResults>;
}

export class ResultsFiles {
  private readonly entries = new Map<string, Entry>();

  /** The file as it is on disk now, parsed once per version of it while anything holds the parse. */
  async read(file: string): Promise<LoadedResults> {
    return (await this.reading(file)).loaded;
  }

  /**
   * The file as it is on disk now: what a results view is posted, as soon as it is read, and the
   * whole results after (the same read as `read`'s).
   */
  async reading(file: string): Promise<{ viewed: ViewedResults; loaded: Promise<LoadedResults> }> {
    const { size, mtimeMs } = await stat(file).catch((e: unknown) => {
      this.entries.delete(file);
      throw e;
    });
    const known = this.entries.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) {
      const loaded = known.loaded?.deref();
      if (loaded) return { viewed: loaded, loaded: Promise.resolve(loaded) };
      if (known.reading) return { viewed: await known.reading.viewed, loaded: known.reading.loaded };
    }
    const reading = readResults(file);
    const entry: Entry = { size, mtimeMs, reading };
    this.entries.set(file, entry);
    reading.loaded.then(
      (loaded) => {
        entry.loaded = new WeakRef(loaded);
        delete entry.reading;
      },
      // A failed read is not kept: the next one tries the file again.
      () => {
        if (this.entries.get(file) === entry) this.entries.delete(file);
      },
    );
    return { viewed: await reading.viewed, loaded: reading.loaded };
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

/** The pixels of the asked `images` that are in the file (whole numbers below its count, at most MAX_PIXELS_REQUEST), for a `pixels` reply. */
export async function pixelsOf(loaded: ViewedResults, asked: unknown): Promise<{ images: number[]; pixels: Uint8Array }> {
  const { images: header } = loaded.posted.header;
  const { count } = header;
  const images = (Array.isArray(asked) ? asked : [])
    .filter((i): i is number => Number.isInteger(i) && i >= 0 && i < count)
    .slice(0, MAX_PIXELS_REQUEST);
  return { images, pixels: pixelBytes(header) === 0 ? new Uint8Array(0) : await loaded.pixelsOf(images) };
}
