// Measures the results webview in Debian's chromium (headless, no GPU: WebGL on SwiftShader) on
// all 70,000 MNIST digits (examples/all-of-mnist.mtq.json run by the pipeline once, cached under
// .tmp/bench/), and on the million of `npm run million` when its results file is there
// (.cache/million/million.results.json): the first paint (message in, every map and the Sankey
// drawn, then painted), the lasso update (pointer released to every view painted) and the frame
// time of wheel zooms and keyboard pans on a map. Also what comes before the view: the host
// reading and parsing the file, and the message's JSON both ways (VS Code serialises what the host
// posts to a webview), and the structured clone of the message that the first paint includes.
// Each with WebGL on, then off (chromium's --disable-webgl: the maps' 2-D canvas fallback), one
// after the other under the same load. Prints figures with the load average; not a test.
// `npm run bench:webview -- FILE.results.json ...` measures other results files.
import { existsSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { MILLION_DIR } from "./million";
import type { Browser, Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import { browserMissing, CHROMIUM, launchChromium } from "../test/browser/browser";
import { serveHarness } from "../test/browser/server";
import { allOfMnistResults } from "./allOfMnistResults";

const root = join(__dirname, "..");
const MILLION = join(MILLION_DIR, "million.results.json");
const RUNS = 5;
const FRAMES = 30;

/** ms from posting `load` (results already parsed in the page) to the frame after the view is drawn, and the view's own build+draw time. */
function timeLoad(page: Page): Promise<{ wall: number; render: number }> {
  return page.evaluate(async () => {
    const w = window as unknown as { benchResults: unknown };
    performance.clearMeasures("mtq-render");
    const t0 = performance.now();
    window.postMessage({ type: "load", results: w.benchResults, saved: { selections: [] } }, "*");
    // Plain loops, no named closures: the page gets this function's source, without tsx's helpers.
    while (!performance.getEntriesByName("mtq-render").length) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { wall: performance.now() - t0, render: performance.getEntriesByName("mtq-render")[0].duration };
  });
}

/** ms from releasing a lasso to the frame after every view shows it, and the selection update itself. */
async function timeLasso(page: Page, fraction: number): Promise<{ wall: number; update: number; selected: number }> {
  const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
  await page.evaluate(() => {
    performance.clearMeasures("mtq-selection");
    window.addEventListener("pointerup", () => performance.mark("bench-pointerup"), { capture: true, once: true });
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
  return page.evaluate(async () => {
    while (!performance.getEntriesByName("mtq-selection").length) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const up = performance.getEntriesByName("bench-pointerup").at(-1)!.startTime;
    performance.clearMarks("bench-pointerup");
    const update = performance.getEntriesByName("mtq-selection")[0].duration;
    return { wall: performance.now() - up, update, selected: Number(document.querySelector<HTMLElement>(".mtq-map")!.dataset.selected) };
  });
}

/** Mean ms per frame over wheel zooms (in, then out) and arrow-key pans on the first map, one per frame, with a selection shown. */
function timeFrames(page: Page, frames: number): Promise<number> {
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
    await new Promise((r) => requestAnimationFrame(r));
    return (performance.now() - t0) / (n + 1);
  }, frames);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const load = () => `load average ${loadavg()[0].toFixed(2)}`;
const say = (text: string) => process.stdout.write(`${text}\n`);

async function measure(url: string, file: string): Promise<void> {
  say(`\n${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} MB)`);
  const t0 = performance.now();
  const { results } = await readResultsFile(file);
  const read = performance.now() - t0;
  let json: string;
  try {
    json = JSON.stringify(results);
  } catch (e) {
    say(
      `host read+parse ${ms(read)}; the panel's message cannot be serialised ` +
        `(${e instanceof Error ? e.message : String(e)}): the JSON format is the limit here`,
    );
    return;
  }
  const message = performance.now() - t0 - read;
  say(
    `${results.images.count.toLocaleString("en")} images, ${results.layers.length} maps, ${results.flows.links.length} Sankey links: ` +
      `host read+parse ${ms(read)}, message serialised ${ms(message)} (${load()})`,
  );
  for (const webgl of [true, false]) {
    const browser = await launchChromium({ webgl });
    try {
      await measureView(browser, url, json);
    } finally {
      await browser.close();
    }
  }
}

async function measureView(browser: Browser, url: string, json: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  try {
    await page.goto(url);
    // What the message costs before the view sees it: the page's JSON.parse, and the structured clone that postMessage makes.
    const [pageParse, clone] = await page.evaluate((text) => {
      const t = performance.now();
      const results = JSON.parse(text) as unknown;
      (window as unknown as { benchResults: unknown }).benchResults = results;
      const t1 = performance.now();
      structuredClone(results);
      return [t1 - t, performance.now() - t1];
    }, json);
    const first = await timeLoad(page);
    const renderer = await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.renderer);
    const again: { wall: number; render: number }[] = [];
    for (let i = 0; i < RUNS; i++) again.push(await timeLoad(page));
    say(
      `maps drawn with ${renderer === "webgl" ? "WebGL" : "the 2-D canvas (WebGL off)"}: ` +
        `results parsed in the page ${ms(pageParse)}, the message's structured clone ${ms(clone)}`,
    );
    say(`first paint: ${ms(first.wall)} from the message to painted (view build+draw ${ms(first.render)}) (${load()})`);
    say(
      `first paint again (median of ${RUNS}): ${ms(median(again.map((r) => r.wall)))} (build+draw ${ms(median(again.map((r) => r.render)))}) (${load()})`,
    );
    const lassos: { wall: number; update: number; selected: number }[] = [];
    for (let i = 0; i < RUNS; i++) lassos.push(await timeLasso(page, 0.3 + 0.1 * i));
    say(
      `lasso update (median of ${RUNS}, ${lassos[0].selected.toLocaleString("en")} to ${lassos.at(-1)!.selected.toLocaleString("en")} images selected): ` +
        `${ms(median(lassos.map((l) => l.wall)))} from release to painted ` +
        `(selection update in every view ${ms(median(lassos.map((l) => l.update)))}) (${load()})`,
    );
    say(`pan/zoom frame time (mean of ${FRAMES} frames, a selection shown): ${ms(await timeFrames(page, FRAMES))} (${load()})`);
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
      if (existsSync(file)) await measure(server.url, file);
      else say(`\n${file}: not there (make the million with npm run million, then its results with npm run bench)`);
    }
  } finally {
    await server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-webview: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
