// Debian's chromium, driven by playwright-core, with a fresh profile per run and nothing that
// talks to the network on its own.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM } from "./install";

export const screensDir = resolve(__dirname, "..", ".tmp", "e2e-screens");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core's chromium.launch() uses a fresh temporary profile and adds --headless.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

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
