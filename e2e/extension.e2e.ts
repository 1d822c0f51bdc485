// The extension in a real VS Code (code-server 1.100.3 in Debian's chromium), used as a person
// would. Run with `npm run test:e2e`, which first builds the .vsix and installs code-server.
// The steps run in order in one window; each saves a screenshot in .tmp/e2e-screens/, and so
// does a failing one.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Browser, Frame, Page } from "playwright-core";
import { compareResults } from "../src/results/compare";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { endSession, launchBrowser, openPage, screenshot } from "./browser";
import { installExtension, startCodeServer, type CodeServer } from "./codeServer";
import { checkSystem, packedVsix } from "./install";
import {
  TRAINING_TIMEOUT,
  UI_TIMEOUT,
  applyQuickFix,
  chooseInQuickPick,
  closeTab,
  clearNotifications,
  closeWalkthrough,
  noProblem,
  notification,
  openFile,
  openViewContainer,
  problems,
  progressNotification,
  reloadWindow,
  runCommand,
  saveInDialog,
  tickInQuickPick,
  trainExperiment,
  treeRow,
  waitForWorkbench,
  webviewFrame,
} from "./workbench";
import { createWorkspace, type Workspace } from "./workspace";

describe("MTQ Signatures in VS Code", { timeout: 20 * 60_000 }, () => {
  let runDir: string;
  let workspace: Workspace;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let results: Results;
  let view: Frame;

  before(async () => {
    checkSystem();
    assert.ok(existsSync(packedVsix), `${packedVsix} is missing: run \`npm run package\` (npm run test:e2e does)`);
    runDir = mkdtempSync(join(tmpdir(), "mtq-e2e-"));
    workspace = createWorkspace(join(runDir, "workspace"));
    installExtension(runDir, packedVsix);
    server = await startCodeServer(runDir, workspace.dir);
    browser = await launchBrowser();
    page = await openPage(browser, server.url);
    await waitForWorkbench(page);
    await closeWalkthrough(page);
    await screenshot(page, "01-workbench");
  });

  afterEach(async (t) => {
    // What the window showed when a step failed. (TestContext.passed is in Node 20, not in its types.)
    if ((t as { passed?: boolean }).passed === false && page) await screenshot(page, `failed-${t.name.replace(/\W+/g, "-")}`);
  });

  after(() => endSession(browser, server, runDir, "code-server.log"));

  it("trains from the Command Palette, with a progress notification, and writes the results", async () => {
    await trainExperiment(page, "ones-vs-sevens", TRAINING_TIMEOUT, () => screenshot(page, "02-training"));
    assert.ok(existsSync(workspace.small.results), `${workspace.small.results} was not written`);
    results = (await readResultsFile(workspace.small.results)).results;
    assert.equal(results.images.count, workspace.small.images);
  });

  it("shows a UMAP map per hidden layer and the Sankey, each with every image", async () => {
    view = await webviewFrame(page, "#mtq-root .mtq-sankey");
    const maps = view.locator("#mtq-root .mtq-map");
    await maps.first().waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await maps.count(), results.layers.length);
    // A map sets data-points once it has drawn them.
    for (let i = 0; i < results.layers.length; i++) {
      await view
        .locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-points="${workspace.small.images}"]`)
        .waitFor({ timeout: UI_TIMEOUT });
    }
    const sankey = view.locator("#mtq-root .mtq-sankey");
    assert.equal(await sankey.getAttribute("data-images"), String(workspace.small.images));
    // Every image leaves its digit's node: the link widths out of column 0 add up to all images.
    const digitIds = new Set(results.flows.nodes.filter((n) => n.kind === "digit").map((n) => n.id));
    const counts = await view
      .locator("#mtq-root .mtq-sankey path[data-source]")
      .evaluateAll((paths) => paths.map((p) => [(p as SVGElement).dataset.source ?? "", Number((p as SVGElement).dataset.count)] as const));
    const leaving = counts.filter(([source]) => digitIds.has(source)).reduce((sum, [, n]) => sum + n, 0);
    assert.equal(leaving, workspace.small.images);
    await screenshot(page, "03-results");
  });

  it("replays training with the epoch slider: each snapshot's maps, then the final model's", async () => {
    assert.deepEqual(
      results.snapshots?.map((s) => s.epoch),
      [1, 2],
    );
    const slider = view.locator("#mtq-root .mtq-epoch-slider");
    await slider.fill("0");
    await view.locator('#mtq-root .mtq-epochs[data-epoch="1"]').waitFor({ timeout: UI_TIMEOUT });
    await view.locator(`#mtq-root .mtq-map[data-layer="1"][data-points="${workspace.small.images}"]`).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "03-epoch-1");
    await slider.fill("2");
    await view.locator('#mtq-root .mtq-epochs[data-epoch="3"]').waitFor({ timeout: UI_TIMEOUT });
  });

  it("selects a cluster clicked in the MTQ tree in the results view", async () => {
    await openViewContainer(page, "MTQ");
    await treeRow(page, results.experiment.name).first().click();
    await treeRow(page, /^layer 1/)
      .first()
      .click();
    const cluster = results.layers[0].clusters[0];
    const size = Array.from(results.layers[0].assignments).filter((c) => c === cluster.id).length;
    await treeRow(page, `cluster ${cluster.id} ·`).first().click();
    for (let i = 0; i < results.layers.length; i++) {
      await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-selected="${size}"]`).waitFor({ timeout: UI_TIMEOUT });
    }
    const selectedLinks = Number(await view.locator("#mtq-root .mtq-sankey").getAttribute("data-selected-links"));
    assert.ok(selectedLinks > 0, "no Sankey link is highlighted");
    // The click opens the cluster too: its images are listed under it.
    const row = treeRow(page, `cluster ${cluster.id} ·`).first();
    await page.waitForFunction((r) => r?.getAttribute("aria-expanded") === "true", await row.elementHandle(), { timeout: UI_TIMEOUT });
    await screenshot(page, "04-tree-selection");
  });

  it("clears the selection with Escape from the MTQ tree (MTQ: Clear Selection), in the view and the tree", async () => {
    // The tree has the keyboard since the cluster's click.
    await page.keyboard.press("Escape");
    for (let i = 0; i < results.layers.length; i++) {
      await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-selected="0"]`).waitFor({ timeout: UI_TIMEOUT });
    }
    assert.equal(await page.locator(".part.sidebar .monaco-list-row.selected").count(), 0, "the tree's row is deselected");
    // And from the Command Palette, with the view in the editor: a cluster selected again, then cleared.
    await treeRow(page, `cluster ${results.layers[0].clusters[0].id} ·`).first().click();
    await view.locator(`#mtq-root .mtq-map[data-layer="1"]:not([data-selected="0"])`).waitFor({ timeout: UI_TIMEOUT });
    await runCommand(page, "MTQ: Clear Selection");
    await view.locator(`#mtq-root .mtq-map[data-layer="1"][data-selected="0"]`).waitFor({ timeout: UI_TIMEOUT });
  });

  it("finds images with MTQ: Find Images and Ctrl+F: the search box gets the keyboard, Enter steps, Escape clears", async () => {
    const sevens = Array.from(results.images.labels).filter((d) => d === 7).length;
    const search = view.locator("#mtq-root .mtq-search-input");
    await runCommand(page, "MTQ: Find Images");
    await view.locator("#mtq-root .mtq-search-input:focus").waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.type("label:7");
    for (let i = 0; i < results.layers.length; i++)
      await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-selected="${sevens}"]`).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await view.locator("#mtq-root .mtq-search-status").textContent(), `${sevens} images`);
    await page.keyboard.press("Enter");
    await view.locator('#mtq-root .mtq-map[data-layer="1"][data-selected="1"]').waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "04-search");
    await page.keyboard.press("Escape");
    await view.locator('#mtq-root .mtq-map[data-layer="1"][data-selected="0"]').waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await search.inputValue(), "");
    // Ctrl+F from a map puts the keyboard back in the box.
    await view.locator("#mtq-root .mtq-map-overlay").first().focus();
    await page.keyboard.press("Control+f");
    await view.locator("#mtq-root .mtq-search-input:focus").waitFor({ timeout: UI_TIMEOUT });
  });

  it("saves the view as SVG where the save dialog says, then confirms with a button that opens the file", async () => {
    const file = join(workspace.dir, `${results.experiment.name}-paths.svg`);
    await view.getByRole("button", { name: "SVG", exact: true }).click();
    // The suggested path: beside the results.
    await saveInDialog(page, file);
    const saved = notification(page, `Saved ${results.experiment.name}-paths.svg`);
    await saved.waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "04-saved");
    const svg = readFileSync(file, "utf8");
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.includes(`>${results.experiment.name}: ${results.images.count} images</text>`), "the title names the experiment");
    assert.ok(svg.includes('data-legend="digit"'), "the legend is in the SVG");
    await saved.locator(".monaco-button", { hasText: "Open" }).click();
    await page.locator(`.tabs-container .tab.active[aria-label^="${results.experiment.name}-paths.svg"]`).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "04-saved-opened");
    // The image preview takes the focus as it loads, under the next step's Quick Open: closed once seen.
    await closeTab(page, `${results.experiment.name}-paths.svg`);
  });

  it("cancels a long run from its notification and writes nothing", async () => {
    const before = readdirSync(workspace.dir).sort();
    await openFile(page, "long-run.mtq.json");
    await runCommand(page, "MTQ: Train and Analyze");
    const progress = progressNotification(page, "MTQ: long-run");
    // Cancel once the model is training, the stage a user would most want to stop.
    await progress.filter({ hasText: "Training" }).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "05-long-run");
    await progress.locator(".monaco-button", { hasText: "Cancel" }).click();
    await notification(page, "nothing was written").waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "06-cancelled");
    await clearNotifications(page);
    assert.equal(existsSync(workspace.long.results), false, `${workspace.long.results} was written`);
    assert.deepEqual(readdirSync(workspace.dir).sort(), before);
  });

  it("names the misspelt field of a malformed experiment in the Problems panel", async () => {
    await openFile(page, "malformed.mtq.json");
    const rows = await problems(page, workspace.malformed.field);
    await screenshot(page, "07-problems");
    assert.ok(
      rows.some((r) => r.includes(workspace.malformed.field)),
      `no problem names "${workspace.malformed.field}":\n${rows.join("\n")}`,
    );
  });

  it("fixes the misspelt field with its Quick Fix (Ctrl+.): once saved, the problem is gone", async () => {
    await openFile(page, "malformed.mtq.json");
    await applyQuickFix(page, 'Rename to "epochs"');
    await screenshot(page, "07-quick-fix");
    // Saving checks it again (VS Code may have saved the fixed file itself already).
    await page.keyboard.press("Control+S");
    await noProblem(page, workspace.malformed.field);
    const saved = readFileSync(workspace.malformed.file, "utf8");
    assert.ok(saved.includes(`"epochs": `) && !saved.includes("epocs"), saved);
  });

  it("compares two seeds with MTQ: Compare Results: a contingency matrix per layer with the pipeline's ARI", async () => {
    await trainExperiment(page, workspace.otherSeed.name, TRAINING_TIMEOUT);
    // A results view that is still loading takes the focus, which closes a Quick Pick: none stays open.
    await runCommand(page, "View: Close All Editors");
    await runCommand(page, "MTQ: Compare Results");
    await tickInQuickPick(page, ["ones-vs-sevens.results.json", "ones-vs-sevens-seed-7.results.json"]);
    const compare = await webviewFrame(page, "#mtq-root .mtq-contingency");
    const other = (await readResultsFile(workspace.otherSeed.results)).results;
    // A is the first of the two in the Quick Pick's list; the title says which: "A vs B".
    const title = (await compare.locator("#mtq-root h1").textContent()) ?? "";
    const [a, b] = title.startsWith(`${workspace.otherSeed.name} vs`) ? [other, results] : [results, other];
    const expected = compareResults(a, b, "A", "B");
    const aris = await compare
      .locator("#mtq-root .mtq-contingency")
      .evaluateAll((s) => s.map((e) => Number((e as HTMLElement).dataset.ari)));
    assert.deepEqual(
      aris,
      expected.layers.map((l) => l.ari),
    );
    assert.equal(await compare.locator("#mtq-root .mtq-changed").getAttribute("data-count"), String(expected.changed.length));
    await screenshot(page, "08-compare");
  });

  it("reopens the comparison after a window reload, read again from its files, with its selection", async () => {
    let compare = await webviewFrame(page, "#mtq-root .mtq-contingency");
    const title = (await compare.locator("#mtq-root h1").textContent()) ?? "";
    const aris = await compare
      .locator("#mtq-root .mtq-contingency")
      .evaluateAll((s) => s.map((e) => Number((e as HTMLElement).dataset.ari)));
    // Select the changed paths: the selection is kept in the webview's state with the two files.
    await compare.locator("#mtq-root .mtq-changed h3 button").click();
    const selected = (await compare.locator("#mtq-root .mtq-selection").getAttribute("data-count")) ?? "";
    assert.ok(Number(selected) > 0, "the two seeds changed no path: nothing to select");
    await reloadWindow(page);
    compare = await webviewFrame(page, "#mtq-root .mtq-contingency");
    assert.equal(await compare.locator("#mtq-root h1").textContent(), title);
    assert.deepEqual(
      await compare.locator("#mtq-root .mtq-contingency").evaluateAll((s) => s.map((e) => Number((e as HTMLElement).dataset.ari))),
      aris,
    );
    await compare.locator(`#mtq-root .mtq-selection[data-count="${selected}"]`).waitFor({ timeout: UI_TIMEOUT });
    await page.locator(".tabs-container .tab.active", { hasText: `${workspace.otherSeed.name}` }).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "09-compare-reloaded");
  });

  /**
   * Moves `file` away and reloads the window: the restored view says in its place that the file is
   * gone, and so does one notification. Returns the view's text; puts the file back.
   */
  async function reloadWithout(file: string, screenshotName: string): Promise<string> {
    const moved = `${file}.moved`;
    renameSync(file, moved);
    try {
      await reloadWindow(page);
      const frame = await webviewFrame(page, "#mtq-root .mtq-unavailable");
      const text = (await frame.locator("#mtq-root .mtq-unavailable").textContent()) ?? "";
      assert.ok(text.includes(`${file} is gone`), text);
      await notification(page, `${file} is gone`).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.locator(".notifications-toasts .notification-toast", { hasText: `${file} is gone` }).count(), 1);
      await screenshot(page, screenshotName);
      await clearNotifications(page);
      return text;
    } finally {
      renameSync(moved, file);
    }
  }

  it("names the compared file gone since the comparison opened, and the fix, after a reload", async () => {
    const text = await reloadWithout(workspace.otherSeed.results, "10-compare-file-gone");
    assert.ok(text.includes("MTQ: Train and Analyze"), text);
  });

  it("names the results file gone since its view opened, and the fix, after a reload; the view comes back with the file", async () => {
    await runCommand(page, "View: Close All Editors");
    await runCommand(page, "MTQ: Open Results");
    await chooseInQuickPick(page, `${workspace.otherSeed.name}.results.json`);
    const other = (await readResultsFile(workspace.otherSeed.results)).results;
    const sankey = `#mtq-root .mtq-sankey[data-images="${other.images.count}"]`;
    await webviewFrame(page, sankey);
    await page.locator(".tabs-container .tab.active", { hasText: `MTQ: ${workspace.otherSeed.name}` }).waitFor({ timeout: UI_TIMEOUT });
    const text = await reloadWithout(workspace.otherSeed.results, "11-results-file-gone");
    assert.ok(text.startsWith(`MTQ cannot show the results of ${workspace.otherSeed.name}:`), text);
    assert.ok(
      text.includes(`Run its experiment (${workspace.otherSeed.name}) again with MTQ: Train and Analyze, or put the file back`),
      text,
    );
    // The webview kept its state: with the file back, the next reload shows it again.
    await reloadWindow(page);
    await webviewFrame(page, sankey);
    await screenshot(page, "12-results-file-back");
  });

  it("runs a PyTorch model exported to ONNX (onnxruntime from the .vsix) and shows a map per default layer", async () => {
    await runCommand(page, "View: Close All Editors");
    await trainExperiment(page, workspace.onnx.name, TRAINING_TIMEOUT);
    assert.ok(existsSync(workspace.onnx.results), `${workspace.onnx.results} was not written`);
    const onnx = (await readResultsFile(workspace.onnx.results)).results;
    assert.equal(onnx.images.count, workspace.onnx.images);
    assert.deepEqual(
      onnx.layers.map((l) => l.name),
      ["hidden 1 (/pool1/MaxPool_output_0)", "hidden 2 (/pool2/MaxPool_output_0)", "hidden 3 (/Relu_2_output_0)"],
    );
    const onnxView = await webviewFrame(page, `#mtq-root .mtq-sankey[data-images="${onnx.images.count}"]`);
    for (let i = 0; i < onnx.layers.length; i++) {
      await onnxView
        .locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-points="${onnx.images.count}"]`)
        .waitFor({ timeout: UI_TIMEOUT });
    }
    await screenshot(page, "13-onnx-results");
  });
});
