// The comparison view in chromium (the results webview's harness) on two seeds of a real MNIST
// run: a contingency table per layer with its ARI, selecting a cell and the changed paths, the
// "Show in B" message, the findings side by side, the state kept for a reload (the two files and
// the selection) and the message shown when a file is gone; screenshot under .tmp/screens/.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { compareResults } from "../src/results/compare";
import type { Comparison } from "../src/shared/comparison";
import type { Results } from "../src/shared/results";
import {
  browserMissing,
  cspViolations,
  hostReads,
  lastPosted,
  launchChromium,
  reloadUnavailable,
  savedStateOf,
  sendCompare,
} from "./browser/browser";
import { serveHarness, type HarnessServer } from "./browser/server";
import { tempDir } from "./helpers";
import { seedResults } from "./seedResults";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");
const skip = browserMissing();

describe("comparison view in chromium", { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  let a: Results;
  let comparison: Comparison;
  let files: { a: string; b: string };

  before(async () => {
    const dir = tempDir();
    const first = await seedResults(dir, 24);
    const second = await seedResults(dir, 25);
    a = first.results;
    comparison = compareResults(first.results, second.results, first.file, second.file);
    files = { a: first.file, b: second.file };
    mkdirSync(screens, { recursive: true });
    server = await serveHarness(root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}?theme=dark`);
    await sendCompare(page, { comparison, files }, a);
    await page.waitForSelector(".mtq-contingency");
  });

  /** What the view saved with setState (the harness keeps it in sessionStorage). */
  const savedState = () => savedStateOf(page);
  const selectedCount = async () => Number(await page.$eval(".mtq-selection", (e) => (e as HTMLElement).dataset.count));

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows each layer's contingency matrix with its ARI, and the changed paths", async () => {
    const aris = await page.$$eval(".mtq-contingency", (s) => s.map((e) => Number((e as HTMLElement).dataset.ari)));
    assert.deepEqual(
      aris,
      comparison.layers.map((l) => l.ari),
    );
    const cells = await page.$$eval(".mtq-contingency", (s) => s.map((e) => e.querySelectorAll("td").length));
    assert.deepEqual(
      cells,
      comparison.layers.map((l) => l.kA * l.kB),
    );
    assert.equal(Number(await page.$eval(".mtq-changed", (e) => (e as HTMLElement).dataset.count)), comparison.changed.length);
    if (comparison.changed.length > 0)
      assert.equal(
        Number(await page.$eval(".mtq-changed .mtq-thumbs", (e) => (e as HTMLElement).dataset.count)),
        comparison.changed.length,
      );
    assert.deepEqual(await cspViolations(page), []);
  });

  it("selects a cell's images and sends them, as A's numbers, to show in B", async () => {
    const layer = comparison.layers[0];
    const [i, j] = [0, layer.contingency[0].indexOf(Math.max(...layer.contingency[0]))];
    await page
      .locator(".mtq-contingency")
      .first()
      .locator("tr")
      .nth(i + 1)
      .locator("td")
      .nth(j)
      .locator("button")
      .click();
    assert.equal(Number(await page.$eval(".mtq-selection", (e) => (e as HTMLElement).dataset.count)), layer.contingency[i][j]);
    await page.getByRole("button", { name: "Show in B" }).click();
    const message = await lastPosted(page, "showInResults");
    assert.equal(message?.side, "b");
    const expected = comparison.matched.a.filter((_, n) => layer.clusters.a[n] === i && layer.clusters.b[n] === j);
    assert.deepEqual(
      (await hostReads(page, message!.selection)).images,
      expected,
      "the view sends A's image numbers; the host maps them to B's",
    );
  });

  it("selects every changed path, and lists the findings side by side", async () => {
    await page.locator(".mtq-changed h3 button").click();
    assert.equal(
      Number(await page.$eval(".mtq-selection", (e) => (e as HTMLElement).dataset.count)),
      new Set(comparison.changed.map((p) => p.a)).size,
    );
    const rows = await page.$$eval(".mtq-side-by-side tr", (r) => r.length);
    assert.ok(rows > 5, `${rows} rows of findings`);
    await page.screenshot({ path: join(screens, "compare.png"), fullPage: true });
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1")
      copyFileSync(join(screens, "compare.png"), join(root, "media", "screenshots", "compare.png"));
  });

  it("keeps the two files and the selection in its state, and the selection across a reload", async () => {
    const changed = [...new Set(comparison.changed.map((p) => p.a))].sort((x, y) => x - y);
    assert.deepEqual(await savedState(), {
      compare: files,
      selection: changed.length > 0 ? { images: changed, label: "changed paths" } : null,
    });
    // A reload (or hide and show): the host sends the same comparison again; the selection comes back.
    await page.reload();
    await sendCompare(page, { comparison, files }, a);
    await page.waitForSelector(".mtq-contingency");
    assert.equal(await selectedCount(), changed.length);
    // Another pair of files starts with nothing selected.
    await page.reload();
    await sendCompare(page, { comparison, files: { a: files.b, b: files.a } }, a);
    await page.waitForSelector(".mtq-contingency");
    assert.equal(await selectedCount(), 0);
    assert.deepEqual(await savedState(), { compare: { a: files.b, b: files.a }, selection: null });
  });

  it("says why in its place when the host cannot reopen the files, and keeps its state for the next reload", async () => {
    const message = `MTQ cannot reopen the comparison of seed-24 with seed-25: ${files.b} is gone (deleted or moved since it was opened).`;
    const before = await savedState();
    assert.equal(await reloadUnavailable(page, message), message);
    assert.equal(await page.locator(".mtq-contingency").count(), 0);
    assert.deepEqual(await savedState(), before);
    assert.deepEqual(await cspViolations(page), []);
  });

  it("refuses a message no view handles (a host of another version) and tells the host", async () => {
    await page.evaluate(() => window.postMessage({ type: "refresh" }, "*"));
    await page.waitForFunction(() => document.getElementById("mtq-root")?.textContent?.includes("failed"));
    assert.deepEqual(await lastPosted(page, "error"), { type: "error", message: 'The results view failed: unexpected message "refresh"' });
  });
});
