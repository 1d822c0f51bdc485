// Measures the results webview in Debian's chromium (headless, no GPU: WebGL on SwiftShader) on
// all 70,000 MNIST digits (examples/all-of-mnist.mtq.json run by the pipeline once, cached under
// .tmp/bench/), and on the million of `npm run million` when its results file is there
// (.cache/million/million.results.json). The first paint: from the file chosen (the host reading
// the header and the .bin's columns the view reads first, as src/host/panel.ts posts them, the page
// parsing the header, the message to every map and the Sankey) to the presentation of the frame
// after the view is drawn, read from a Chrome trace, in fresh pages and again in one page; beside
// the measure of before, two animation frames after; before it, the page's own load (from its
// script's last byte to DOMContentLoaded), which the first paint does not count. The lasso
// update: from the pointer's release to the presentation of the frame that shows it in every
// view, the pointerup's EventTiming event
// in a Chrome trace (unrounded: DevTools' Interactions track), beside its Event Timing duration as
// the page sees it (in steps of 8 ms), the main thread's frame done and two animation frames after;
// median and max over the lassos, and the page's first lasso on its own; what drawing each lasso
// ahead costs while it is drawn (the stagings' times); Escape's clearing of a
// selection likewise, from the key's press (its keydown's EventTiming). Then the frame time of
// wheel zooms and keyboard pans on a map. What tracing costs, by A/B: each lasso done twice traced
// and twice not (from the same selection), loads traced and not in turn. Also what the message
// costs: the header's JSON, the columns' bytes and the structured clone that postMessage makes. An
// all-JSON file of before the .bin (version 2) is converted once beside itself
// (NAME.columns.results.json), and the old path's host side (read, parse, the message's JSON)
// measured on it, side by side. Each with WebGL on, then off (chromium's --disable-webgl: the maps'
// 2-D canvas fallback; maps of more than 20,000 points are rasterised either way,
// webview/raster.ts), one after the other under the same load. Prints figures with the load
// average; not a test.
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
import { median } from "./median";

const root = join(__dirname, "..");
const MILLION = join(MILLION_DIR, "million.results.json");
const RUNS = 5;
/** Fresh pages whose first load is the first paint: a page's first load is its slowest (the view's code not yet compiled hot). */
const FIRST_PAGES = 3;
const FRAMES = 30;
const LASSO_LIMIT_MS = 60_000;
/** The columns' bytes reach the page in parts of this many bytes. */
const PART = 16 * 2 ** 20;
/** A Chrome trace's categories: EventTiming events, each frame's way from the main thread to the screen, the page's marks and measures. */
const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline.frame", "blink.user_timing"];
/** ms waited before a trace stops: the presentation's feedback reaches the page's renderer a little after the frames the page waited for. */
const PRESENTATION_WAIT_MS = 100;
/** ms at least between a lasso's frame and the next lasso (settle). */
const SETTLE_MS = 300;

/** The fields of a Chrome trace event read here. */
interface TraceEvent {
  name: string;
  ph: string;
  /** µs, the trace's clock: the page's performance.now() is (ts - its time origin) / 1000. */
  ts: number;
  pid: number;
  args: {
    data?: { type?: string; interactionId?: number; duration?: number; timeStamp?: number; processingEnd?: number; frameId?: number };
    frameId?: number;
    frameSeqId?: number;
    begin_frame_id?: { sequence_number: number };
  };
}

/**
 * `work` done, in a Chrome trace of the page's browser when `trace` (its events in time order), and
 * PRESENTATION_WAIT_MS after it either way: a lasso or load not traced waits as long as one traced.
 */
async function traced<T>(page: Page, trace: boolean, work: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const browser = page.context().browser()!;
  if (trace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const result = await work();
  await page.waitForTimeout(PRESENTATION_WAIT_MS);
  if (!trace) return { result, events: [] };
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] };
  return { result, events: traceEvents.sort((a, b) => a.ts - b.ts) };
}

