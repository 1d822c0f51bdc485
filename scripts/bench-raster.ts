// Times the large maps' raster (webview/raster.ts) in node, on a results file's first map at 588 x
// 588 pixels (the bench:webview page's maps), with the dot's radius as the maps size it: a first
// draw (in a fresh process, so its code is as cold as a page's first paint's), draws afresh (a
// zoom's steps), a strip of the map selected and cleared again drawn as a change (a lasso's,
// Escape's), draws afresh with that strip selected, and a clear of most of the map (Escape's after
// a large lasso). With `--against COMMIT`, the raster as it
// was at COMMIT too, each run alternating which goes first; both must draw the same pixels (a
// hash of them is compared). Medians over the runs, with the load average; not a test.
// `npm run bench:raster -- [--against COMMIT] [--runs N] [FILE.results.json ...]`: all 70,000
// MNIST digits (made once by allOfMnistResults) and the million of `npm run million` where its
// results are there, by default.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { readResultsFile } from "../src/results/read";
import { mapPositions } from "../webview/data";
import { dotRadius } from "../webview/canvasPoints";
import { SELECTED, type GlFrame } from "../webview/glPoints";
import type { PointRaster } from "../webview/raster";
import { allOfMnistResults } from "./allOfMnistResults";
import { commandLine, usageError, wholeNumber } from "./args";
import { MILLION_DIR } from "./million";
import { moduleAt } from "./sourceAt";
import { median } from "./median";

const USAGE = "npm run bench:raster -- [--against COMMIT] [--runs N] [FILE.results.json ...]";
/** The map's side in pixels: bench:webview's page's maps. */
const SIZE = 588;
/** Draws of each kind in a process, their median kept. */
const AFRESH = 8;
const CHANGES = 8;

/** One process's ms per kind of draw (medians of its draws, but the first), what was selected, and a hash of the pixels drawn last. */
interface Times {
  first: number;
  afresh: number;
  change: number;
  afreshSelected: number;
  /** ms of a clear of `mostSelected` (most of the map, Escape's). */
  cleared: number;
  selected: number;
  mostSelected: number;
  points: number;
  hash: number;
}

/** One process's draws of `file`'s first map with the raster of `commit` (today's when empty). */
async function drawsOf(file: string, commit: string): Promise<Times> {
  const { PointRaster: Raster } = commit
    ? await moduleAt<{ PointRaster: typeof PointRaster }>(commit, "webview/raster.ts")
    : await import("../webview/raster");
  const { results } = await readResultsFile(file);
  const pos = mapPositions(results.layers[0], "umap");
  const n = pos.length / 2;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    [x0, x1] = [Math.min(x0, pos[2 * i]), Math.max(x1, pos[2 * i])];
    [y0, y1] = [Math.min(y0, pos[2 * i + 1]), Math.max(y1, pos[2 * i + 1])];
  }
  const scale = (SIZE - 20) / Math.max(x1 - x0, y1 - y0);
  const { labels } = results.images;
  const rgba = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) rgba.set([(labels[i] * 53) & 255, (labels[i] * 97) & 255, (labels[i] * 151) & 255], 4 * i);
  const none = new Uint8Array(n);
  const frame = (k: number, selected: number): GlFrame => ({
    sx: scale * k,
    sy: scale * k,
    tx: 10 - x0 * scale * k,
    ty: 10 - y0 * scale * k,
    width: SIZE,
    height: SIZE,
    dpr: 1,
    radius: dotRadius(SIZE, SIZE, n, k),
    selected,
  });
  const timed = (draw: () => void) => {
    const t = performance.now();
    draw();
    return performance.now() - t;
  };
  const raster = new Raster();
  const first = timed(() => raster.draw(pos, rgba, none, frame(1, 0)));
  const afresh = Array.from({ length: AFRESH }, (_, j) => timed(() => raster.draw(pos, rgba, none, frame(1 + 0.01 * (j + 1), 0))));
  const strip = none.map((_, i) => (pos[2 * i] < x0 + 0.3 * (x1 - x0) ? SELECTED : 0));
  const selected = strip.reduce((sum, f) => sum + (f ? 1 : 0), 0);
  const k = 1 + 0.01 * AFRESH;
  const change = Array.from({ length: CHANGES }, () => [
    timed(() => raster.draw(pos, rgba, strip, frame(k, selected))),
    timed(() => raster.draw(pos, rgba, none, frame(k, 0))),
  ]).flat();
  const afreshSelected = Array.from({ length: AFRESH }, (_, j) =>
    timed(() => raster.draw(pos, rgba, strip, frame(1.2 + 0.01 * j, selected))),
  );
  // Most of the map selected (drawn afresh: more than half the points changed), then cleared (likewise): Escape's.
  const most = none.map((_, i) => (pos[2 * i] < x0 + 0.8 * (x1 - x0) ? SELECTED : 0));
  const mostSelected = most.reduce((sum, f) => sum + (f ? 1 : 0), 0);
  const cleared = Array.from({ length: CHANGES }, () => {
    raster.draw(pos, rgba, most, frame(1.2, mostSelected));
    return timed(() => raster.draw(pos, rgba, none, frame(1.2, 0)));
  });
  raster.draw(pos, rgba, strip, frame(1.2, selected));
  let hash = 0;
  for (const byte of raster.pixels) hash = (hash * 31 + byte) >>> 0;
  return {
    first,
    afresh: median(afresh),
    change: median(change),
    afreshSelected: median(afreshSelected),
    cleared: median(cleared),
    selected,
    mostSelected,
    points: n,
    hash,
  };
}

