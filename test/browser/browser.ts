// Debian's chromium driven by playwright-core, for the webview test and benchmark.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { HostToWebview, SavedSelections, WebviewToHost } from "../../src/shared/protocol";
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
  /** Opens the page afresh in the dark theme, loads a results file's JSON text and waits for the Sankey's nodes. */
  show(resultsJson: string, resultsFile?: string): Promise<void>;
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
    show: async (resultsJson, resultsFile) => {
      await page.goto(`${server.url}?theme=dark`);
      await sendLoad(page, resultsJson, resultsFile);
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

/** Sends `load` with a results file's JSON text, parsed in the page (one string crosses, not an object graph), and its named selections. */
export async function sendLoad(
  page: Page,
  resultsJson: string,
  resultsFile = "test.results.json",
  saved: SavedSelections = { selections: [] },
): Promise<void> {
  await page.evaluate(
    ([json, file, named]) => window.postMessage({ type: "load", results: JSON.parse(json), resultsFile: file, saved: named }, "*"),
    [resultsJson, resultsFile, saved] as const,
  );
}

/** What the view saved with setState (the harness keeps it in sessionStorage). */
export function savedStateOf(page: Page): Promise<unknown> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("mtq-state") ?? "null") as unknown);
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

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { mtqHarness: { violations: string[] } }).mtqHarness.violations);
}
