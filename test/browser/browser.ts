// Debian's chromium driven by playwright-core, for the webview test and benchmark.
import { existsSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { postedFrom, readResultsFile } from "../../src/results/read";
import { binFileOf, encodeResults } from "../../src/results/write";
import { PIXELS_COLUMN, pixelBytes } from "../../src/shared/columns";
import { selectionOf } from "../../src/host/postedSelection";
import type { HostToWebview, PostedSelection, SavedSelections, Selection, WebviewToHost } from "../../src/shared/protocol";
import type { Results } from "../../src/shared/results";
import { allPixels } from "../helpers";
import { serveHarness } from "./server";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why the browser tests cannot run here, or undefined when they can; with MTQ_REQUIRE_BROWSER=1 a missing browser is an error. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `${CHROMIUM} not found: install it with \`apt-get update && apt-get install -y chromium\``;
  if (process.env.MTQ_REQUIRE_BROWSER === "1") throw new Error(`${why} (MTQ_REQUIRE_BROWSER=1)`);
  return why;
}

/**
 * Chromium headless: without a GPU its WebGL runs on SwiftShader (on the CPU). `webgl: false`
 * turns WebGL off, as in a browser or remote session without it: the maps' 2-D canvas fallback.
 */
export function launchChromium({ webgl = true } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: webgl ? ARGS : [...ARGS, "--disable-webgl"] });
}

/** The harness served and opened in a new chromium page; `close` ends both. */
export interface HarnessPage {
  page: Page;
  /** Opens the page afresh in the dark theme, loads results (a results file's path, or the pipeline's results) and waits for the Sankey's nodes. */
  show(results: ResultsSource, resultsFile?: string): Promise<void>;
  close(): Promise<void>;
}

export async function openHarnessPage(root: string, viewport = { width: 1400, height: 1000 }, { webgl = true } = {}): Promise<HarnessPage> {
  const server = await serveHarness(root);
  let browser: Browser;
  try {
    browser = await launchChromium({ webgl });
  } catch (e) {
    await server.close();
    throw e;
  }
  const page = await browser.newPage({ viewport });
  return {
    page,
    show: async (results, resultsFile) => {
      await page.goto(`${server.url}?theme=dark`);
      await sendLoad(page, results, resultsFile);
      await page.waitForSelector(".mtq-sankey .mtq-node");
    },
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Sends a host message to the webview, as the extension host's postMessage would. */
export async function send(page: Page, message: HostToWebview): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, "*"), message);
}

/** Results to show: a results file's path (read as the host reads it), or the pipeline's results (as the writer would write them). */
export type ResultsSource = string | Results;

/**
 * Results as the host posts them: the header's JSON and the columns' bytes; with the pixels, base64,
 * for the harness to answer `pixels` from, and every column the host reads (`host`: its header's
 * JSON and the `.bin`'s bytes up to the pixels), for it to answer `neighbours` from.
 */
export interface PostedResults {
  header: string;
  columns: string;
  pixels: string;
  pixelSize: number;
  host: { header: string; columns: string };
}

export async function postedResults(source: ResultsSource): Promise<PostedResults> {
  let header: Results;
  let bin: Uint8Array;
  let pixels: Uint8Array;
  if (typeof source === "string") {
    const loaded = await readResultsFile(source);
    pixels = await allPixels(loaded);
    // An all-JSON file's columns as the host makes them in memory.
    if (loaded.format === "json")
      ({ header, bin } = encodeResults({ ...loaded.results, images: { ...loaded.results.images, pixels } }, "test.results.bin"));
    else [header, bin] = [JSON.parse(readFileSync(source, "utf8")) as Results, readFileSync(binFileOf(source))];
  } else {
    const encoded = encodeResults(source, "test.results.bin");
    [header, bin] = [encoded.header, encoded.bin];
    pixels = bin.subarray(header.columns!.columns.find((c) => c.name === PIXELS_COLUMN)!.offset);
  }
  const at = header.columns!.columns.find((c) => c.name === PIXELS_COLUMN)!.offset;
  const columns = bin.slice(0, at);
  const posted = postedFrom(structuredClone(header), columns.buffer);
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return {
    header: JSON.stringify(posted.header),
    columns: base64(new Uint8Array(posted.columns)),
    pixels: base64(pixels),
    pixelSize: pixelBytes(header.images),
    host: { header: JSON.stringify(header), columns: base64(columns) },
  };
}

