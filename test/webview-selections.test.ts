// Named selections and the table export in the results webview (Debian's chromium via
// playwright-core), on a real 1-vs-7 run: Save selection… (enabled only with a selection) asks the
// host with the selection; the saved ones the host sends are listed as chips, a chip restores its
// images in every view and says so to the host, its × asks the host to delete it; a change on disk
// (`saved`) and a selections file that cannot be read are shown, as text; the list comes back after a
// reload with `load`; Table… asks the host for the table of the selection or of every image.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { SavedSelections, WebviewToHost } from "../src/shared/protocol";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import {
  browserMissing,
  cspViolations,
  hostReads,
  lastPosted,
  lastSelection,
  launchChromium,
  posted,
  send,
  sendLoad,
} from "./browser/browser";
import { serveHarness, type HarnessServer } from "./browser/server";
import { runNamedSelectionsExperiment, tempDir } from "./helpers";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");
const skip = browserMissing();

describe("named selections and the table export in the results webview", { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  /** A small 1-vs-7 run with injected 4s: a few seconds of real training. */
  let file: string;
  let results: Results;
  const dir = tempDir();
  /** Two saved selections of the run: its injected 4s, and its first five images. */
  let saved: SavedSelections;
  let injected: number[];

  const open = async (named: SavedSelections) => {
    await page.goto(`${server.url}?theme=dark`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await sendLoad(page, file, "named.results.json", named);
    await page.waitForSelector(".mtq-sankey .mtq-node");
  };
  const chips = () => page.locator(".mtq-saved-chip .mtq-saved-name").allTextContents();
  const mapSelected = () => page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.selected)));
  const saveButton = () => page.getByRole("button", { name: "Save selection…", exact: true });

  before(async () => {
    file = runNamedSelectionsExperiment(dir);
    ({ results } = await readResultsFile(file));
    injected = Array.from(results.images.injected).flatMap((x, i) => (x ? [i] : []));
    saved = {
      selections: [
        { name: "the unseen 4s", images: injected, label: "Injected 4s (20)" },
        { name: "first five", images: [0, 1, 2, 3, 4], label: "lasso on layer 1" },
      ],
    };
    mkdirSync(screens, { recursive: true });
    server = await serveHarness(root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await open(saved);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists the saved selections the host sends with `load`, each with its image count", async () => {
    assert.deepEqual(await chips(), [`the unseen 4s ${injected.length}`, "first five 5"]);
    assert.equal(
      await page.locator(".mtq-saved-chip").first().locator(".mtq-saved-name").getAttribute("title"),
      `Select "the unseen 4s": ${injected.length} images (Injected 4s (20))`,
    );
    assert.deepEqual(await cspViolations(page), []);
  });

  it("restores a saved selection in every view when its chip is clicked, tells the host, and marks the chip", async () => {
    await page.getByRole("button", { name: /^the unseen 4s/ }).click();
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => injected.length),
    );
    assert.deepEqual(await lastSelection(page), { images: injected, label: "the unseen 4s" });
    assert.equal(await page.locator(".mtq-selection h2").textContent(), "Selection: the unseen 4s");
    assert.deepEqual(await page.locator(".mtq-saved-name").evaluateAll((b) => b.map((x) => x.getAttribute("aria-pressed"))), [
      "true",
      "false",
    ]);
    await page.screenshot({ path: join(screens, "webview-saved-selections.png"), fullPage: true });
  });

  it("restores one from the keyboard too", async () => {
    await page.keyboard.press("Escape");
    assert.deepEqual(await mapSelected(), [0, 0]);
    await page.getByRole("button", { name: /^first five/ }).focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await lastSelection(page), { images: [0, 1, 2, 3, 4], label: "first five" });
  });

  it("enables Save selection… only with a selection, and sends the selection to the host to name and save", async () => {
    await page.keyboard.press("Escape");
    assert.equal(await saveButton().isDisabled(), true);
    await page.getByRole("button", { name: /^Injected 4s/ }).click();
    assert.equal(await saveButton().isDisabled(), false);
    const before = (await posted(page)).length;
    await saveButton().focus();
    await page.keyboard.press("Enter");
    const sent = (await posted(page)).slice(before);
    assert.deepEqual(
      sent.map((m) => m.type),
      ["saveSelection"],
    );
    const { selection } = sent[0] as Extract<WebviewToHost, { type: "saveSelection" }>;
    assert.deepEqual(await hostReads(page, selection), { images: injected, label: "injected 4s" });
  });

  it("asks the host to delete a selection with its ×, and shows the list the host sends back", async () => {
    await page.getByRole("button", { name: 'Delete "first five"' }).click();
    assert.deepEqual(await lastPosted(page, "deleteSelection"), { type: "deleteSelection", name: "first five" });
    // The chip stays until the host (after the user confirms) says the file changed.
    assert.equal((await chips()).length, 2);
    await send(page, { type: "saved", saved: { selections: saved.selections.slice(0, 1) } });
    assert.deepEqual(await chips(), [`the unseen 4s ${injected.length}`]);
    await send(page, { type: "saved", saved: { selections: [] } });
    assert.deepEqual(await chips(), []);
    assert.match((await page.locator(".mtq-saved").textContent()) ?? "", /None yet\. Select images, then Save selection…/);
  });

  it("says why when the selections file cannot be read, as text", async () => {
    const problem = `/work/x/named.selections.json: "selections[0].name" <img src=x onerror=alert(1)> is also selections[1]'s name`;
    await send(page, { type: "saved", saved: { selections: [], problem } });
    assert.equal(await page.locator(".mtq-saved-problem").textContent(), problem);
    assert.equal(await page.locator(".mtq-saved img").count(), 0);
    assert.deepEqual(await cspViolations(page), []);
  });

  it("lists them again after a reload: `load` carries them", async () => {
    await send(page, { type: "saved", saved });
    await page.reload();
    await sendLoad(page, file, "named.results.json", saved);
    await page.waitForSelector(".mtq-saved-chip");
    assert.deepEqual(await chips(), [`the unseen 4s ${injected.length}`, "first five 5"]);
  });

  it("asks the host for a table: of the selection when there is one, else of every image", async () => {
    await open(saved);
    const table = page.getByRole("button", { name: "Table…", exact: true });
    await table.click();
    const all = (await lastPosted(page, "exportTable"))!;
    assert.equal(all.selection, null);
    assert.equal(all.epoch, undefined, "no training snapshots: the final model");
    await page.getByRole("button", { name: /^first five/ }).click();
    await table.focus();
    await page.keyboard.press("Enter");
    // Five images are shorter listed than as a bitset: listed, as the host reads them.
    assert.deepEqual((await lastPosted(page, "exportTable"))!.selection, { images: [0, 1, 2, 3, 4], label: "first five" });
    assert.equal(await page.getByRole("button", { name: "CSV", exact: true }).count(), 0, "one CSV writer: the host's");
  });
});