/**
 * When (µs, the trace's clock) the first frame that the renderer `pid`'s main thread commits after
 * `after` is presented: the first main frame begun after it whose layer tree is activated (its rasters
 * done; a main frame with nothing to commit is not), the compositor's first draw after that, and that
 * draw's presentation. Chromium's own chain: the pointerup's EventTiming event ends at the same µs
 * (timeLasso checks it on every traced lasso, and says if one differs).
 */
function presentedAfter(events: TraceEvent[], pid: number, after: number): number | undefined {
  const ofPage = events.filter((e) => e.pid === pid && e.ts >= after);
  for (const main of ofPage) {
    if (main.name !== "BeginMainThreadFrame") continue;
    const activated = ofPage.find((e) => e.name === "ActivateLayerTree" && e.args.frameId === main.args.data?.frameId);
    if (!activated) continue;
    const drawn = ofPage.find((e) => e.name === "DrawFrame" && e.ts >= activated.ts);
    const seq = drawn?.args.frameSeqId;
    return ofPage.find((e) => e.name === "AnimationFrame::Presentation" && e.args.begin_frame_id?.sequence_number === seq)?.ts;
  }
  return undefined;
}

/**
 * A load's times, ms from posting `load` (the header and the columns' bytes already in the page, as
 * the host's message brings them): `twoFrames`, to two animation frames after the view is drawn (the
 * measure of before); `presented`, in a traced load, to the presentation of the frame after the view
 * is drawn; `render`, the view's own build+draw.
 */
interface LoadTimes {
  twoFrames: number;
  presented?: number;
  render: number;
}

async function timeLoad(page: Page, trace: boolean): Promise<LoadTimes> {
  const load = () =>
    page.evaluate(async () => {
      const w = window as unknown as { benchPosted: { header: unknown; columns: ArrayBuffer } };
      performance.clearMeasures("mtq-render");
      performance.clearMarks("bench-posted");
      const t0 = performance.mark("bench-posted").startTime;
      window.postMessage({ type: "load", ...w.benchPosted, saved: { selections: [] } }, "*");
      // Plain loops, no named closures: the page gets this function's source, without tsx's helpers.
      while (!performance.getEntriesByName("mtq-render").length) await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { twoFrames: performance.now() - t0, render: performance.getEntriesByName("mtq-render")[0].duration };
    });
  const { result, events } = await traced(page, trace, load);
  if (!trace) return result;
  const posted = events.find((e) => e.name === "bench-posted");
  const drawn = events.find((e) => e.name === "mtq-render" && e.ph === "e");
  const presented = posted && drawn && presentedAfter(events, drawn.pid, drawn.ts);
  if (!posted || !presented) say("a traced load: its frame's presentation is not in the trace");
  return { ...result, ...(presented && { presented: (presented - posted!.ts) / 1000 }) };
}

/**
 * A lasso's times from the pointer's release (the pointerup's own timestamp): `presented`, in a
 * traced lasso, to the presentation of the first frame after its handlers ran (the pointerup's
 * EventTiming event in the trace, unrounded); `painted`, the same as the page's Event Timing reports
 * it (interaction-to-next-paint, in steps of 8 ms; an interaction under 16 ms reports none, counted
 * 16); `frame`, to the end of the main thread's work on that frame (an animation frame requested by
 * the release, then a MessageChannel task: it runs once the frame is committed, before its raster
 * and display); `twoFrames`, the measure of before (two animation frames after the update, the
 * second a frame after the paint); `update`, the selection's update in every view.
 */
interface LassoTimes {
  presented?: number;
  painted: number;
  frame: number;
  twoFrames: number;
  update: number;
  selected: number;
  /** ms of each staging while the lasso was drawn (the large maps draw it ahead, unshown: SelectionModel.stage). */
  staged: number[];
}

async function timeLasso(page: Page, fraction: number, trace: boolean): Promise<LassoTimes> {
  await settle(page);
  const { result, events } = await traced(page, trace, () => lassoOnce(page, fraction));
  if (!trace) return result;
  const up = events.find((e) => e.name === "EventTiming" && e.ph === "b" && e.args.data?.type === "pointerup" && e.args.data.interactionId);
  if (!up) {
    say("a traced lasso: its pointerup's EventTiming is not in the trace");
    return result;
  }
  const { duration, timeStamp, processingEnd } = up.args.data as Required<NonNullable<TraceEvent["args"]["data"]>>;
  // The chain the first paint is read by, checked here against chromium's own figure.
  const presented = presentedAfter(events, up.pid, up.ts + (processingEnd - timeStamp) * 1000);
  if (presented === undefined || Math.abs((presented - up.ts) / 1000 - duration) > 0.1)
    say(
      `a traced lasso: its EventTiming says ${ms1(duration)}, its frame's presentation ${presented === undefined ? "none" : ms1((presented - up.ts) / 1000)}`,
    );
  return { ...result, presented: duration };
}