/**
 * Puts `posted` in the page as `window.mtqPosted` ({ header, columns }, as the host's message holds
 * them), its pixels where the harness answers `pixels` requests from and every column where it answers `neighbours` from.
 */
export async function putResults(page: Page, posted: PostedResults): Promise<void> {
  // No named closures in the page's function: it gets this source without tsx's helpers.
  await page.evaluate((p) => {
    const [pixels, columns, host] = [p.pixels, p.columns, p.host.columns].map((text) =>
      Uint8Array.from(atob(text), (c) => c.charCodeAt(0)),
    );
    const w = window as unknown as { mtqHarness: Record<string, unknown>; mtqPosted: unknown };
    w.mtqHarness.pixels = pixels;
    w.mtqHarness.pixelSize = p.pixelSize;
    w.mtqHarness.host = { header: JSON.parse(p.host.header) as unknown, columns: host.buffer };
    w.mtqPosted = { header: JSON.parse(p.header) as unknown, columns: columns.buffer };
  }, posted);
}

/** Sends `load` with results (their header and columns, as the host posts them) and their named selections. */
export async function sendLoad(
  page: Page,
  results: ResultsSource,
  resultsFile = "test.results.json",
  saved: SavedSelections = { selections: [] },
): Promise<void> {
  await putResults(page, await postedResults(results));
  await page.evaluate(
    ([file, named]) => {
      const { header, columns } = (window as unknown as { mtqPosted: { header: unknown; columns: ArrayBuffer } }).mtqPosted;
      window.postMessage({ type: "load", header, columns, resultsFile: file, saved: named }, "*");
    },
    [resultsFile, saved] as const,
  );
}

/** Sends `compare` of `comparison` with A's results (header and columns, as the host posts them). */
export async function sendCompare(
  page: Page,
  message: Omit<Extract<HostToWebview, { type: "compare" }>, "a" | "type">,
  a: ResultsSource,
): Promise<void> {
  await putResults(page, await postedResults(a));
  await page.evaluate((m) => {
    const { mtqPosted } = window as unknown as { mtqPosted: unknown };
    window.postMessage({ type: "compare", ...m, a: mtqPosted }, "*");
  }, message);
}

/** What the view saved with setState (the harness keeps it in sessionStorage, or in memory past its 5 MB). */
export function savedStateOf(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      (window as unknown as { mtqHarness: { bigState?: unknown } }).mtqHarness.bigState ??
      (JSON.parse(sessionStorage.getItem("mtq-state") ?? "null") as unknown),
  );
}

/** A reload after which the host cannot show the panel's files: sends `message` in their place; resolves with the text shown. */
export async function reloadUnavailable(page: Page, message: string): Promise<string> {
  await page.reload();
  await send(page, { type: "unavailable", message });
  await page.waitForSelector(".mtq-unavailable");
  return (await page.locator("#mtq-root").textContent()) ?? "";
}

export async function posted(page: Page): Promise<WebviewToHost[]> {
  return page.evaluate(() => (window as unknown as { mtqHarness: { posted: WebviewToHost[] } }).mtqHarness.posted);
}

/** The last message of `type` the view posted. */
export async function lastPosted<T extends WebviewToHost["type"]>(
  page: Page,
  type: T,
): Promise<Extract<WebviewToHost, { type: T }> | undefined> {
  return (await posted(page)).filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type).at(-1);
}

