// The page bench-webgl.ts measures in chromium: one map's points drawn by our WebGL layer
// (webview/glPoints.ts), by regl-scatterplot, or rasterised in JS (webview/raster.ts) and put on
// a 2-D canvas, with the same colours, size and selection.
import createScatterplot from "regl-scatterplot";
import { GlPoints, INJECTED, SELECTED } from "../../webview/glPoints";
import { PointRaster } from "../../webview/raster";

export interface BenchPoints {
  /** UMAP positions, [x0, y0, ...]. */
  xy: number[];
  labels: number[];
  injected: boolean[];
  /** A colour per label, as hex. */
  colors: string[];
}

export interface Timing {
  firstPaint: number;
  selection: number;
  frame: number;
}

const WIDTH = 700;
const HEIGHT = 520;
const FRAMES = 30;

const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
/** The frame after the next one: by then what was drawn is on screen. */
const painted = async () => {
  await frame();
  await frame();
};

function freshCanvas(): HTMLCanvasElement {
  document.body.replaceChildren();
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  canvas.style.width = `${WIDTH}px`;
  canvas.style.height = `${HEIGHT}px`;
  document.body.append(canvas);
  return canvas;
}

/** The points' bounds, to fit them in the canvas the way the view's map does. */
function fit(xy: Float32Array): { sx: number; tx: number; ty: number } {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]);
    x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]);
    y1 = Math.max(y1, xy[i + 1]);
  }
  const sx = Math.min((WIDTH - 24) / (x1 - x0), (HEIGHT - 24) / (y1 - y0));
  return { sx, tx: (WIDTH - (x1 - x0) * sx) / 2 - x0 * sx, ty: (HEIGHT - (y1 - y0) * sx) / 2 - y0 * sx };
}

/** The left `share` of the points by x: what a lasso over that part of the map selects. */
function leftShare(xy: Float32Array, share: number): number[] {
  const xs = xy.filter((_, i) => i % 2 === 0);
  const cut = [...xs].sort((a, b) => a - b)[Math.floor(xs.length * share)];
  const out: number[] = [];
  xs.forEach((x, i) => x < cut && out.push(i));
  return out;
}

/** Each point's colour (RGBA) from its label and its INJECTED flag, as maps.ts gives them. */
function pointStyle(p: BenchPoints, n: number): { rgba: Uint8Array; flags: Uint8Array } {
  const rgba = new Uint8Array(4 * n);
  const palette = p.colors.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rgba.set(palette[p.labels[i]], 4 * i);
    flags[i] = p.injected[i] ? INJECTED : 0;
  }
  return { rgba, flags };
}

type Frame = Parameters<PointRaster["draw"]>[3];

/**
 * After the first paint of `view`: the left 30% selected (their SELECTED flag set, `selected()`
 * told, drawn and painted), then FRAMES pan/zoom frames drawn, each timed as ours draws them.
 */
async function selectionAndFrames(
  xy: Float32Array,
  flags: Uint8Array,
  view: Frame,
  selected: () => void,
  draw: (f: Frame) => void,
): Promise<Omit<Timing, "firstPaint">> {
  const { sx, tx, ty } = view;
  const left = leftShare(xy, 0.3);
  const t1 = performance.now();
  for (const i of left) flags[i] |= SELECTED;
  selected();
  draw({ ...view, selected: left.length });
  await painted();
  const selection = performance.now() - t1;

  const t2 = performance.now();
  for (let f = 1; f <= FRAMES; f++) {
    await frame();
    const k = 1 + f / FRAMES;
    draw({ ...view, sx: sx * k, sy: sx * k, tx: tx * k - f * 3, ty: ty * k, radius: 1.3 * Math.sqrt(k), selected: left.length });
  }
  await frame();
  return { selection, frame: (performance.now() - t2) / (FRAMES + 1) };
}

