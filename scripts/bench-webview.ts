// Measures the results webview in Debian's chromium (headless, no GPU: WebGL on SwiftShader) on
// all 70,000 MNIST digits (examples/all-of-mnist.mtq.json run by the pipeline once, cached under
// .tmp/bench/), and on the million of `npm run million` when its results file is there
// (.cache/million/million.results.json): the first paint (the file chosen: the host reading the
// header and the .bin's columns, the page parsing the header, the message to every map and the
// Sankey drawn and painted), the lasso update (from the pointer's release to the frame that shows
// it in every view presented, as the pointerup's Event Timing duration says, beside the measure of
// before: two animation frames after the update) and the frame time of wheel zooms and keyboard pans on a map. Also what the message costs: the header's
// JSON, the columns' bytes and the structured clone that postMessage makes. An all-JSON file of
// before the .bin (version 2) is converted once beside itself (NAME.columns.results.json), and the
// old path's host side (read, parse, the message's JSON) measured on it, side by side. Each with
// WebGL on, then off (chromium's --disable-webgl: the maps' 2-D canvas fallback; maps of more than
// 20,000 points are rasterised either way, webview/raster.ts), one after the other under the same
// load. Prints figures with the load average; not a test.
// `npm run bench:webview -- FILE.results.json ...` measures other results files.
import { existsSync, statSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { MILLION_DIR } from "./million";
import type { Browser, Page } from "playwright-core";
import { readResults, readResultsFile } from "../src/results/read";
import { binFileOf, writeResults } from "../src/results/write";
import { JSON_RESULTS_SCHEMA_VERSION, type Results } from "../src/shared/results";
import { browserMissing, CHROMIUM, launchChromium } from "../test/browser/browser";
import { serveHarness } from "../test/browser/server";
import { allOfMnistResults } from "./allOfMnistResults";

const root = join(__dirname, "..");
const MILLION = join(MILLION_DIR, "million.results.json");
const RUNS = 5;
const FRAMES = 30;
const LASSO_LIMIT_MS = 60_000;
/** The columns' bytes reach the page in parts of this many bytes. */
const PART = 16 * 2 ** 20;

/**
 * ms from posting `load` (the header and the columns' bytes already in the page, as the host's
 * message brings them) to the frame after the view is drawn, and the view's own build+draw time.
 */
function timeLoad(page: Page): Promise<{ wall: number; render: number }> {
  return page.evaluate(async () => {
    const w = window as unknown as { benchPosted: { header: unknown; columns: ArrayBuffer } };
    performance.clearMeasures("mtq-render");
    const t0 = performance.now();
    window.postMessage({ type: "load", ...w.benchPosted, saved: { selections: [] } }, "*");
    // Plain loops, no named closures: the page gets this function's source, without tsx's helpers.
    while (!performance.getEntriesByName("mtq-render").length) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { wall: performance.now() - t0, render: performance.getEntriesByName("mtq-render")[0].duration };
  });
}

/**
 * A lasso's times from the pointer's release (the pointerup's own timestamp): `painted`, the
 * pointerup's Event Timing duration (Chrome's interaction-to-next-paint: to the presentation of the
 * first frame after its handlers ran, in steps of 8 ms; an interaction under 16 ms reports none,
 * counted 16); `frame`, to the end of the main thread's work on that frame (an animation frame
 * requested by the release, then a MessageChannel task: it runs once the frame is committed, before
 * its raster and display); `twoFrames`, the measure of before (two animation frames after the
 * update, the second a frame after the paint); `update`, the selection's update in every view.
 */
interface LassoTimes {
  painted: number;
  frame: number;
  twoFrames: number;
  update: number;
  selected: number;
}

async function timeLasso(page: Page, fraction: number): Promise<LassoTimes> {
  const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
  await page.evaluate(() => {
    performance.clearMeasures("mtq-selection");
    performance.clearMarks("bench-pointerup");
    performance.clearMarks("bench-frame");
    const w = window as unknown as { benchEvents: PerformanceEntry[] };
    w.benchEvents = [];
    new PerformanceObserver((list, observer) => {
      for (const e of list.getEntries()) if (e.name === "pointerup") w.benchEvents.push(e);
      if (w.benchEvents.length) observer.disconnect();
    }).observe({ type: "event", durationThreshold: 16 } as PerformanceObserverInit);
    window.addEventListener("pointerup", (e) => performance.mark("bench-pointerup", { startTime: e.timeStamp }), {
      capture: true,
      once: true,
    });
    // After the view's own handler (this one bubbles to the window): the frame it asks for, then the task after that frame.
    window.addEventListener(
      "pointerup",
      () =>
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => performance.mark("bench-frame");
          channel.port2.postMessage(null);
        }),
      { once: true },
    );
  });
  const [x0, y0, x1, y1] = [box.x + 2, box.y + 2, box.x + box.width * fraction, box.y + box.height - 2];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (const [x, y] of [
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ])
    await page.mouse.move(x, y, { steps: 3 });
  await page.mouse.up();
  return page.evaluate(async (limit) => {
    const t0 = performance.now();
    while (!performance.getEntriesByName("mtq-selection").length || !performance.getEntriesByName("bench-frame").length) {
      // A lasso the view never answers is said so, rather than waited for for ever.
      if (performance.now() - t0 > limit) throw new Error(`no selection ${limit / 1000} s after the lasso's release`);
      await new Promise((r) => setTimeout(r, 0));
    }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const up = performance.getEntriesByName("bench-pointerup")[0].startTime;
    const twoFrames = performance.now() - up;
    // Event Timing's entries come after the frame's presentation.
    const w = window as unknown as { benchEvents: PerformanceEntry[] };
    for (let wait = 0; !w.benchEvents.length && wait < 20; wait++) await new Promise((r) => setTimeout(r, 10));
    return {
      painted: w.benchEvents.length ? w.benchEvents[0].duration : 16,
      frame: performance.getEntriesByName("bench-frame")[0].startTime - up,
      twoFrames,
      update: performance.getEntriesByName("mtq-selection")[0].duration,
      selected: Number(document.querySelector<HTMLElement>(".mtq-map")!.dataset.selected),
    };
  }, LASSO_LIMIT_MS);
}

