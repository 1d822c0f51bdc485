// A map's points rasterised in JS into one image, for maps of many points (maps.ts picks it above
// RASTER_ABOVE): each point adds its colour to the device pixels its dot (or an injected image's
// ring) covers, the unselected and the selected apart; then one pass over the pixels turns each
// pixel's sums into the colour the point sprites would leave there (the mean of its points'
// colours, as opaque as that many dots of 90% (18% when faded) on one another, the selected over
// the rest). Its cost follows the points and the pixels, not a GPU's fill rate: where WebGL runs on
// the CPU (SwiftShader, no GPU: a remote session, a VM) a pan/zoom frame of 70,000 points took 93
// ms as WebGL sprites and 29 ms rasterised (npm run bench:webgl, load 12-19; idle, this round:
// 36.8 against 16.7 ms, the display's rate). The image goes on a 2-D canvas with putImageData, so
// it draws the same where WebGL is missing.
import { selectedScale } from "./canvasPoints";
import { INJECTED, SELECTED, type GlFrame } from "./glPoints";

/** Per pixel of a half (the unselected points, the selected): its points' count and colour sums. */
const SUMS = 4;
/** Counts past this look the same: 0.82^40 is under 0.1% (the faded alpha), 0.1^40 less still. */
const MAX_COUNT = 40;
/** How opaque k dots are on one another (k up to MAX_COUNT), each 90% opaque, or 18% (faded). */
const opacity = (alpha: number) => Float64Array.from({ length: MAX_COUNT + 1 }, (_, k) => 1 - (1 - alpha) ** k);
const OPAQUE = opacity(0.9);
const FADED = opacity(0.18);

/** The device pixels a dot (or ring) covers, around the pixel its centre falls in: offsets and their reach. */
interface Stamp {
  dx: Int32Array;
  dy: Int32Array;
  reach: number;
}

export class PointRaster {
  /**
   * Per pixel (SUMS): the unselected dots centred in it, and what the unselected dots and rings
   * cover of it; then the same of the selected, made at the first selection drawn (until then,
   * empty). Apart, not side by side in one array: a map with no selection yet (every first
   * paint) holds and walks half the memory, 11 MB less per map at 588 x 588 pixels.
   * `npm run bench:raster -- --against 567f2c9` (medians of 7 fresh processes, load 1.0): a first
   * draw of 70,000 points 56.8 -> 43.3 ms, afresh 11.0 -> 8.8 ms; of a million 173.0 -> 172.9 and
   * 69.6 -> 66.5 ms; a strip selected or cleared as a change 5.3 -> 6.2 and 23.0 -> 25.2 ms (the
   * two halves' sums of a pixel in two arrays, where they shared a cache line).
   */
  private centred = new Uint32Array(0);
  private covered = new Uint32Array(0);
  private centredSelected = new Uint32Array(0);
  private coveredSelected = new Uint32Array(0);
  /**
   * The points in the order of a coarse grid over the map (row by row), their positions and colours
   * copied in that order: counting them by pixel then writes the pixels nearly in turn, where in
   * image order every point's write missed the cache (measured side by side in one process, CPU
   * time at load 8: a frame's pass over a million points 88 ms sorted against 114 ms unsorted).
   */
  private positions: Float32Array | null = null;
  private order = new Int32Array(0);
  private sortedPos = new Float32Array(0);
  private colors: Uint8Array | null = null;
  private sortedRgba = new Uint8Array(0);
  /**
   * Where `centred` was counted: the frame's placement; per point in grid order its pixel (-1: off
   * the image, or drawn one by one); per image its flags then, and its place in grid order.
   */
  private placement = "";
  /** The sums as just made, all zero: the first count and stamping need not clear them. */
  private zeroed = false;
  private pixelOf = new Int32Array(0);
  private counted = new Uint8Array(0);
  private rank = new Int32Array(0);
  /** The points (in grid order) whose flags changed, as bits: gathered in image order, visited in grid order, where pixels are near one another. */
  private changed = new Uint32Array(0);
  /** The points (in grid order) counted as selected, as bits. */
  private selectedAt = new Uint32Array(0);
  /**
   * What `covered` holds the sums of: the placement and the dots' sizes (whether any point is
   * selected changes only how the rest is composed, faded or not: `composedAny`). A new selection
   * drawn over the same look adds to `covered` only the change of the pixels whose points changed
   * (listed in `dirty`, marked in `marked`; `before` holds their selected sums before, in the same
   * order: the points move from one half to the other, so the rest's change is the selected's negated)
   * and composes again only the rows' spans that change reaches: a lasso's redraw follows the
   * points it changes, not the map's pixels. `before` is made when a redraw first needs it, as long
   * as its dirty pixels need (a first draw of 11 MB made it for each map at a 1600-pixel-wide view).
   */
  private look = "";
  /** Whether any point was selected when `pixels` was composed. */
  private composedAny = false;
  private before = new Uint32Array(0);
  private dirty: number[] = [];
  private marked = new Uint8Array(0);
  /** Per row, the span [spanFrom, spanTo] of pixels to compose again (empty: from > to). */
  private spanFrom = new Int32Array(0);
  private spanTo = new Int32Array(0);
  /** Per image drawn one by one, its flags when it was stamped. */
  private oneByOneFlags = new Uint8Array(0);
  /** The points drawn one by one: rings (injected images are few) and dots centred just off the image. */
  private oneByOne: number[] = [];
  private readonly stamps = new Map<string, Stamp>();
  /** The image drawn, RGBA (not premultiplied, as ImageData holds it), `width` x `height` device pixels. */
  pixels = new Uint8ClampedArray(0);
  width = 0;
  height = 0;
  /** The bounds of the pixels composed since `takeComposedBox` last gave them (none: from > to). */
  private composedX = [0, -1];
  private composedY = [0, -1];

