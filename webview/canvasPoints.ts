// A map's points as batches of one colour and one look (dot or ring, faded or selected), in the
// order they are drawn: what the SVG export writes, and what the 2-D canvas draws where the
// browser has no WebGL (glPoints.ts draws the same points otherwise).
import type { Bitset } from "./bitset";

export interface ColorGroup {
  color: string;
  kept: number[];
  injected: number[];
}

export interface Batch {
  color: string;
  hollow: boolean;
  alpha: number;
  radius: number;
  images: number[];
}

/** A map's dot radius in CSS pixels: small when the map is crowded (`count` points on `width` x `height`), growing gently as the user zooms in (`zoom`). */
export function dotRadius(width: number, height: number, count: number, zoom: number): number {
  const r = Math.min(3.2, Math.max(1.3, Math.sqrt((width * height) / Math.max(1, count)) / 5));
  return r * Math.min(3, Math.sqrt(zoom));
}

/** How much larger than the rest selected points are drawn: one image selected alone, most, so it is found on a crowded map. */
export function selectedScale(selected: number): number {
  return selected === 1 ? 2.2 : 1.35;
}

/** Unselected points first and faint when there is a selection, then the selected ones, larger, on top. */
export function pointBatches(groups: ColorGroup[], selected: Bitset, radius: number): Batch[] {
  const out: Batch[] = [];
  for (const pass of selected.count > 0 ? [false, true] : [null]) {
    for (const group of groups) {
      for (const [list, hollow] of [
        [group.kept, false],
        [group.injected, true],
      ] as const) {
        out.push({
          color: group.color,
          hollow,
          alpha: pass === false ? 0.18 : 0.9,
          radius: pass ? radius * selectedScale(selected.count) : radius,
          images: pass === null ? list : list.filter((i) => selected.has(i) === pass),
        });
      }
    }
  }
  return out;
}

/**
 * Draws the batches on a 2-D canvas of `width` x `height` CSS pixels; `at` places an image.
 * Returns how many points the batches hold (those off the canvas are skipped).
 */
export function drawOnCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  batches: Batch[],
  at: (i: number) => [number, number],
): number {
  const g = canvas.getContext("2d")!;
  const dpr = canvas.width / width;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, width, height);
  let points = 0;
  for (const b of batches) {
    points += b.images.length;
    const r = b.radius;
    g.globalAlpha = b.alpha;
    g.fillStyle = b.color;
    g.strokeStyle = b.color;
    g.lineWidth = r > 2 ? 1.5 : 1.1;
    g.beginPath();
    for (const i of b.images) {
      const [x, y] = at(i);
      if (x < -r || y < -r || x > width + r || y > height + r) continue;
      g.moveTo(x + r, y);
      g.arc(x, y, r, 0, 2 * Math.PI);
    }
    if (b.hollow) g.stroke();
    else g.fill();
  }
  return points;
}
