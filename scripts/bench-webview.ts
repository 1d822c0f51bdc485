// Measures the results webview in Debian's chromium on 10,000 real MNIST images (1,000 of each
// digit, from the pipeline; made once and cached under .tmp/bench/): the first render (message in,
// every map and the Sankey drawn, then painted) and one lasso update. Prints figures; not a test.
// `npm run bench:webview -- 5421` measures 5,421 of each digit (54,210 images) instead, and
// `npm run bench:webview -- all` all 70,000 digits of MNIST (both splits). It also times what comes
// before the view: the host reading and parsing the file, and the message's JSON both ways
// (VS Code serialises what the host posts to a webview).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import { browserMissing, launchChromium } from "../test/browser/browser";
import { serveHarness } from "../test/browser/server";

const root = join(__dirname, "..");
const cache = join(root, ".tmp", "bench");
const RUNS = 5;
const perDigit = process.argv[2] === "all" ? "all" : Number(process.argv[2] ?? 1000);

/** The results file, made once. */
function benchResults(): string {
  const name = `all-digits-${perDigit}`;
  const out = join(cache, `${name}.results.json`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  const experiment = join(cache, `${name}.mtq.json`);
  writeFileSync(
    experiment,
    JSON.stringify({
      name,
      seed: 24,
      data: {
        source: "mnist",
        digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        perDigit,
        ...(perDigit === "all" ? { from: "train+test" } : { holdout: { from: "test-split", perDigit: 100 } }),
      },
      training: { epochs: 3 },
    }),
  );
  process.stdout.write(
    `making the ${perDigit === "all" ? "70,000" : (perDigit * 10).toLocaleString("en")}-image results with the pipeline (once)...\n`,
  );
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "run", experiment, "--out", out], { stdio: "inherit" });
  return out;
}

/** ms the host takes to read and parse the file, and to serialise it as the panel's message. */
async function timeHost(file: string): Promise<{ read: number; message: number; json: string }> {
  const t0 = performance.now();
  const { results } = await readResultsFile(file);
  const t1 = performance.now();
  const json = JSON.stringify(results);
  return { read: t1 - t0, message: performance.now() - t1, json };
}

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
    // Plain loops, no named closures: the page gets this function's source, without tsx's helpers.
    while (!performance.getEntriesByName("mtq-selection").length) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const up = performance.getEntriesByName("bench-pointerup").at(-1)!.startTime;
    performance.clearMarks("bench-pointerup");
    const update = performance.getEntriesByName("mtq-selection")[0].duration;
    return { wall: performance.now() - up, update, selected: Number(document.querySelector<HTMLElement>(".mtq-map")!.dataset.selected) };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const file = benchResults();
  const host = await timeHost(file);
  const { json } = host;
  const server = await serveHarness(root);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.url);
    const pageParse = await page.evaluate((text) => {
      const t0 = performance.now();
      (window as unknown as { benchResults: unknown }).benchResults = JSON.parse(text);
      return performance.now() - t0;
    }, json);
    const points = await page.evaluate(
      () =>
        (window as unknown as { benchResults: { images: { count: number }; layers: unknown[]; flows: { links: unknown[] } } }).benchResults,
    );
    process.stdout.write(
      `${points.images.count} images, ${points.layers.length} maps, ${points.flows.links.length} Sankey links ` +
        `(chromium ${browser.version()}, headless, no GPU)\n`,
    );
    process.stdout.write(
      `results file ${(statSync(file).size / 2 ** 20).toFixed(0)} MB: host read+parse ${ms(host.read)}, ` +
        `message serialised ${ms(host.message)}, parsed in the page ${ms(pageParse)}\n`,
    );
    const first = await timeLoad(page);
    const again: { wall: number; render: number }[] = [];
    for (let i = 0; i < RUNS; i++) again.push(await timeLoad(page));
    process.stdout.write(`first render: ${ms(first.wall)} to painted (view build+draw ${ms(first.render)})\n`);
    process.stdout.write(
      `re-render (median of ${RUNS}): ${ms(median(again.map((r) => r.wall)))} to painted (build+draw ${ms(median(again.map((r) => r.render)))})\n`,
    );
    const lassos: { wall: number; update: number; selected: number }[] = [];
    for (let i = 0; i < RUNS; i++) lassos.push(await timeLasso(page, 0.3 + 0.1 * i));
    const one = lassos[0];
    process.stdout.write(
      `one lasso update: ${ms(one.wall)} to painted (selection update ${ms(one.update)}, ${one.selected} images selected)\n`,
    );
    process.stdout.write(
      `lasso update (median of ${RUNS}): ${ms(median(lassos.map((l) => l.wall)))} to painted (selection update ${ms(median(lassos.map((l) => l.update)))})\n`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-webview: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