/** `drawsOf` in a fresh process (its code as cold as a page's), through this script's own `--child`. */
function freshDraws(file: string, commit: string): Times {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, "--child", "--against", commit, file], {
    encoding: "utf8",
    cwd: join(__dirname, ".."),
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Times;
}

async function main(): Promise<void> {
  const { values, positionals } = commandLine(
    {
      options: { against: { type: "string", default: "" }, runs: { type: "string" }, child: { type: "boolean", default: false } },
      allowPositionals: true,
    },
    USAGE,
  );
  if (values.child) {
    process.stdout.write(`${JSON.stringify(await drawsOf(positionals[0], values.against))}\n`);
    return;
  }
  const runs = wholeNumber("--runs", values.runs, 5, 1, USAGE);
  if (values.against) {
    try {
      execFileSync("git", ["rev-parse", "--verify", `${values.against}^{commit}`], { stdio: "ignore" });
    } catch {
      usageError(`--against ${values.against}: not a commit of this repository`, USAGE);
    }
  }
  const million = join(MILLION_DIR, "million.results.json");
  const files = positionals.length
    ? positionals.map((f) => resolve(f))
    : [allOfMnistResults(""), ...(existsSync(million) ? [million] : [])];
  const sides = values.against ? ["", values.against] : [""];
  const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
  for (const file of files) {
    const times = new Map<string, Times[]>(sides.map((s) => [s, []]));
    for (let r = 0; r < runs; r++) for (const side of r % 2 ? [...sides].reverse() : sides) times.get(side)!.push(freshDraws(file, side));
    const [today] = times.get("")!;
    process.stdout.write(
      `\n${file}: ${today.points.toLocaleString("en")} points on ${SIZE} x ${SIZE} pixels, a strip of ${today.selected.toLocaleString("en")} ` +
        `selected; medians of ${runs} fresh processes (load average ${loadavg()[0].toFixed(2)})\n`,
    );
    for (const [side, list] of times) {
      const hashes = new Set(list.map((t) => t.hash));
      process.stdout.write(
        `  ${side ? `at ${side}` : "today"}: first draw ${ms(list.map((t) => t.first))}, afresh ${ms(list.map((t) => t.afresh))}, ` +
          `the strip selected or cleared as a change ${ms(list.map((t) => t.change))}, afresh with it selected ` +
          `${ms(list.map((t) => t.afreshSelected))}, a clear of ${today.mostSelected.toLocaleString("en")} ${ms(list.map((t) => t.cleared))}` +
          `${hashes.size === 1 && hashes.has(today.hash) ? "" : " (DIFFERENT PIXELS from today's)"}\n`,
      );
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-raster: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
