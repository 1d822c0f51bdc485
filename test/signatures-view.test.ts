// The results view on imported signatures, in chromium: with the example's thumbnails they are
// drawn (MTQ_UPDATE_SCREENSHOTS=1 refreshes the README's media/screenshots/imported-signatures.png);
// without thumbnails every place that shows one says "no thumbnail" instead (no broken or empty
// image), the tooltips say the confidence is not known, and the findings say the signatures were
// imported and no model ran. Screenshots under .tmp/screens/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { browserMissing, cspViolations, openHarnessPage, type HarnessPage } from "./browser/browser";
import { runExample, tempDir, writeJson } from "./helpers";
import { describeImage, viewDataFrom } from "../webview/data";
import { PixelStore } from "../webview/pixels";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");
const example = join(root, "examples", "imported-signatures");

/** The example's signatures without its thumbnails, run through the built CLI. */
function importedResults(): string {
  const dir = tempDir();
  const signatures = {
    layers: [join(example, "h1.npy"), join(example, "h2.npy")],
    labels: join(example, "labels.npy"),
    predictions: join(example, "predictions.npy"),
  };
  const experiment = writeJson(dir, "imported.mtq.json", {
    name: "imported",
    data: { source: { signatures }, digits: [1, 7], perDigit: 60 },
    inject: [{ digit: 4, count: 30 }],
    projection: { epochs: 50 },
  });
  const out = join(dir, "imported.results.json");
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "run", experiment, "--out", out], { stdio: "pipe" });
  return out;
}

describe("results view of imported signatures in chromium", { skip: browserMissing() }, () => {
  let harness: HarnessPage;
  let page: Page;

  before(async () => {
    mkdirSync(screens, { recursive: true });
    harness = await openHarnessPage(root);
    page = harness.page;
  });

  after(async () => {
    await harness?.close();
  });

  const load = (file: string) => harness.show(file);
  /** Selects the biggest Sankey link's images: the selection panel shows their thumbnails. */
  const selectBiggestLink = async (results: Results) => {
    const link = [...results.flows.links].sort((a, b) => b.count - a.count)[0];
    await page.locator(`.mtq-links path[data-source="${link.source}"][data-target="${link.target}"]`).click();
    await page.waitForSelector(".mtq-selection-body canvas.mtq-thumbs");
  };

  it("without thumbnails, says so where thumbnails would be, and that the confidence is not known", async () => {
    const file = importedResults();
    const { results } = await readResultsFile(file);
    assert.deepEqual([results.images.rows, results.images.cols], [0, 0]);
    await load(file);
    assert.match((await page.locator(".mtq-findings").textContent()) ?? "", /Signatures imported from .*h1\.npy.* \(no model ran\)/);
    await selectBiggestLink(results);
    const grid = page.locator(".mtq-selection-body canvas.mtq-thumbs").first();
    assert.match((await grid.getAttribute("title")) ?? "", /^\d+ images, no thumbnails$/);
    const box = (await grid.boundingBox())!;
    assert.ok(box.width > 40 && box.height > 10, JSON.stringify(box));
    // The outliers' list: each line's thumbnail is the words.
    const outliers = page.locator(".mtq-findings canvas.mtq-no-thumbs");
    await outliers.nth(results.findings.outliers.length - 1).waitFor();
    assert.equal(await outliers.count(), results.findings.outliers.length);
    assert.equal(await outliers.first().getAttribute("title"), "no thumbnail");
    // What a map's tooltip says of an image.
    assert.match(describeImage(viewDataFrom(results, new PixelStore(0, () => undefined)), 0)[1], /^predicted \d \(confidence not known\)$/);
    await page.screenshot({ path: join(screens, "signatures-no-thumbnails.png"), fullPage: true });
    assert.deepEqual(await cspViolations(page), []);
  });

  it("with thumbnails (examples/imported-signatures.mtq.json), draws them", async () => {
    const file = runExample("imported-signatures");
    const { results } = await readResultsFile(file);
    assert.deepEqual([results.images.rows, results.images.cols], [28, 28]);
    await load(file);
    await selectBiggestLink(results);
    // Drawn once the host has sent their pixels.
    const grid = page.locator(".mtq-selection-body canvas.mtq-thumbs:not([data-pending])").first();
    assert.equal(await grid.getAttribute("title"), null);
    const inked = await grid.evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 100, String(inked));
    await page.screenshot({ path: join(screens, "signatures-thumbnails.png"), fullPage: true });
    // The README's screenshot, refreshed on request from these real results.
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1")
      copyFileSync(join(screens, "signatures-thumbnails.png"), join(root, "media", "screenshots", "imported-signatures.png"));
  });
});