  /**
   * Draws the points for frame `f` into `pixels`: `rgba` 4 bytes a point, `flags` its INJECTED and
   * SELECTED bits. Dots are counted by the pixel their centre falls in first, then each pixel's
   * count spread over its dot's pixels: the same sums as stamping every dot, at the cost of the
   * pixels where the points are many (a million points on a map fall in a few hundred thousand).
   * With the same placement as the last draw (a new selection), only the points whose flags
   * changed are counted again; with the same look too (the dots' sizes), as `redraw` does; when
   * more than half the points changed (a clear of most of them), every pixel is stamped afresh.
   */
  draw(pos: Float32Array, rgba: Uint8Array, flags: Uint8Array, f: GlFrame): void {
    const width = Math.max(1, Math.round(f.width * f.dpr));
    const height = Math.max(1, Math.round(f.height * f.dpr));
    if (width !== this.width || height !== this.height) {
      [this.width, this.height] = [width, height];
      this.pixels = new Uint8ClampedArray(width * height * 4);
      this.centred = new Uint32Array(width * height * SUMS);
      this.covered = new Uint32Array(width * height * SUMS);
      this.centredSelected = new Uint32Array(0);
      this.coveredSelected = new Uint32Array(0);
      this.before = new Uint32Array(0);
      this.marked = new Uint8Array(width * height);
      this.spanFrom = new Int32Array(height).fill(width);
      this.spanTo = new Int32Array(height).fill(-1);
      this.placement = "";
      this.zeroed = true;
    }
    if (pos !== this.positions) this.arrange(pos);
    this.holdSelected(f);
    if (rgba !== this.colors) {
      this.colors = rgba;
      this.placement = "";
      const { order, sortedRgba } = this;
      for (let k = 0; k < order.length; k++) {
        const i = order[k];
        sortedRgba[4 * k] = rgba[4 * i];
        sortedRgba[4 * k + 1] = rgba[4 * i + 1];
        sortedRgba[4 * k + 2] = rgba[4 * i + 2];
      }
    }
    const moved = this.changedOverSameLook(pos, rgba, flags, f);
    if (this.fewEnough(moved)) {
      this.redrawMarked(pos, rgba, flags, f, moved);
      return;
    }
    const { stroke, r, big, placement, look } = this.looks(f);
    const any = f.selected > 0;
    const dot = this.stamp(r, 0);
    const bigDot = this.stamp(big, 0);
    const samePlacement = placement === this.placement;
    if (!samePlacement) this.count(flags, f, big + stroke);
    else {
      const changed = moved >= 0 ? moved : this.markChanged(flags);
      // A clear of more points than there are pixels: a pass over the pixels is the less work.
      if (!any && changed > width * height) this.unselectAll(flags);
      else this.recount(flags, changed, false);
    }
    this.placement = placement;
    this.look = look;
    const { centred, covered, centredSelected, coveredSelected } = this;
    if (!this.zeroed) {
      covered.fill(0);
      coveredSelected.fill(0);
    }
    this.zeroed = false;
    stampAll(centred, covered, dot, width, height);
    if (any) stampAll(centredSelected, coveredSelected, bigDot, width, height);
    const one = new Uint32Array(4);
    const [sx, sy, tx, ty] = [f.sx * f.dpr, f.sy * f.dpr, f.tx * f.dpr, f.ty * f.dpr];
    for (const i of this.oneByOne) {
      const fl = (this.oneByOneFlags[i] = flags[i]);
      const selected = (fl & SELECTED) !== 0;
      one.set([1, rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]]);
      const stamp = this.stamp(selected ? big : r, fl & INJECTED ? stroke : 0);
      stampAt(
        one,
        0,
        selected ? coveredSelected : covered,
        Math.floor(pos[2 * i] * sx + tx),
        Math.floor(pos[2 * i + 1] * sy + ty),
        stamp,
        width,
        height,
      );
    }
    this.compose(any, 0, width * height);
    this.composedX = [0, width - 1];
    this.composedY = [0, height - 1];
    this.composedAny = any;
  }

  /**
   * Draws a new selection over the last draw's placement and look, when no more than half the
   * points changed (else does nothing and returns false): only the points whose flags changed
   * are counted again, only their pixels stamped again, as the change of their sums, and only the
   * rows' spans those reach composed (all the pixels when a selection starts or ends). A lasso's
   * selection is drawn so while the lasso is being drawn (staged: the map puts none of it on its
   * canvas until it is let go), so that the release has only what changed since left to draw.
   */
  redraw(pos: Float32Array, rgba: Uint8Array, flags: Uint8Array, f: GlFrame): boolean {
    this.holdSelected(f);
    const moved = this.changedOverSameLook(pos, rgba, flags, f);
    if (!this.fewEnough(moved)) {
      // Too many: their marks go, the map's draw on release marks and draws them afresh.
      if (moved > 0) this.changed.fill(0);
      return false;
    }
    this.redrawMarked(pos, rgba, flags, f, moved);
    return true;
  }

  /** Marks the points whose flags changed (markChanged) when frame `f` has the last draw's placement and look, and says how many; else -1, nothing marked. */
  private changedOverSameLook(pos: Float32Array, rgba: Uint8Array, flags: Uint8Array, f: GlFrame): number {
    const { placement, look } = this.looks(f);
    if (pos !== this.positions || rgba !== this.colors || placement !== this.placement || look !== this.look) return -1;
    return this.markChanged(flags);
  }

  /** Whether `moved` points changed over the same look (-1: not the same) are drawn as a change (redrawMarked), not every pixel afresh. */
  private fewEnough(moved: number): boolean {
    // Drawing a change is the cheaper until most points changed: in node, a copy of this file with
    // the bound a variable, medians of 8 to 10 alternating draws at a million points on 588 x 588
    // pixels, 200,023 points of a strip changed took 13.5 ms as a change against 25.6 afresh,
    // 700,765 scattered ones 48.3 against 52.0, all of them 75.3 against 58.9 (at 70,000: half,
    // 12.9 against 13.1); half is kept as the bound. It was half the pixels, which left a lasso
    // of 196,196 of the million to its release (93 to 127 ms in bench:webview, not drawn ahead).
    return moved >= 0 && moved <= this.counted.length / 2;
  }

  /** Draws the `moved` points marked (changedOverSameLook) as the change of their sums, over the last draw (see redraw). */
  private redrawMarked(pos: Float32Array, rgba: Uint8Array, flags: Uint8Array, f: GlFrame, moved: number): void {
    const { stroke, r, big } = this.looks(f);
    const dot = this.stamp(r, 0);
    const bigDot = this.stamp(big, 0);
    this.recount(flags, moved, true);
    this.restamp(dot, bigDot);
    this.restampOneByOne(pos, rgba, flags, f, r, big, stroke);
    const any = f.selected > 0;
    // A first selection, or none after one: the sums change as for any other, but every pixel of the rest fades (or no longer does).
    if (any !== this.composedAny) {
      this.spanFrom.fill(0);
      this.spanTo.fill(this.width - 1);
    }
    this.composedAny = any;
    this.composeSpans(any, Math.max(dot.reach, bigDot.reach, this.stamp(big, stroke).reach));
  }

  /** The box of the pixels composed since it was last asked (width 0: none), what the canvas needs put again; then none. */
  takeComposedBox(): { x: number; y: number; width: number; height: number } {
    const [[x0, x1], [y0, y1]] = [this.composedX, this.composedY];
    this.composedX = [this.width, -1];
    this.composedY = [this.height, -1];
    return x0 > x1 || y0 > y1 ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  }

  /** Frame `f`'s dots in device pixels, and its keys: where the points fall (`placement`), and that with the dots' sizes (`look`). */
  private looks(f: GlFrame): { stroke: number; r: number; big: number; placement: string; look: string } {
    const width = Math.max(1, Math.round(f.width * f.dpr));
    const height = Math.max(1, Math.round(f.height * f.dpr));
    const stroke = (f.radius > 2 ? 1.5 : 1.1) * f.dpr;
    const r = f.radius * f.dpr;
    const big = r * selectedScale(f.selected);
    const placement = [f.sx, f.sy, f.tx, f.ty, f.dpr, width, height, big + stroke].join();
    return { stroke, r, big, placement, look: [placement, r, big, stroke].join() };
  }

  /**
   * Adds each dirty pixel's change (its selected sums now less those `before`, the rest's the same
   * negated) to `covered`, and widens its row's span to compose: one pass over the selected dot's
   * pixels, which take in the smaller dot's (discs around the same pixel), adding both halves'
   * change where both cover a pixel, where a pass for each half went over those twice.
   */
  private restamp(dot: Stamp, bigDot: Stamp): void {
    const { centredSelected, before, covered, coveredSelected, width, height, marked, dirty } = this;
    const { dx, dy, reach } = bigDot;
    const both = Uint8Array.from(dx, (x, k) => Number(dot.dx.some((u, j) => u === x && dot.dy[j] === dy[k])));
    for (let d = 0; d < dirty.length; d++) {
      const p = dirty[d];
      const o = p * SUMS;
      const count = centredSelected[o] - before[4 * d];
      const red = centredSelected[o + 1] - before[4 * d + 1];
      const green = centredSelected[o + 2] - before[4 * d + 2];
      const blue = centredSelected[o + 3] - before[4 * d + 3];
      const x = p % width;
      const y = (p - x) / width;
      marked[p] = 0;
      this.touch(x, y);
      if ((count | red | green | blue) === 0) continue;
      const inside = x >= reach && y >= reach && x < width - reach && y < height - reach;
      for (let k = 0; k < dx.length; k++) {
        const px = x + dx[k];
        const py = y + dy[k];
        if (!inside && (px < 0 || py < 0 || px >= width || py >= height)) continue;
        const t = (py * width + px) * SUMS;
        if (both[k]) {
          covered[t] -= count;
          covered[t + 1] -= red;
          covered[t + 2] -= green;
          covered[t + 3] -= blue;
        }
        coveredSelected[t] += count;
        coveredSelected[t + 1] += red;
        coveredSelected[t + 2] += green;
        coveredSelected[t + 3] += blue;
      }
    }
    this.dirty = [];
  }

  /** Widens row y's span to compose to take in x. */
  private touch(x: number, y: number): void {
    if (x < this.spanFrom[y]) this.spanFrom[y] = x;
    if (x > this.spanTo[y]) this.spanTo[y] = x;
  }

  /** Stamps again each point drawn one by one whose flags changed since it was stamped: its old stamp taken off (as wrapped negatives), its new one added. */
  private restampOneByOne(
    pos: Float32Array,
    rgba: Uint8Array,
    flags: Uint8Array,
    f: GlFrame,
    r: number,
    big: number,
    stroke: number,
  ): void {
    const { covered, coveredSelected, width, height, oneByOneFlags } = this;
    const [sx, sy, tx, ty] = [f.sx * f.dpr, f.sy * f.dpr, f.tx * f.dpr, f.ty * f.dpr];
    const one = new Uint32Array(4);
    for (const i of this.oneByOne) {
      if (flags[i] === oneByOneFlags[i]) continue;
      const x = Math.floor(pos[2 * i] * sx + tx);
      const y = Math.floor(pos[2 * i + 1] * sy + ty);
      for (const [fl, sign] of [
        [oneByOneFlags[i], -1],
        [flags[i], 1],
      ]) {
        const selected = (fl & SELECTED) !== 0;
        one.set([sign, sign * rgba[4 * i], sign * rgba[4 * i + 1], sign * rgba[4 * i + 2]]);
        const stamp = this.stamp(selected ? big : r, fl & INJECTED ? stroke : 0);
        stampAt(one, 0, selected ? coveredSelected : covered, x, y, stamp, width, height);
        // A ring centred off the image reaches no further in than from its nearest pixel on it.
        this.touch(Math.max(0, Math.min(width - 1, x)), Math.max(0, Math.min(height - 1, y)));
      }
      oneByOneFlags[i] = flags[i];
    }
  }

  /** Sorts the points by a 256 x 256 grid over their bounds (a counting sort), and copies their positions in that order. */
  private arrange(pos: Float32Array): void {
    const n = pos.length / 2;
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, pos[2 * i]);
      x1 = Math.max(x1, pos[2 * i]);
      y0 = Math.min(y0, pos[2 * i + 1]);
      y1 = Math.max(y1, pos[2 * i + 1]);
    }
    const cells = 256;
    const cx = (cells - 1e-6) / (x1 - x0 || 1);
    const cy = (cells - 1e-6) / (y1 - y0 || 1);
    const cellOf = new Uint16Array(n);
    const start = new Int32Array(cells * cells + 1);
    for (let i = 0; i < n; i++) {
      cellOf[i] = Math.floor((pos[2 * i + 1] - y0) * cy) * cells + Math.floor((pos[2 * i] - x0) * cx);
      start[cellOf[i] + 1]++;
    }
    for (let c = 0; c < cells * cells; c++) start[c + 1] += start[c];
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[start[cellOf[i]]++] = i;
    const sortedPos = new Float32Array(2 * n);
    for (let k = 0; k < n; k++) {
      sortedPos[2 * k] = pos[2 * order[k]];
      sortedPos[2 * k + 1] = pos[2 * order[k] + 1];
    }
    Object.assign(this, { positions: pos, order, sortedPos, sortedRgba: new Uint8Array(4 * n), colors: null, placement: "" });
    this.pixelOf = new Int32Array(n);
    this.counted = new Uint8Array(n);
    this.oneByOneFlags = new Uint8Array(n);
    this.rank = new Int32Array(n);
    for (let k = 0; k < n; k++) this.rank[order[k]] = k;
    this.changed = new Uint32Array(Math.ceil(n / 32));
    this.selectedAt = new Uint32Array(Math.ceil(n / 32));
  }

  /** Counts every dot centred on the image by its pixel; those within `reach` of it, and rings, go one by one. */
  private count(flags: Uint8Array, f: GlFrame, reach: number): void {
    const { width, height, centred, centredSelected, order, sortedPos: pos, sortedRgba: rgba, pixelOf, counted, selectedAt } = this;
    // New sums are zero already: filling them (11 MB each at a 1600-pixel-wide view) was 24 of a 70,000-point view's first 250 ms.
    if (!this.zeroed) {
      centred.fill(0);
      centredSelected.fill(0);
    }
    selectedAt.fill(0);
    this.oneByOne = [];
    const [sx, sy, tx, ty] = [f.sx * f.dpr, f.sy * f.dpr, f.tx * f.dpr, f.ty * f.dpr];
    for (let k = 0; k < order.length; k++) {
      const x = pos[2 * k] * sx + tx;
      const y = pos[2 * k + 1] * sy + ty;
      const i = order[k];
      const fl = (counted[i] = flags[i]);
      if (fl & SELECTED) selectedAt[k >>> 5] |= 1 << (k & 31);
      pixelOf[k] = -1;
      if (!(x >= 0 && y >= 0 && x < width && y < height) || fl & INJECTED) {
        if (x > -reach && y > -reach && x < width + reach && y < height + reach) this.oneByOne.push(i);
        continue;
      }
      const p = (y | 0) * width + (x | 0);
      pixelOf[k] = p;
      const sums = fl & SELECTED ? centredSelected : centred;
      const o = p * SUMS;
      sums[o]++;
      sums[o + 1] += rgba[4 * k];
      sums[o + 2] += rgba[4 * k + 1];
      sums[o + 3] += rgba[4 * k + 2];
    }
  }

  /**
   * Marks in `changed` the points (in grid order) whose flags differ from those counted, compared
   * four at a time in image order, and says how many: nothing else is touched, so a redraw that
   * finds too many can leave them (clearing the marks).
   */
  private markChanged(flags: Uint8Array): number {
    const { counted, rank, changed } = this;
    const n = counted.length;
    let moved = 0;
    const words = flags.byteOffset % 4 === 0 ? new Uint32Array(flags.buffer, flags.byteOffset, n >>> 2) : new Uint32Array(0);
    const was = new Uint32Array(counted.buffer, 0, words.length);
    for (let w = 0, from = 0; from < n; w++, from += 4) {
      if (w < words.length && words[w] === was[w]) continue;
      for (let i = from; i < Math.min(n, from + 4); i++)
        if (flags[i] !== counted[i]) {
          moved++;
          changed[rank[i] >>> 5] |= 1 << (rank[i] & 31);
        }
    }
    return moved;
  }

  /**
   * Moves the `moved` points marked in `changed` (markChanged) to their new slot, in grid order, as
   * `flags` has them (only SELECTED changes: INJECTED is the image's own). With `keep`, each pixel
   * changed goes to `dirty`, its sums before to `before`.
   */
  private recount(flags: Uint8Array, moved: number, keep: boolean): void {
    const { centred, centredSelected, pixelOf, counted, order, changed, selectedAt, sortedRgba: rgba, marked, dirty } = this;
    // Each point moved makes at most one pixel dirty.
    const needed = Math.min(moved, this.width * this.height) * 4;
    if (keep && this.before.length < needed)
      this.before = new Uint32Array(Math.min(Math.max(needed, 2 * this.before.length), this.width * this.height * 4));
    const sums = this.before;
    for (let w = 0; w < changed.length; w++) {
      // As an int32: a word's top bit would make it a double.
      let bits = changed[w] | 0;
      if (bits === 0) continue;
      changed[w] = 0;
      for (; bits !== 0; bits &= bits - 1) {
        const low = bits & -bits;
        const k = (w << 5) + 31 - Math.clz32(low);
        counted[order[k]] = flags[order[k]];
        selectedAt[w] ^= low;
        const p = pixelOf[k];
        if (p < 0) continue;
        const selected = selectedAt[w] & low;
        const [to, out] = selected ? [centredSelected, centred] : [centred, centredSelected];
        const o = p * SUMS;
        const red = rgba[4 * k];
        const green = rgba[4 * k + 1];
        const blue = rgba[4 * k + 2];
        if (keep && marked[p] === 0) {
          marked[p] = 1;
          for (let s = 0, d = 4 * dirty.length; s < 4; s++) sums[d + s] = centredSelected[o + s];
          dirty.push(p);
        }
        out[o]--;
        to[o]++;
        out[o + 1] -= red;
        to[o + 1] += red;
        out[o + 2] -= green;
        to[o + 2] += green;
        out[o + 3] -= blue;
        to[o + 3] += blue;
      }
    }
  }

  /**
   * Counts every point as unselected, over the same placement (a clear of most of them, Escape's):
   * each pixel's selected sums added to the rest's, a pass over the pixels, where recount moves each
   * point that changed, in grid order. `npm run bench:raster` (5 processes, load 1.4), a clear of
   * 844,405 of a million points on 588 x 588 pixels: 66.1 -> 39.7 ms; of 62,707 of 70,000 (fewer
   * points than pixels, left to recount) 10.1 against 11.7 ms this way.
   */
  private unselectAll(flags: Uint8Array): void {
    const { centred, centredSelected } = this;
    for (let o = 0; o < centredSelected.length; o++) centred[o] += centredSelected[o];
    centredSelected.fill(0);
    this.counted.set(flags);
    this.selectedAt.fill(0);
    this.changed.fill(0);
  }

  /** Composes again the pixels within `reach` rows and columns of each row's span (the spans emptied after). */
  private composeSpans(any: boolean, reach: number): void {
    const { width, height, spanFrom, spanTo } = this;
    let [x0, x1, y0, y1] = [width, -1, height, -1];
    for (let y = 0; y < height; y++) {
      let from = width;
      let to = -1;
      for (let r = Math.max(0, y - reach); r <= Math.min(height - 1, y + reach); r++) {
        from = Math.min(from, spanFrom[r]);
        to = Math.max(to, spanTo[r]);
      }
      if (from > to) continue;
      from = Math.max(0, from - reach);
      to = Math.min(width - 1, to + reach);
      this.compose(any, y * width + from, y * width + to + 1);
      [x0, x1] = [Math.min(x0, from), Math.max(x1, to)];
      if (y0 > y) y0 = y;
      y1 = y;
    }
    this.composedX = [Math.min(this.composedX[0], x0), Math.max(this.composedX[1], x1)];
    this.composedY = [Math.min(this.composedY[0], y0), Math.max(this.composedY[1], y1)];
    spanFrom.fill(width);
    spanTo.fill(-1);
  }

  /** Each pixel's colour in [from, to) from its sums: the selected points' mean over the rest's, each as opaque as its count of dots. */
  private compose(any: boolean, from: number, to: number): void {
    const rest = this.covered;
    const selected = this.coveredSelected;
    const anySums = selected.length !== 0;
    const out = new Uint32Array(this.pixels.buffer);
    const restOpacity = any ? FADED : OPAQUE;
    for (let p = from, o = from * SUMS; p < to; p++, o += SUMS) {
      const n0 = rest[o];
      const n1 = anySums ? selected[o] : 0;
      if (n0 === 0 && n1 === 0) {
        out[p] = 0;
        continue;
      }
      const a1 = OPAQUE[Math.min(n1, MAX_COUNT)];
      const a0 = restOpacity[Math.min(n0, MAX_COUNT)] * (1 - a1);
      const a = a0 + a1;
      const w0 = n0 ? a0 / a / n0 : 0;
      let red = rest[o + 1] * w0;
      let green = rest[o + 2] * w0;
      let blue = rest[o + 3] * w0;
      if (n1 !== 0) {
        const w1 = a1 / a / n1;
        red += selected[o + 1] * w1;
        green += selected[o + 2] * w1;
        blue += selected[o + 3] * w1;
      }
      // RGBA in memory: little-endian words read ABGR.
      out[p] = ((Math.round(a * 255) << 24) | (Math.round(blue) << 16) | (Math.round(green) << 8) | Math.round(red)) >>> 0;
    }
  }

  /** Makes the selected points' sums (zero: none selected before) at the first frame that has any. */
  private holdSelected(f: GlFrame): void {
    if (f.selected === 0 || this.centredSelected.length !== 0) return;
    this.centredSelected = new Uint32Array(this.centred.length);
    this.coveredSelected = new Uint32Array(this.covered.length);
  }

  /** The pixels a dot of radius `r` device pixels covers (with `stroke`: a ring of that width). */
  private stamp(r: number, stroke: number): Stamp {
    const key = `${r.toFixed(3)}:${stroke.toFixed(3)}`;
    let stamp = this.stamps.get(key);
    if (stamp) return stamp;
    // The radius follows the zoom: keep the last few sizes only.
    if (this.stamps.size > 16) this.stamps.clear();
    const reach = Math.ceil(r + stroke / 2);
    const dx: number[] = [];
    const dy: number[] = [];
    for (let y = -reach; y <= reach; y++)
      for (let x = -reach; x <= reach; x++) {
        const d = Math.hypot(x, y);
        if (stroke ? Math.abs(d - r) <= stroke / 2 : d <= r) {
          dx.push(x);
          dy.push(y);
        }
      }
    // A dot smaller than a pixel still marks its pixel.
    if (!dx.length) {
      dx.push(0);
      dy.push(0);
    }
    stamp = { dx: Int32Array.from(dx), dy: Int32Array.from(dy), reach };
    this.stamps.set(key, stamp);
    return stamp;
  }
}