/**
 * Mean ms per frame over wheel zooms (in, then out) and arrow-key pans on the first map, one per
 * frame, with a selection shown; and ms from the last of them to the frame after the map is drawn
 * afresh (a raster slower than a frame moves its last image during a gesture, maps.ts's drawMoved,
 * and draws the points once it settles: at once otherwise).
 */
function timeFrames(page: Page, frames: number): Promise<{ frame: number; settled: number }> {
  return page.evaluate(async (n) => {
    const overlay = document.querySelector<SVGSVGElement>(".mtq-map-overlay")!;
    const box = overlay.getBoundingClientRect();
    const [cx, cy] = [box.left + box.width / 2, box.top + box.height / 2];
    await new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    for (let f = 0; f < n; f++) {
      if (f % 3 === 2) overlay.dispatchEvent(new KeyboardEvent("keydown", { key: f % 2 ? "ArrowLeft" : "ArrowRight", bubbles: true }));
      else
        overlay.dispatchEvent(
          new WheelEvent("wheel", { deltaY: f < n / 2 ? -120 : 120, clientX: cx, clientY: cy, bubbles: true, cancelable: true }),
        );
      await new Promise((r) => requestAnimationFrame(r));
    }
    const last = performance.now();
    await new Promise((r) => requestAnimationFrame(r));
    const frame = (performance.now() - t0) / (n + 1);
    while (document.querySelector(".mtq-map[data-moving]")) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => requestAnimationFrame(r));
    return { frame, settled: performance.now() - last };
  }, frames);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const load = () => `load average ${loadavg()[0].toFixed(2)}`;
const say = (text: string) => process.stdout.write(`${text}\n`);