export async function ours(p: BenchPoints): Promise<Timing> {
  const xy = Float32Array.from(p.xy);
  const n = xy.length / 2;
  const t0 = performance.now();
  const canvas = freshCanvas();
  const gl = GlPoints.create(canvas);
  if (!gl) throw new Error("no WebGL");
  const { rgba, flags } = pointStyle(p, n);
  gl.setPositions(xy);
  gl.setColors(rgba);
  gl.setFlags(flags);
  const { sx, tx, ty } = fit(xy);
  const view = { sx, sy: sx, tx, ty, width: WIDTH, height: HEIGHT, dpr: 1, radius: 1.3, selected: 0 };
  gl.draw(view);
  await painted();
  const firstPaint = performance.now() - t0;
  return {
    firstPaint,
    ...(await selectionAndFrames(
      xy,
      flags,
      view,
      () => gl.setFlags(flags),
      (f) => gl.draw(f),
    )),
  };
}

export async function raster(p: BenchPoints): Promise<Timing> {
  const xy = Float32Array.from(p.xy);
  const n = xy.length / 2;
  const t0 = performance.now();
  const canvas = freshCanvas();
  const g = canvas.getContext("2d")!;
  const points = new PointRaster();
  const { rgba, flags } = pointStyle(p, n);
  const draw = (f: Frame) => {
    points.draw(xy, rgba, flags, f);
    g.putImageData(new ImageData(points.pixels, points.width, points.height), 0, 0);
  };
  const { sx, tx, ty } = fit(xy);
  const view = { sx, sy: sx, tx, ty, width: WIDTH, height: HEIGHT, dpr: 1, radius: 1.3, selected: 0 };
  draw(view);
  await painted();
  const firstPaint = performance.now() - t0;
  return { firstPaint, ...(await selectionAndFrames(xy, flags, view, () => undefined, draw)) };
}

export async function regl(p: BenchPoints): Promise<Timing> {
  const xy = Float32Array.from(p.xy);
  const n = xy.length / 2;
  const t0 = performance.now();
  const canvas = freshCanvas();
  const plot = createScatterplot({ canvas, width: WIDTH, height: HEIGHT, pointSize: 2.6, opacityInactiveMax: 0.18 });
  let drawn: () => void = () => undefined;
  plot.subscribe("draw", () => drawn());
  const nextDraw = () => new Promise<void>((resolve) => (drawn = resolve));
  // Its points live in [-1, 1]: the same fit as ours, in its normalised space.
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]);
    x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]);
    y1 = Math.max(y1, xy[i + 1]);
  }
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const category = new Float32Array(n);
  const span = Math.max(x1 - x0, y1 - y0) / 2;
  for (let i = 0; i < n; i++) {
    x[i] = (xy[2 * i] - (x0 + x1) / 2) / span;
    y[i] = -(xy[2 * i + 1] - (y0 + y1) / 2) / span;
    category[i] = p.labels[i];
  }
  await plot.set({ colorBy: "valueA", pointColor: p.colors });
  let ready = nextDraw();
  await plot.draw({ x, y, valueA: category });
  await ready;
  await painted();
  const firstPaint = performance.now() - t0;

  const left = leftShare(xy, 0.3);
  const t1 = performance.now();
  ready = nextDraw();
  plot.select(left, { preventEvent: true });
  await ready;
  await painted();
  const selection = performance.now() - t1;

  const camera = plot.get("camera") as { pan(d: [number, number]): void; scale(k: number): void };
  const t2 = performance.now();
  for (let f = 1; f <= FRAMES; f++) {
    ready = nextDraw();
    camera.pan([-0.01, 0]);
    camera.scale(1.02);
    plot.redraw();
    await ready;
  }
  await frame();
  const timing = { firstPaint, selection, frame: (performance.now() - t2) / (FRAMES + 1) };
  plot.destroy();
  return timing;
}

(window as unknown as { bench: unknown }).bench = { ours, regl, raster };