/** The selection the view last posted to the host, as the host reads it (listed, or a bitset's base64); undefined when it posted none. */
export async function lastSelection(page: Page): Promise<Selection | null | undefined> {
  const sent = await lastPosted(page, "selectionChanged");
  if (!sent) return undefined;
  if (sent.selection === null) return null;
  return hostReads(page, sent.selection);
}

/**
 * A selection the view posted (selectionChanged, saveSelection, exportTable, showInResults), as the
 * host reads it (src/host/postedSelection.ts's selectionOf) against the results the page shows (or
 * `count` images). Throws on one the host refuses: it would read as none, and a test must not pass on it.
 */
export async function hostReads(page: Page, posted: PostedSelection, count?: number): Promise<Selection> {
  const selection = selectionOf(posted, count ?? Number(await page.locator("#mtq-root").getAttribute("data-images")));
  if (selection === null) throw new Error(`the view posted a selection the host refuses: ${JSON.stringify(posted).slice(0, 200)}`);
  return selection;
}

/**
 * Lassos the share [fx0, fy0, fx1, fy1] of a map's plot (`box`, else map `layer`'s), a rectangle drawn
 * with the mouse as the user draws one; with `shift`, added to the selection.
 */
export async function lassoShare(
  page: Page,
  [fx0, fy0, fx1, fy1]: number[],
  {
    layer = 0,
    box,
    shift = false,
  }: { layer?: number; box?: { x: number; y: number; width: number; height: number }; shift?: boolean } = {},
): Promise<void> {
  box ??= (await page.locator(".mtq-map-overlay").nth(layer).boundingBox())!;
  const corners = [
    [fx0, fy0],
    [fx1, fy0],
    [fx1, fy1],
    [fx0, fy1],
    [fx0, fy0],
  ].map(([fx, fy]) => [box.x + 1 + fx * (box.width - 2), box.y + 1 + fy * (box.height - 2)] as const);
  if (shift) await page.keyboard.down("Shift");
  await dragThrough(page, corners, 4);
  await page.mouse.up();
  if (shift) await page.keyboard.up("Shift");
}

/** Presses at `corners[0]` (page pixels) and drags through the others, `steps` pointer moves to each, as a lasso is drawn; not let go. */
export async function dragThrough(page: Page, corners: readonly (readonly [number, number])[], steps: number): Promise<void> {
  await page.mouse.move(...corners[0]);
  await page.mouse.down();
  for (const c of corners.slice(1)) await page.mouse.move(...c, { steps });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { mtqHarness: { violations: string[] } }).mtqHarness.violations);
}

/** The map's margin around the points' bounds (webview/maps.ts's PAD). */
const MAP_PAD = 12;

/**
 * How layer `layer`'s map draws positions `pos` ([x0, y0, ...]) unzoomed: the scale maps.ts fits
 * their float32 bounds with (map units to CSS pixels), and where image `i` lands in page coordinates.
 */
export async function mapFit(
  page: Page,
  layer: number,
  pos: ArrayLike<number>,
): Promise<{ scale: number; placeOf(i: number): [number, number] }> {
  const box = (await page.locator(".mtq-map-overlay").nth(layer).boundingBox())!;
  const [width, height] = await page
    .locator(".mtq-map-plot")
    .nth(layer)
    .evaluate((p) => [p.clientWidth, p.clientHeight]);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let j = 0; j < pos.length; j += 2) {
    const [x, y] = [Math.fround(pos[j]), Math.fround(pos[j + 1])];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  const scale = Math.min((width - 2 * MAP_PAD) / (x1 - x0 || 1), (height - 2 * MAP_PAD) / (y1 - y0 || 1));
  const offset = [(width - (x1 - x0) * scale) / 2 - x0 * scale, (height - (y1 - y0) * scale) / 2 - y0 * scale];
  return {
    scale,
    placeOf: (i) => [box.x + Math.fround(pos[2 * i]) * scale + offset[0], box.y + Math.fround(pos[2 * i + 1]) * scale + offset[1]],
  };
}