/** The old all-JSON path's host side on `file` (version 2): read and JSON.parse, the pixels decoded, and the message as VS Code serialises it (JSON). */
async function oldHostPath(file: string): Promise<string> {
  const t0 = performance.now();
  const results = JSON.parse(await readFile(file, "utf8")) as Results;
  Buffer.from(results.images.pixelsBase64 ?? "", "base64");
  const read = performance.now() - t0;
  let message: string;
  try {
    const t1 = performance.now();
    const json = JSON.stringify(results);
    message = `message serialised to ${(json.length / 2 ** 20).toFixed(0)} MB of JSON in ${ms(performance.now() - t1)}`;
  } catch (e) {
    message = `the message cannot be serialised (${e instanceof Error ? e.message : String(e)})`;
  }
  return `old path (the all-JSON file, as read before the .bin): host read+parse ${ms(read)}, ${message}`;
}

/**
 * `file` as a header and its .bin: itself, or for an all-JSON file of before the .bin (version 2), its
 * conversion beside it (NAME.columns.results.json, made once), with the old file for the old path's figures.
 */
async function bothFormats(file: string): Promise<{ columns: string; old?: string }> {
  const handle = await open(file, "r");
  const start = Buffer.alloc(64);
  await handle.read(start, 0, 64, 0);
  await handle.close();
  if (!start.toString("latin1").startsWith(`{"schemaVersion":${JSON_RESULTS_SCHEMA_VERSION},`)) return { columns: file };
  const columns = file.replace(/\.results\.json$/, ".columns.results.json");
  if (!existsSync(columns)) {
    const loaded = await readResultsFile(file);
    const { results } = loaded;
    const pixels = await loaded.pixelsOf([...Array(results.images.count).keys()]);
    await writeResults({ ...results, images: { ...results.images, pixels } }, columns);
  }
  return { columns, old: file };
}

async function measure(url: string, file: string, old: string | undefined): Promise<void> {
  const bin = binFileOf(file);
  const bytes = statSync(file).size + (existsSync(bin) ? statSync(bin).size : 0);
  say(`\n${file}${existsSync(bin) ? " and its .bin" : ""} (${(bytes / 2 ** 20).toFixed(0)} MB)`);
  if (old) say(`${await oldHostPath(old)} (${load()})`);
  const t0 = performance.now();
  // As the host reads it for a view (src/host/panel.ts): posted once the columns it draws are read, the neighbours' read after.
  const reading = readResults(file);
  const { header, columns } = (await reading.viewed).posted;
  const read = performance.now() - t0;
  const loaded = await reading.loaded;
  const t1 = performance.now();
  const headerJson = JSON.stringify(header);
  const serialise = performance.now() - t1;
  const { results } = loaded;
  say(
    `${results.images.count.toLocaleString("en")} images, ${results.layers.length} maps, ${results.flows.links.length} Sankey links: ` +
      `host read ${ms(read)} (${loaded.format === "json" ? "an all-JSON file, converted in memory" : "the header and the .bin's columns"}), ` +
      `message: the header's ${(headerJson.length / 1024).toFixed(0)} kB of JSON (serialised in ${ms(serialise)}) and ` +
      `${(columns.byteLength / 2 ** 20).toFixed(1)} MB of columns as bytes (${load()})`,
  );
  for (const webgl of [true, false]) {
    const browser = await launchChromium({ webgl });
    try {
      await measureView(browser, url, headerJson, new Uint8Array(columns), read, webgl);
    } finally {
      await browser.close();
    }
  }
}

