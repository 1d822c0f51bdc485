// The images' pixels, asked of the extension host as the view needs them: a thumbnail grid, a
// tooltip or a findings row shows a few hundred digits at most, so the webview never holds every
// image's pixels (784 MB for a million MNIST digits); the host reads them from the results' .bin.
import { MAX_PIXELS_REQUEST } from "../src/shared/protocol";

/** Images kept once received: a grid's worth many times over, a few MB. */
const KEPT = 20_000;

interface Waiting {
  missing: Set<number>;
  done: () => void;
}

export class PixelStore {
  private readonly kept = new Map<number, Uint8Array>();
  private readonly asked = new Set<number>();
  private waiting: Waiting[] = [];
  /** Images to ask for at the end of this task, and whether that is queued. */
  private asking: number[] = [];
  private askQueued = false;

  /** `size`: one image's bytes (0 when the results have no thumbnails); `ask` posts the host a `pixels` request. */
  constructor(
    readonly size: number,
    private readonly ask: (images: number[]) => void,
  ) {}

  /** Image `image`'s pixels, if here. */
  get(image: number): Uint8Array | undefined {
    return this.kept.get(image);
  }

  /** Resolves once every one of `images` is here, asking the host for those that are not (and not already asked). */
  load(images: readonly number[]): Promise<void> {
    const missing = new Set(images.filter((i) => !this.kept.has(i)));
    if (missing.size === 0 || this.size === 0) return Promise.resolve();
    for (const i of missing)
      if (!this.asked.has(i)) {
        this.asked.add(i);
        this.asking.push(i);
      }
    // The loads of one task asked together: the findings' 200 outliers, a grid each, are one request, not 200.
    if (this.asking.length > 0 && !this.askQueued) {
      this.askQueued = true;
      queueMicrotask(() => this.askNow());
    }
    return new Promise((done) => this.waiting.push({ missing, done }));
  }

  private askNow(): void {
    const ask = this.asking;
    this.asking = [];
    this.askQueued = false;
    for (let from = 0; from < ask.length; from += MAX_PIXELS_REQUEST) this.ask(ask.slice(from, from + MAX_PIXELS_REQUEST));
  }

  /** The host's reply: keeps the images (dropping the oldest past KEPT) and resolves the loads they complete. */
  receive(images: number[], pixels: Uint8Array): void {
    images.forEach((image, n) => {
      this.asked.delete(image);
      this.kept.delete(image);
      this.kept.set(image, pixels.slice(n * this.size, (n + 1) * this.size));
    });
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= KEPT) break;
      this.kept.delete(oldest);
    }
    this.waiting = this.waiting.filter((w) => {
      for (const image of images) w.missing.delete(image);
      if (w.missing.size > 0) return true;
      w.done();
      return false;
    });
  }
}
