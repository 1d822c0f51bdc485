// The tree's thumbnails' pixels, asked image by image (VS Code asks each row's item on its own) and
// read together: every image asked in one turn of the event loop in one LoadedResults.pixelsOf, so
// expanding a cluster of 500 opens the `.bin` once, where a read per row opened it 500 times.
import type { LoadedResults } from "../results/read";
import { pixelBytes } from "../shared/columns";

interface Batch {
  images: number[];
  pixels: Promise<Map<number, Uint8Array>>;
}

export class PixelBatches {
  private readonly open = new Map<LoadedResults, Batch>();

  /** Image `image`'s pixels, read with the others asked of `loaded` in this turn. */
  pixelsOf(loaded: LoadedResults, image: number): Promise<Uint8Array> {
    let batch = this.open.get(loaded);
    if (!batch) {
      const images: number[] = [];
      // setImmediate: after the microtasks of the items VS Code asked together, whose awaits resume first.
      const pixels = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        this.open.delete(loaded);
        // Ascending, each once: a run of consecutive images is one read of the column.
        const sorted = [...new Set(images)].sort((a, b) => a - b);
        const bytes = await loaded.pixelsOf(sorted);
        const size = pixelBytes(loaded.results.images);
        return new Map(sorted.map((i, n) => [i, bytes.subarray(n * size, (n + 1) * size)]));
      });
      batch = { images, pixels };
      this.open.set(loaded, batch);
    }
    batch.images.push(image);
    return batch.pixels.then((read) => read.get(image)!);
  }
}
