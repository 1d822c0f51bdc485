// The browser side of the suite: a page on the workbench and its screenshots. The browser itself
// is the webview tests' (Debian's chromium, fresh profile, nothing that talks to the network).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";

export { launchChromium as launchBrowser } from "../test/browser/browser";

export const screensDir = resolve(__dirname, "..", ".tmp", "e2e-screens");

/** A page sized like a laptop screen, so the workbench lays out the sidebar, editor and panel. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Saves a screenshot of the whole window as `.tmp/e2e-screens/NAME.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screensDir, { recursive: true });
  const file = join(screensDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * A suite's teardown: the browser closed, code-server stopped, its and the extension host's output
 * kept as `logName` in the screenshots' folder (for a failure in CI), and the run's folder removed.
 */
export async function endSession(
  browser: Browser | undefined,
  server: { stop(): Promise<void>; log(): string } | undefined,
  runDir: string | undefined,
  logName: string,
): Promise<void> {
  await browser?.close();
  await server?.stop();
  if (server) {
    mkdirSync(screensDir, { recursive: true });
    writeFileSync(join(screensDir, logName), server.log());
  }
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}
