// Named selections, the tidy table and Open in Notebook in a real VS Code (code-server 1.100.3 in
// Debian's chromium), on a run of the e2e workspace's small experiment: a cluster clicked in the
// Sankey is saved under a typed name (the file beside the results, the view's chip, the tree's
// Selections), kept over a window reload, exported as Parquet through the save dialog and read
// back, exported as CSV from the tree and opened from the "Saved" notification; a second one is
// saved with Ctrl+Alt+S; the tree's outliers are exported, and their stored neighbours; the
// notebook is written and opened in VS Code's notebook editor, then kept when asked; a selection
// written to the file by hand shows; one deleted from its chip's ×, one from the tree (each
// confirmed) leave the file, the tree and the view.
// Run by `npm run test:e2e`; screenshots in .tmp/e2e-screens/.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Browser, Frame, Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import type { SelectionsFile } from "../src/shared/selections";
import { endSession, launchBrowser, openPage, screenshot } from "./browser";
import { installExtension, startCodeServer, type CodeServer } from "./codeServer";
import { checkSystem, packedVsix } from "./install";
import {
  TRAINING_TIMEOUT,
  UI_TIMEOUT,
  answerDialog,
  chooseInQuickPick,
  clearNotifications,
  closeWalkthrough,
  notification,
  openViewContainer,
  reloadWindow,
  runCommand,
  saveInDialog,
  trainExperiment,
  treeRow,
  treeRowAction,
  treeRowMenu,
  until,
  waitForWorkbench,
  webviewFrame,
} from "./workbench";
import { createWorkspace, type Workspace } from "./workspace";
import { parquetRows } from "../test/helpers";

/** The name typed for the saved cluster, and one written into the selections file by hand. */
const NAME = "first cluster kept";
const HAND_NAME = "written by hand";
/** The name typed for a cluster of layer 2, saved with the keyboard. */
const KEY_NAME = "layer 2 pick";

