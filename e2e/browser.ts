// The browser side of the suite: a page on the workbench and its screenshots. The browser itself
// is the webview tests' (Debian's chromium, fresh profile, nothing that talks to the network).
import { mkdirSync } from "node:fs";
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