async function lassoOnce(page: Page, fraction: number): Promise<LassoTimes> {
  const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
  await page.evaluate(() => {
    performance.clearMeasures("mtq-selection");
    performance.clearMeasures("mtq-staged");
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
      staged: performance.getEntriesByName("mtq-staged").map((e) => e.duration),
    };
  }, LASSO_LIMIT_MS);
}

/**
 * SETTLE_MS, then the page's next idle time: what the last lasso left to do after its frame (its
 * garbage, the idle callbacks it queued) done before the next, as it is when a user lassos again,
 * and as long before a lasso traced (whose trace starts after) as before one not.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(SETTLE_MS);
  await page.evaluate(() => new Promise((r) => requestIdleCallback(r, { timeout: 1000 })));
}

/**
 * Escape: the selection cleared in every view, and two frames after, so that the next lasso starts
 * from none; traced, from the key's press to the presentation of the frame that shows it (the
 * keydown's EventTiming, unrounded), and the selection's update in every view.
 */
async function clearSelection(page: Page): Promise<{ presented?: number; update: number }> {
  await settle(page);
  await page.evaluate(() => performance.clearMeasures("mtq-selection"));
  const { events } = await traced(page, true, async () => {
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.querySelector<HTMLElement>(".mtq-map")!.dataset.selected === "0");
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  });
  const down = events.find((e) => e.name === "EventTiming" && e.ph === "b" && e.args.data?.type === "keydown" && e.args.data.interactionId);
  if (!down) say("a traced Escape: its keydown's EventTiming is not in the trace");
  const update = await page.evaluate(() => performance.getEntriesByName("mtq-selection")[0]?.duration ?? NaN);
  return { presented: down?.args.data?.duration, update };
}

/**
 * The lassos: the page's first (traced), then passes of RUNS lassos of growing width (each changing
 * the selection by a strip) from no selection, every other one traced: the first pass's in the
 * fourth, the others in the second and third. Each lasso is done twice traced and twice not, from
 * the same selection, at times of the same mean (a drift over the run, the page's heap growing, cancels out).
 * The Escapes before each pass (each clearing a selection, the first the first lasso's) are traced.
 */