describe("named selections, tables and notebooks in VS Code", { timeout: 20 * 60_000 }, () => {
  let runDir: string;
  let workspace: Workspace;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let results: Results;
  let view: Frame;
  /** The Sankey's first cluster of layer 1, and its images (ascending). */
  let cluster: { id: string; label: string; images: number[] };
  let selectionsFile: string;
  const stem = "ones-vs-sevens";
  const besideResults = (file: string) => join(workspace.dir, file);
  const savedFile = () => JSON.parse(readFileSync(selectionsFile, "utf8")) as SelectionsFile;
  const chip = (chipName: string) => view.locator(`#mtq-root .mtq-saved-chip[data-name="${chipName}"]`);
  /** Brings the results view's tab to the front: its webview is built anew, so its frame is found again once drawn. */
  const showResultsView = async () => {
    await page.locator(".tabs-container .tab", { hasText: `MTQ: ${stem}` }).click();
    await page.locator(".tabs-container .tab.active", { hasText: `MTQ: ${stem}` }).waitFor({ timeout: UI_TIMEOUT });
    view = await webviewFrame(page, `#mtq-root .mtq-sankey[data-images="${results.images.count}"]`);
  };

  /** Opens the MTQ sidebar and expands the results file's row and its Selections (as the reload left them, or not). */
  const showSelectionRows = async () => {
    await openViewContainer(page, "MTQ");
    for (const label of [results.experiment.name, /^Selections/]) {
      const row = treeRow(page, label).first();
      await row.waitFor({ timeout: UI_TIMEOUT });
      if ((await row.getAttribute("aria-expanded")) === "false") await row.click();
    }
  };

  before(async () => {
    checkSystem();
    assert.ok(existsSync(packedVsix), `${packedVsix} is missing: run \`npm run package\` (npm run test:e2e does)`);
    runDir = mkdtempSync(join(tmpdir(), "mtq-e2e-exports-"));
    workspace = createWorkspace(join(runDir, "workspace"));
    selectionsFile = besideResults(`${stem}.selections.json`);
    installExtension(runDir, packedVsix);
    server = await startCodeServer(runDir, workspace.dir);
    browser = await launchBrowser();
    page = await openPage(browser, server.url);
    await waitForWorkbench(page);
    await closeWalkthrough(page);
    await trainExperiment(page, stem, TRAINING_TIMEOUT);
    results = (await readResultsFile(workspace.small.results)).results;
    const node = results.flows.nodes.find((n) => n.kind === "cluster" && n.column === 1)!;
    cluster = {
      id: node.id,
      label: `cluster ${node.value} of layer 1`,
      images: Array.from(results.layers[0].assignments).flatMap((c, i) => (c === node.value ? [i] : [])),
    };
    view = await webviewFrame(page, "#mtq-root .mtq-sankey");
  });

  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && page) await screenshot(page, `exports-failed-${t.name.replace(/\W+/g, "-")}`);
  });

  after(() => endSession(browser, server, runDir, "code-server-exports.log"));

  it("saves a cluster clicked in the Sankey under a typed name: the file beside the results, the view's chip, the tree", async () => {
    await view.locator(`#mtq-root .mtq-sankey .mtq-node[data-id="${cluster.id}"] .mtq-node-box`).click();
    await view.locator(`#mtq-root .mtq-map[data-layer="1"][data-selected="${cluster.images.length}"]`).waitFor({ timeout: UI_TIMEOUT });
    await view.getByRole("button", { name: "Save selection…", exact: true }).click();
    // The name box offers the selection's own label; the user types theirs over it.
    const input = page.locator(".quick-input-widget input.input");
    await input.waitFor({ state: "visible", timeout: UI_TIMEOUT });
    await page.waitForFunction(
      (label) => document.querySelector<HTMLInputElement>(".quick-input-widget input.input")?.value === label,
      cluster.label,
      { timeout: UI_TIMEOUT },
    );
    await input.fill(NAME);
    await page.keyboard.press("Enter");
    await until(`${selectionsFile} was not written`, () => existsSync(selectionsFile));
    assert.deepEqual(savedFile(), {
      version: 1,
      results: `${stem}.results.json`,
      selections: [{ name: NAME, images: cluster.images, label: cluster.label }],
    });
    await chip(NAME).waitFor({ timeout: UI_TIMEOUT });
    await showSelectionRows();
    await treeRow(page, NAME).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-01-saved-selection");
  });

  it("restores the chip after a window reload; the chip selects its images", async () => {
    await reloadWindow(page);
    view = await webviewFrame(page, `#mtq-root .mtq-saved-chip[data-name="${NAME}"]`);
    await view.getByRole("button", { name: "Clear", exact: true }).click();
    await view.locator(`#mtq-root .mtq-map[data-layer="1"][data-selected="0"]`).waitFor({ timeout: UI_TIMEOUT });
    await chip(NAME).locator(".mtq-saved-name").click();
    await view.locator(`#mtq-root .mtq-map[data-layer="1"][data-selected="${cluster.images.length}"]`).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await chip(NAME).locator(".mtq-saved-name").getAttribute("aria-pressed"), "true");
    await screenshot(page, "exports-02-restored");
  });

  it("exports the selection as Parquet with Table…: PAR1, a row per selected image, its name in the selections column", async () => {
    const file = besideResults(`${stem}.first-cluster-kept.parquet`);
    await view.getByRole("button", { name: "Table…", exact: true }).click();
    await chooseInQuickPick(page, "Parquet", `${NAME}: ${cluster.images.length} images`);
    await saveInDialog(page, file);
    const saved = notification(page, `Saved ${stem}.first-cluster-kept.parquet`);
    await saved.waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-03-parquet-saved");
    assert.equal(readFileSync(file).subarray(0, 4).toString("latin1"), "PAR1");
    const rows = await parquetRows(file);
    assert.deepEqual(
      rows.map((r) => Number(r.id)),
      cluster.images,
    );
    assert.ok(
      rows.every((r) => r.selections === NAME),
      `a row's selections column is not "${NAME}"`,
    );
    await clearNotifications(page);
  });

  it("exports the named selection from the tree's Export Table… as CSV; the notification's Open opens it", async () => {
    const file = besideResults(`${stem}.first-cluster-kept.csv`);
    await showSelectionRows();
    await treeRowMenu(treeRow(page, NAME), "Export Table…");
    await chooseInQuickPick(page, "CSV", `${NAME}: ${cluster.images.length} images`);
    await saveInDialog(page, file);
    const saved = notification(page, `Saved ${stem}.first-cluster-kept.csv`);
    await saved.waitFor({ timeout: UI_TIMEOUT });
    const lines = readFileSync(file, "utf8").trimEnd().split(/\r?\n/);
    assert.equal(lines.length, 1 + cluster.images.length, "a header and a line per selected image");
    assert.deepEqual(
      lines.slice(1).map((l) => Number(l.split(",")[0])),
      cluster.images,
    );
    await saved.locator(".monaco-button", { hasText: "Open" }).click();
    await page.locator(`.tabs-container .tab.active[aria-label^="${stem}.first-cluster-kept.csv"]`).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-04-csv-opened");
  });

  it("exports the outliers from the tree's Export Table… as Parquet: a row per outlier", async () => {
    const outliers = results.findings.outliers.map((o) => o.image).sort((a, b) => a - b);
    assert.ok(outliers.length > 0, "the run found no outliers");
    const file = besideResults(`${stem}.outliers.parquet`);
    await treeRowMenu(treeRow(page, /^Outliers/).first(), "Export Table…");
    await chooseInQuickPick(page, "Parquet", `outliers: ${outliers.length} image`);
    await saveInDialog(page, file);
    await notification(page, `Saved ${stem}.outliers.parquet`).waitFor({ timeout: UI_TIMEOUT });
    const rows = await parquetRows(file);
    assert.deepEqual(
      rows.map((r) => Number(r.id)).sort((a, b) => a - b),
      outliers,
    );
    await clearNotifications(page);
  });

  it("exports the outliers' stored neighbours from the same menu: a row per outlier, layer and neighbour", async () => {
    const outliers = results.findings.outliers.map((o) => o.image);
    const file = besideResults(`${stem}.outliers.neighbours.parquet`);
    await treeRowMenu(treeRow(page, /^Outliers/).first(), "Export Table…");
    await chooseInQuickPick(page, "Neighbours, Parquet", `outliers: ${outliers.length} image`);
    await saveInDialog(page, file);
    await notification(page, `Saved ${stem}.outliers.neighbours.parquet`).waitFor({ timeout: UI_TIMEOUT });
    const rows = await parquetRows(file);
    // The outliers in the tree's order (by image), each with its layer's stored neighbours, nearest first.
    const ids = [...new Set(rows.map((r) => Number(r.id)))];
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      [...outliers].sort((a, b) => a - b),
    );
    const expected = results.layers.flatMap((layer, n) => {
      const count = layer.neighbourCount!;
      return ids.flatMap((id) =>
        Array.from({ length: count }, (_, k) => ({
          layer: n + 1,
          id,
          rank: k + 1,
          neighbour: layer.neighbours![id * count + k],
          distance: layer.neighbourDistances![id * count + k],
        })),
      );
    });
    assert.deepEqual(rows, expected);
    await clearNotifications(page);
  });

  it("saves a second selection with Ctrl+Alt+S from the view: a cluster of layer 2, under another name", async () => {
    await showResultsView();
    const node = results.flows.nodes.find((n) => n.kind === "cluster" && n.column === 2)!;
    const images = Array.from(results.layers[1].assignments).flatMap((c, i) => (c === node.value ? [i] : []));
    await view.locator(`#mtq-root .mtq-sankey .mtq-node[data-id="${node.id}"] .mtq-node-box`).click();
    await view.locator(`#mtq-root .mtq-map[data-layer="2"][data-selected="${images.length}"]`).waitFor({ timeout: UI_TIMEOUT });
    // The click left the keyboard in the webview: its keybinding must reach the workbench from there.
    await page.keyboard.press("Control+Alt+S");
    const input = page.locator(".quick-input-widget input.input");
    await input.waitFor({ state: "visible", timeout: UI_TIMEOUT });
    await input.fill(KEY_NAME);
    await page.keyboard.press("Enter");
    await until(`"${KEY_NAME}" was not saved`, () => savedFile().selections.some((s) => s.name === KEY_NAME));
    assert.deepEqual(
      savedFile().selections.map((s) => [s.name, s.images, s.label]),
      [
        [NAME, cluster.images, cluster.label],
        [KEY_NAME, images, `cluster ${node.value} of layer 2`],
      ],
    );
    await chip(KEY_NAME).waitFor({ timeout: UI_TIMEOUT });
    await treeRow(page, KEY_NAME).waitFor({ timeout: UI_TIMEOUT });
    // Its chip is pressed (it is what is selected), its count in the chip's own colour, not the muted one.
    const name = chip(KEY_NAME).locator(".mtq-saved-name");
    assert.equal(await name.getAttribute("aria-pressed"), "true");
    const [text, count] = await name.evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b.querySelector(".mtq-muted")!).color]);
    assert.equal(count, text);
  });

  it("MTQ: Open in Notebook writes the notebook and the run's table beside the results and opens it in the notebook editor", async () => {
    const notebook = besideResults(`${stem}.ipynb`);
    await showResultsView();
    await runCommand(page, "MTQ: Open in Notebook");
    await page.locator(`.tabs-container .tab.active[aria-label^="${stem}.ipynb"]`).waitFor({ timeout: UI_TIMEOUT });
    for (const file of [notebook, besideResults(`${stem}.table.parquet`), besideResults(`${stem}.table.csv`)])
      assert.ok(existsSync(file), `${file} was not written`);
    // The notebook editor, showing the notebook's first code cell: the one that reads the Parquet.
    const cells = (JSON.parse(readFileSync(notebook, "utf8")) as { cells: { cell_type: string; source: string[] }[] }).cells;
    assert.ok(
      cells
        .find((c) => c.cell_type === "code")
        ?.source.join("")
        .includes("pd.read_parquet(PARQUET)"),
    );
    await page
      .locator(".notebookOverlay .cell.code .view-lines", { hasText: "read_parquet(PARQUET)" })
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-05-notebook");
  });

  it("asks before replacing the notebook; Open Existing keeps it and writes the table again", async () => {
    const notebook = besideResults(`${stem}.ipynb`);
    const table = besideResults(`${stem}.table.parquet`);
    const kept = readFileSync(notebook, "utf8");
    const written = statSync(table).mtimeMs;
    await showResultsView();
    await runCommand(page, "MTQ: Open in Notebook");
    await page.locator(".monaco-dialog-box", { hasText: `${stem}.ipynb already exists` }).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-06-replace-or-open");
    await answerDialog(page, `${stem}.ipynb already exists`, "Open Existing");
    await until(`${table} was not written again`, () => statSync(table).mtimeMs > written);
    await page.locator(`.tabs-container .tab.active[aria-label^="${stem}.ipynb"]`).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(readFileSync(notebook, "utf8"), kept);
  });

  it("shows a selection written into the file by hand, in the view and the tree", async () => {
    const file = savedFile();
    writeFileSync(
      selectionsFile,
      JSON.stringify({ ...file, selections: [...file.selections, { name: HAND_NAME, images: [0, 1, 2], label: "three images" }] }),
    );
    await showResultsView();
    await chip(HAND_NAME).waitFor({ timeout: UI_TIMEOUT });
    await treeRow(page, HAND_NAME).waitFor({ timeout: UI_TIMEOUT });
  });

  it("deletes a selection from its chip's × in the view, once confirmed: gone from the file, the view and the tree", async () => {
    await chip(KEY_NAME).locator(".mtq-saved-delete").click();
    await answerDialog(page, `Delete the saved selection "${KEY_NAME}"?`, "Delete");
    await until(`"${KEY_NAME}" was not removed from ${selectionsFile}`, () => !savedFile().selections.some((s) => s.name === KEY_NAME));
    await chip(KEY_NAME).waitFor({ state: "detached", timeout: UI_TIMEOUT });
    await treeRow(page, KEY_NAME).waitFor({ state: "detached", timeout: UI_TIMEOUT });
  });

  it("deletes the named selection from the tree, once confirmed: gone from the file, the tree and the view", async () => {
    await treeRowAction(treeRow(page, NAME), "Delete Selection");
    await page.locator(".monaco-dialog-box", { hasText: `Delete the saved selection "${NAME}"?` }).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-07-delete");
    await answerDialog(page, `Delete the saved selection "${NAME}"?`, "Delete");
    await until(`"${NAME}" was not removed from ${selectionsFile}`, () => !savedFile().selections.some((s) => s.name === NAME));
    assert.deepEqual(
      savedFile().selections.map((s) => s.name),
      [HAND_NAME],
    );
    await treeRow(page, NAME).waitFor({ state: "detached", timeout: UI_TIMEOUT });
    await chip(NAME).waitFor({ state: "detached", timeout: UI_TIMEOUT });
    await chip(HAND_NAME).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "exports-08-deleted");
  });
});