/** Stamps each pixel's centred sums (`centred`, SUMS a pixel) over the pixels `stamp` covers around it, into `covered`. */
function stampAll(centred: Uint32Array, covered: Uint32Array, stamp: Stamp, width: number, height: number): void {
  for (let y = 0, o = 0; y < height; y++)
    for (let x = 0; x < width; x++, o += SUMS) if (centred[o] !== 0) stampAt(centred, o, covered, x, y, stamp, width, height);
}

/** Adds the 4 sums at `from[o]` (a count and its red, green and blue) to every pixel `stamp` covers around (x, y), in `to` (SUMS a pixel). */
function stampAt(
  from: Uint32Array,
  o: number,
  to: Uint32Array,
  x: number,
  y: number,
  { dx, dy, reach }: Stamp,
  width: number,
  height: number,
): void {
  const count = from[o];
  const red = from[o + 1];
  const green = from[o + 2];
  const blue = from[o + 3];
  const inside = x >= reach && y >= reach && x < width - reach && y < height - reach;
  for (let k = 0; k < dx.length; k++) {
    const px = x + dx[k];
    const py = y + dy[k];
    if (!inside && (px < 0 || py < 0 || px >= width || py >= height)) continue;
    const t = (py * width + px) * SUMS;
    to[t] += count;
    to[t + 1] += red;
    to[t + 2] += green;
    to[t + 3] += blue;
  }
}

