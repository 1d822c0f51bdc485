// The epoch slider in chromium on a real MNIST run with training snapshots: each stop shows that
// epoch's clusters and findings, the selection stays, the keyboard and Play step through epochs.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment } from "../src/check/experiment";
import type { Results } from "../src/shared/results";
import { browserMissing, cspViolations, hostReads, lastPosted, lastSelection, launchChromium, sendLoad } from "./browser/browser";
import { serveHarness, type HarnessServer } from "./browser/server";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");
const skip = browserMissing();
const experimentFile = join(root, "examples", "epochs.mtq.json");

describe("epoch slider in chromium", { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  let results: Results;

  const shownEpoch = async () => Number(await page.$eval(".mtq-epochs", (e) => (e as HTMLElement).dataset.epoch));
  /** The purity table's first cell: digit 1's purity in layer 1, as shown. */
  const shownPurity = () => page.$eval(".mtq-purity tr:nth-of-type(2) td button", (b) => b.textContent);
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  const shownLinks = async () => Number(await page.$eval(".mtq-sankey", (e) => (e as HTMLElement).dataset.links));
  /** The selection panel's line saying how the model state shown classes the selected images. */
  const shownPredicted = () => page.$eval(".mtq-selection-body p.mtq-muted", (p) => p.textContent);
  const predictedText = (predictions: ArrayLike<number>, images: number[]) => {
    const counts = new Map<number, number>();
    for (const i of images) counts.set(predictions[i], (counts.get(predictions[i]) ?? 0) + 1);
    return `predicted ${[...counts]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([p, n]) => `${p}: ${n}`)
      .join(", ")}`;
  };

  before(async () => {
    const parsed = parseExperiment(
      JSON.stringify({
        name: "epochs",
        data: { digits: [1, 7], perDigit: 60, holdout: { perDigit: 100 } },
        training: { epochs: 6, learningRate: 0.0003 },
        snapshots: [1, 3],
        inject: [{ digit: 4, count: 20 }],
      }),
      experimentFile,
    );
    assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
    results = await runExperiment({ experiment: parsed.experiment, experimentFile });
    mkdirSync(screens, { recursive: true });
    server = await serveHarness(root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}?theme=dark`);
    await sendLoad(page, results, "epochs.results.json");
    await page.waitForSelector(".mtq-epochs");
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens on the final model, with a stop per snapshot", async () => {
    assert.equal(await shownEpoch(), 6);
    assert.equal(await page.$eval(".mtq-epoch-slider", (s) => (s as HTMLInputElement).max), "2");
    assert.equal(await shownPurity(), percent(results.findings.layers[0].purity["1"]));
    assert.equal(await shownLinks(), results.flows.links.length);
    assert.match(
      await page.$eval(".mtq-separation-epochs", (p) => p.textContent ?? ""),
      /each layer separates the digits for good: layer 1 /,
    );
  });

  it("shows an epoch's clusters and findings, keeping the selection, the zoom, the tool and the keyboard on the slider", async () => {
    await page.locator(".mtq-chip").first().click();
    await page.locator(".mtq-map-overlay").first().focus();
    await page.keyboard.press("+");
    await page.locator(`.mtq-toggle button[data-value="pan"]`).click();
    const selected = Number(await page.$eval(".mtq-selection", (e) => (e as HTMLElement).dataset.count));
    const images = (await lastSelection(page))!.images;
    assert.equal(await shownPredicted(), predictedText(results.predictions, images));
    await page.locator(".mtq-epoch-slider").fill("0");
    assert.equal(await shownEpoch(), 1);
    const first = results.snapshots![0];
    assert.equal(await shownPurity(), percent(first.findings.layers[0].purity["1"]));
    assert.equal(await shownLinks(), first.flows.links.length, "the Sankey shows epoch 1's paths");
    assert.equal(await shownPredicted(), predictedText(first.predictions, images), "the selection as classed at epoch 1");
    const points = await page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.points)));
    assert.deepEqual(
      points,
      first.layers.map(() => results.images.count),
    );
    assert.equal(Number(await page.$eval(".mtq-selection", (e) => (e as HTMLElement).dataset.count)), selected, "the selection stays");
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom), "1.50", "layer 1's map keeps its zoom");
    assert.equal(await page.locator(`.mtq-toggle button[data-value="pan"]`).getAttribute("aria-pressed"), "true");
    await page.getByRole("button", { name: "Reset zoom" }).click();
    await page.locator(`.mtq-toggle button[data-value="lasso"]`).click();
    await page.screenshot({ path: join(screens, "epochs-first.png"), fullPage: true });
    await page.locator(".mtq-epoch-slider").focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await shownEpoch(), 3);
    assert.equal(await page.evaluate(() => document.activeElement?.className), "mtq-epoch-slider");
    // The table asked of the host is the epoch shown's (its clusters and findings), of the selection kept.
    await page.getByRole("button", { name: "Table…", exact: true }).click();
    const table = (await lastPosted(page, "exportTable"))!;
    assert.equal(table.epoch, 3);
    assert.deepEqual((await hostReads(page, table.selection!)).images, images);
    assert.deepEqual(await cspViolations(page), []);
  });

  it("Play replays the epochs up to the final model", async () => {
    await page.getByRole("button", { name: "Play" }).click();
    await page.waitForFunction(() => (document.querySelector(".mtq-epochs") as HTMLElement)?.dataset.epoch === "6", undefined, {
      timeout: 10000,
    });
    await page.getByRole("button", { name: "Play" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(screens, "epochs-final.png"), fullPage: true });
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1")
      copyFileSync(join(screens, "epochs-first.png"), join(root, "media", "screenshots", "epochs.png"));
  });
});
