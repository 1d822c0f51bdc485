// Digit images drawn from the results' own pixels: grey ones in the theme's text colour so they
// read as ink on the page in light, dark and high-contrast themes alike; colour ones as they are.
import { color } from "d3";
import type { ViewData } from "./data";
import { themeColor } from "./colors";

const GAP = 1;

/** The image under the pointer in a grid `thumbnailGrid` drew from `images`, if any. */
export function imageAt(grid: HTMLCanvasElement, e: PointerEvent, data: ViewData, images: number[]): number | undefined {
  const { rows, cols } = data.results.images;
  if (rows * cols === 0) return undefined;
  const box = grid.getBoundingClientRect();
  const x = Math.floor((((e.clientX - box.left) / box.width) * grid.width) / (cols + GAP));
  const y = Math.floor((((e.clientY - box.top) / box.height) * grid.height) / (rows + GAP));
  const across = Math.round((grid.width + GAP) / (cols + GAP));
  return x < across ? images[y * across + x] : undefined;
}

/**
 * A canvas holding `images` in a grid `perRow` across, at `scale` CSS pixels per image pixel.
 * One ImageData for the whole grid: hundreds of thumbnails cost one putImageData. Images whose
 * pixels the view has not yet had from the host are asked for and drawn when they come
 * (`data-pending` on the canvas until then).
 */
export function thumbnailGrid(data: ViewData, images: number[], perRow: number, scale: number): HTMLCanvasElement {
  const { rows, cols } = data.results.images;
  if (rows * cols === 0) return noThumbnail(images.length);
  const across = Math.max(1, Math.min(perRow, images.length));
  const down = Math.max(1, Math.ceil(images.length / across));
  const canvas = document.createElement("canvas");
  canvas.className = "mtq-thumbs";
  canvas.width = across * (cols + GAP) - GAP;
  canvas.height = down * (rows + GAP) - GAP;
  canvas.style.width = `${canvas.width * scale}px`;
  canvas.style.height = `${canvas.height * scale}px`;
  canvas.dataset.count = String(images.length);
  canvas.dataset.channels = String(data.results.images.channels ?? 1);
  const here = images.filter((i) => data.pixels.get(i)).length;
  // A new canvas is blank: none here, nothing to draw yet (the findings' 200 outliers drew 200 blank grids before the view's first paint).
  if (here > 0) drawThumbnails(canvas, data, images, across);
  if (here < images.length) {
    canvas.dataset.pending = "";
    void data.pixels.load(images).then(() => {
      drawThumbnails(canvas, data, images, across);
      delete canvas.dataset.pending;
    });
  }
  return canvas;
}

/** Draws those of `images` whose pixels are here; the others stay blank. */
function drawThumbnails(canvas: HTMLCanvasElement, data: ViewData, images: number[], across: number): void {
  const { rows, cols } = data.results.images;
  const ink = color(themeColor("--vscode-foreground", "#cccccc"))?.rgb() ?? { r: 204, g: 204, b: 204 };
  const colour = data.results.images.channels === 3;
  const out = new ImageData(canvas.width, canvas.height);
  images.forEach((image, n) => {
    const x0 = (n % across) * (cols + GAP);
    const y0 = Math.floor(n / across) * (rows + GAP);
    const pixels = data.pixels.get(image);
    if (!pixels) return;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const o = ((y0 + y) * canvas.width + x0 + x) * 4;
        const p = y * cols + x;
        if (colour) {
          // The colour itself matters (Colored MNIST's red and green), so it is drawn opaque rather than as ink.
          out.data.set(pixels.subarray(p * 3, p * 3 + 3), o);
          out.data[o + 3] = 255;
        } else {
          out.data[o] = ink.r;
          out.data[o + 1] = ink.g;
          out.data[o + 2] = ink.b;
          out.data[o + 3] = pixels[p];
        }
      }
    }
  });
  canvas.getContext("2d")!.putImageData(out, 0, 0);
}

/**
 * Imported signatures without thumbnails have no pixels to draw: the grid says so in words instead.
 * Each text is drawn once per theme and copied: a million images' findings list 200 outliers, whose
 * canvases each set a font, measured and drew the words, 44 ms of its first paint.
 */
function noThumbnail(count: number): HTMLCanvasElement {
  const text = count > 1 ? `${count} images, no thumbnails` : "no thumbnail";
  const font = `11px ${themeColor("--vscode-font-family", "sans-serif")}`;
  const ink = themeColor("--vscode-descriptionForeground", "#999999");
  const key = `${text}\n${font}\n${ink}`;
  let drawn = wordsDrawn.get(key);
  if (!drawn) {
    drawn = document.createElement("canvas");
    const ctx = drawn.getContext("2d")!;
    ctx.font = font;
    drawn.width = Math.ceil(ctx.measureText(text).width) + 4;
    drawn.height = 14;
    ctx.font = font;
    ctx.fillStyle = ink;
    ctx.textBaseline = "middle";
    ctx.fillText(text, 2, 7);
    wordsDrawn.set(key, drawn);
  }
  const canvas = document.createElement("canvas");
  canvas.className = "mtq-thumbs mtq-no-thumbs";
  canvas.dataset.count = String(count);
  canvas.width = drawn.width;
  canvas.height = drawn.height;
  canvas.style.width = `${canvas.width}px`;
  canvas.style.height = `${canvas.height}px`;
  canvas.title = text;
  canvas.getContext("2d")!.drawImage(drawn, 0, 0);
  return canvas;
}

/** noThumbnail's words as drawn, by text, font and colour. */
const wordsDrawn = new Map<string, HTMLCanvasElement>();