let rehearsed = false;

/**
 * Once a page, in idle time: a small raster of its own drawn through a first selection, lassos and
 * a clear, one draw per idle callback, so that a map's first lasso runs code V8 has compiled rather
 * than cold code. A fresh page's first lasso at 70,000 points updated every view in 65-73 ms (medians
 * of 6 and 8 pages) against 17-19 ms for the same lasso again; with this, 36-39 ms, for idle slices
 * of about 10 ms (17 ms in all).
 */
export function rehearseLassos(): void {
  if (rehearsed) return;
  rehearsed = true;
  // Its points made in the first idle callback too, not in the view's build (2.5 ms of a fresh page's).
  requestIdleCallback(() => {
    const n = 3000;
    const pos = Float32Array.from({ length: 2 * n }, (_, i) => ((i * 7919) % 997) / 12.5);
    const rgba = Uint8Array.from({ length: 4 * n }, (_, i) => (i * 31) & 255);
    const none = new Uint8Array(n);
    const steps: [Uint8Array, number][] = [[none, 0]];
    for (let round = 0; round < 2; round++)
      for (const every of [3, 2, 0]) steps.push(every ? [none.map((_, i) => (i % every === round ? SELECTED : 0)), n / every] : [none, 0]);
    const raster = new PointRaster();
    const step = () => {
      const [flags, selected] = steps.shift()!;
      // The frame's fields in maps.ts's order: one object shape for V8 to compile for.
      raster.draw(pos, rgba, flags, { sx: 1, sy: 1, tx: 0, ty: 0, width: 80, height: 80, dpr: 1, radius: 1.3, selected });
      if (steps.length) requestIdleCallback(step);
    };
    step();
  });
}