async function measureView(
  browser: Browser,
  url: string,
  headerJson: string,
  columns: Uint8Array,
  read: number,
  webgl: boolean,
): Promise<void> {
  // The columns reach the page as bytes (fetched through a route; the page's CSP, which allows no fetch, is bypassed for the bench only).
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
  // An error in the view would otherwise show only as a lasso never answered.
  page.on("pageerror", (e) => say(`the page failed: ${e.message}`));
  try {
    // In parts of at most PART bytes: a route's body of 78 MB (the million's) closed the page.
    const parts = Math.ceil(columns.byteLength / PART);
    await page.route("**/bench-columns/*", (route) => {
      const part = Number(new URL(route.request().url()).pathname.split("/").at(-1));
      const bytes = columns.subarray(part * PART, (part + 1) * PART);
      return route.fulfill({ body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    });
    await page.goto(url);
    // What the message costs before the view sees it: the header's JSON.parse, and the structured clone that postMessage makes.
    const [pageParse, clone] = await page.evaluate(
      async ([text, count, size, part]) => {
        const buffer = new ArrayBuffer(size);
        for (let p = 0; p < count; p++) {
          const bytes = await (await fetch(`/bench-columns/${p}`)).arrayBuffer();
          new Uint8Array(buffer).set(new Uint8Array(bytes), p * part);
        }
        const t = performance.now();
        const posted = { header: JSON.parse(text) as unknown, columns: buffer };
        (window as unknown as { benchPosted: unknown }).benchPosted = posted;
        const t1 = performance.now();
        structuredClone(posted);
        return [t1 - t, performance.now() - t1];
      },
      [headerJson, parts, columns.byteLength, PART] as const,
    );
    const first = await timeLoad(page);
    const renderer = await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.renderer);
    const again: { wall: number; render: number }[] = [];
    for (let i = 0; i < RUNS; i++) again.push(await timeLoad(page));
    say(
      `maps drawn ${{ webgl: "with WebGL", canvas: "on the 2-D canvas", raster: "as a raster (raster.ts) on the 2-D canvas" }[renderer ?? ""] ?? renderer}, ` +
        `${webgl ? "WebGL on (SwiftShader)" : "WebGL off"}: ` +
        `header parsed in the page ${ms(pageParse)}, the message's structured clone ${ms(clone)}`,
    );
    say(
      `first paint: ${ms(read + pageParse + first.wall)} from the file chosen to painted ` +
        `(host read ${ms(read)}, header parse ${ms(pageParse)}, message to painted ${ms(first.wall)}, view build+draw ${ms(first.render)}) (${load()})`,
    );
    const median2 = median(again.map((r) => r.wall));
    say(
      `first paint again (median of ${RUNS}): ${ms(read + pageParse + median2)} (message to painted ${ms(median2)}, ` +
        `build+draw ${ms(median(again.map((r) => r.render)))}) (${load()})`,
    );
    const lassos: LassoTimes[] = [];
    for (let i = 0; i < RUNS; i++) lassos.push(await timeLasso(page, 0.3 + 0.1 * i));
    const of = (key: keyof LassoTimes) => ms(median(lassos.map((l) => l[key])));
    say(
      `lasso update (median of ${RUNS}, ${lassos[0].selected.toLocaleString("en")} to ${lassos.at(-1)!.selected.toLocaleString("en")} images selected): ` +
        `${of("painted")} from release to painted (the pointerup's Event Timing duration), ` +
        `${of("frame")} to the main thread's frame done, ${of("twoFrames")} to two animation frames after (the measure before) ` +
        `(selection update in every view ${of("update")}) (${load()})`,
    );
    const { frame, settled } = await timeFrames(page, FRAMES);
    say(
      `pan/zoom frame time (mean of ${FRAMES} frames, a selection shown): ${ms(frame)}; ` +
        `the map drawn afresh ${ms(settled)} after the last input (${load()})`,
    );
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : [allOfMnistResults(), MILLION];
  const server = await serveHarness(root);
  try {
    say(`${CHROMIUM}, headless, no GPU`);
    for (const file of files) {
      if (!existsSync(file)) {
        say(`\n${file}: not there (make the million with npm run million, then its results with npm run bench)`);
        continue;
      }
      const { columns, old } = await bothFormats(file);
      await measure(server.url, columns, old);
    }
  } finally {
    await server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-webview: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