async function timeLassos(
  page: Page,
): Promise<{ first: LassoTimes; traced: LassoTimes[][]; plain: LassoTimes[][]; clears: Awaited<ReturnType<typeof clearSelection>>[] }> {
  const fraction = (i: number) => 0.3 + 0.1 * i;
  const first = await timeLasso(page, fraction(0), true);
  const traced: LassoTimes[][] = Array.from({ length: RUNS }, () => []);
  const plain: LassoTimes[][] = Array.from({ length: RUNS }, () => []);
  const clears = [];
  for (const shift of [0, 1, 1, 0]) {
    clears.push(await clearSelection(page));
    for (let i = 0; i < RUNS; i++) {
      const trace = (i + shift) % 2 === 0;
      (trace ? traced : plain)[i].push(await timeLasso(page, fraction(i), trace));
    }
  }
  return { first, traced, plain, clears };
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

const ms = (x: number) => `${x.toFixed(0)} ms`;
const ms1 = (x: number) => `${x.toFixed(1)} ms`;
/** A traced lasso's release to presented, to 0.1 ms ("?" when the trace missed it, said when it did). */
const presentedText = (lasso: LassoTimes) => (lasso.presented === undefined ? "?" : lasso.presented.toFixed(1));
/** "median / max" of `xs`, in whole ms or (`precise`) to 0.1 ms. */
const spread = (xs: number[], precise = false) => {
  const f = (x: number) => x.toFixed(precise ? 1 : 0);
  return xs.length ? `${f(median(xs))} / ${f(Math.max(...xs))} ms` : "? ms";
};
/** The median of `traced` minus `plain`, pair by pair, signed, to 0.1 ms. */
const cost = (traced: number[], plain: number[]) => {
  const d = median(traced.map((t, i) => t - plain[i]));
  return `${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(1)} ms`;
};
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
      `host read ${ms(read)} ` +
      `(${loaded.format === "json" ? "an all-JSON file, converted in memory" : "the header and the .bin's columns the view reads first"}), ` +
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

/**
 * A fresh page of the harness with the columns' bytes and the parsed header in it, ready to post;
 * what the message costs before the view sees it, and how long the page took to load its script
 * (from the script's last byte to DOMContentLoaded's end: the view's functions compiled as it loads).
 */
async function openPage(
  browser: Browser,
  url: string,
  headerJson: string,
  columns: Uint8Array,
): Promise<{ page: Page; parse: number; clone: number; script: number }> {
  // The columns reach the page as bytes (fetched through a route; the page's CSP, which allows no fetch, is bypassed for the bench only).
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, bypassCSP: true });
  // An error in the view would otherwise show only as a lasso never answered.
  page.on("pageerror", (e) => say(`the page failed: ${e.message}`));
  // In parts of at most PART bytes: a route's body of 78 MB (the million's) closed the page.
  const parts = Math.ceil(columns.byteLength / PART);
  await page.route("**/bench-columns/*", (route) => {
    const part = Number(new URL(route.request().url()).pathname.split("/").at(-1));
    const bytes = columns.subarray(part * PART, (part + 1) * PART);
    return route.fulfill({ body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  });
  await page.goto(url);
  const script = await page.evaluate(() => {
    const [loaded] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
    const bytes = performance.getEntriesByType("resource").find((r) => r.name.includes("webview.js")) as PerformanceResourceTiming;
    return loaded.domContentLoadedEventEnd - bytes.responseEnd;
  });
  // The header's JSON.parse, and the structured clone that postMessage makes.
  const [parse, clone] = await page.evaluate(
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
  return { page, parse, clone, script };
}

async function measureView(
  browser: Browser,
  url: string,
  headerJson: string,
  columns: Uint8Array,
  read: number,
  webgl: boolean,
): Promise<void> {
  // The first paint in fresh pages (each its own context and renderer); the last page goes on.
  const firsts: LoadTimes[] = [];
  const scripts: number[] = [];
  let opened: Awaited<ReturnType<typeof openPage>> | undefined;
  for (let p = 0; p < FIRST_PAGES; p++) {
    await opened?.page.close();
    opened = await openPage(browser, url, headerJson, columns);
    scripts.push(opened.script);
    firsts.push(await timeLoad(opened.page, true));
  }
  const { page, parse, clone } = opened!;
  try {
    const renderer = await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.renderer);
    // Loads again in the same page, in pairs traced and not, the pairs' order alternating (traced first, then last).
    const again: LoadTimes[] = [];
    const againPlain: LoadTimes[] = [];
    for (let i = 0; i < RUNS; i++)
      for (const trace of i % 2 ? [false, true] : [true, false]) (trace ? again : againPlain).push(await timeLoad(page, trace));
    say(
      `maps drawn ${{ webgl: "with WebGL", canvas: "on the 2-D canvas", raster: "as a raster (raster.ts) on the 2-D canvas" }[renderer ?? ""] ?? renderer}, ` +
        `${webgl ? "WebGL on (SwiftShader)" : "WebGL off"}: ` +
        `header parsed in the page ${ms(parse)}, the message's structured clone ${ms(clone)}; before that, the page's load from its ` +
        `script's last byte to DOMContentLoaded ${spread(scripts)} (${FIRST_PAGES} fresh pages, median / max; not in the first paint: ` +
        "the page loads while the host reads the file)",
    );
    const before = read + parse;
    const presented = (loads: LoadTimes[]) => loads.filter((l) => l.presented !== undefined).map((l) => before + l.presented!);
    say(
      `first paint (${FIRST_PAGES} fresh pages, median / max): ${spread(presented(firsts))} from the file chosen to presented ` +
        `(the frame after the view is drawn, in a Chrome trace), ${spread(firsts.map((l) => before + l.twoFrames))} to two animation frames after ` +
        `(the measure before) (host read ${ms(read)}, header parse ${ms(parse)}, view build+draw ${spread(firsts.map((l) => l.render))}) (${load()})`,
    );
    say(
      `first paint again (${RUNS} loads in the page, traced, median / max): ${spread(presented(again))} to presented, ` +
        `${spread(again.map((l) => before + l.twoFrames))} to two animation frames after, build+draw ${spread(again.map((l) => l.render))}; ` +
        `${RUNS} not traced between them: ${spread(againPlain.map((l) => before + l.twoFrames))} to two animation frames after, ` +
        `build+draw ${spread(againPlain.map((l) => l.render))} (${load()})`,
    );
    const lassos = await timeLassos(page);
    const [traced, plain] = [lassos.traced.flat(), lassos.plain.flat()];
    const of = (times: LassoTimes[], key: Exclude<keyof LassoTimes, "staged">, precise = false) =>
      spread(
        times.filter((l) => l[key] !== undefined).map((l) => l[key]!),
        precise,
      );
    say(
      `lasso update (${traced.length} lassos traced and ${plain.length} not, median / max, ` +
        `${plain[0].selected.toLocaleString("en")} to ${plain.at(-1)!.selected.toLocaleString("en")} images selected): ` +
        `${of(traced, "presented", true)} from release to presented (the pointerup's EventTiming in a Chrome trace, unrounded), ` +
        `${of(plain, "painted")} as the page's Event Timing duration (8 ms steps; not traced), ` +
        `${of(plain, "frame")} to the main thread's frame done, ${of(plain, "twoFrames")} to two animation frames after (the measure before) ` +
        `(selection update in every view ${of(plain, "update")}) (${load()})`,
    );
    say(
      `lasso by lasso, traced: ${traced.map((l) => `${presentedText(l)} presented / ${l.painted.toFixed(0)}`).join(", ")} ms ` +
        `by Event Timing; the page's first lasso: ${presentedText(lassos.first)} ms to presented ` +
        `(${ms(lassos.first.painted)} by Event Timing, selection update ${ms(lassos.first.update)})`,
    );
    const stagings = [...traced, ...plain].map((l) => l.staged);
    say(
      `while each lasso was drawn (${stagings.length} lassos, median / max): ${spread(stagings.map((st) => st.length))} stagings ` +
        `(the maps drawing it ahead, unshown), ${spread(stagings.flat(), true)} each, ${spread(stagings.map((st) => st.reduce((a, b) => a + b, 0)))} in all`,
    );
    const { clears } = lassos;
    say(
      `Escape (a selection cleared, ${clears.length} times, traced, median / max): ` +
        `${spread(
          clears.filter((c) => c.presented !== undefined).map((c) => c.presented!),
          true,
        )} from the key's press to presented ` +
        `(its keydown's EventTiming), selection update in every view ${spread(clears.map((c) => c.update))}; ` +
        `the first (the page's first lasso's) ${clears[0].presented?.toFixed(1) ?? "?"} ms (${load()})`,
    );
    const mean = (times: LassoTimes[], key: "painted" | "frame" | "update") => times.reduce((sum, l) => sum + l[key], 0) / times.length;
    const lassoCost = (key: "painted" | "frame" | "update") =>
      cost(
        lassos.traced.map((times) => mean(times, key)),
        lassos.plain.map((times) => mean(times, key)),
      );
    const loadCost = (key: "twoFrames" | "render") =>
      cost(
        again.map((l) => l[key]),
        againPlain.map((l) => l[key]),
      );
    say(
      `what tracing costs (median over the lassos of traced minus not, the same lasso from the same selection; over pairs of loads): ` +
        `lasso Event Timing ${lassoCost("painted")}, main thread's frame done ${lassoCost("frame")}, ` +
        `selection update ${lassoCost("update")}; load to two animation frames after ${loadCost("twoFrames")}, ` +
        `build+draw ${loadCost("render")} (${load()})`,
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
