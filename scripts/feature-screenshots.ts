// `npm run package && npx tsx scripts/feature-screenshots.ts [SHOT...]`: the README's screenshots of
// the CNN, saved-model and image-folder examples, the epoch slider, the comparison view, and
// exploring a run (MTQ: Find Images, an image's true neighbours, the PCA map), taken in the running
// extension with the e2e suite's own code-server and browser steps (e2e/): each example is opened,
// trained with MTQ: Train and Analyze, and its results view captured into media/screenshots/; on
// the 1-vs-7 example's view a search, an outlier clicked in the MTQ sidebar and the Map toggle;
// then MTQ: Compare Results compares two seeds of the 1-vs-7 example. Naming shots (e.g. `epochs
// compare`, `find-images neighbours pca-map`) retakes only those.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser, openPage } from "../e2e/browser";
import { installExtension, startCodeServer } from "../e2e/codeServer";
import { checkSystem } from "../e2e/install";
import {
  closeWalkthrough,
  openViewContainer,
  runCommand,
  tickInQuickPick,
  trainExperiment,
  treeRow,
  UI_TIMEOUT,
  waitForWorkbench,
  webviewFrame,
} from "../e2e/workbench";
import type { Frame, Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import { imageTitle } from "../src/shared/imageName";
import type { Results } from "../src/shared/results";

const root = resolve(__dirname, "..");
const examples = join(root, "examples");
const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };

interface Shot {
  experiment: string;
  /** The screenshot it gives; none for a run only the comparison needs. */
  png?: string;
  /** What to do in the results view before the screenshot. */
  prepare?: (view: Frame) => Promise<void>;
  /** The exploring shots (EXPLORE_SHOTS) are taken on this run's view once it is drawn. */
  explore?: true;
}

/** What the 1-vs-7 example's results view is captured doing: a search, one image's neighbours, the PCA map. */
const EXPLORE_SHOTS = ["find-images", "neighbours", "pca-map"];
/** The search the find-images shot types: the injected 4s the model calls 7. */
const QUERY = "injected predicted seven";

/** The 1-vs-7 example again with another seed: what the comparison compares it with. */
const SECOND_SEED = { experiment: "ones-vs-sevens-seed-7", seed: 7 };

const featureShots: Shot[] = [
  { experiment: "cnn-ones-vs-sevens", png: "cnn.png" },
  { experiment: "saved-model", png: "saved-model.png" },
  { experiment: "image-folder", png: "image-folder.png" },
  {
    experiment: "ones-vs-sevens-over-time",
    png: "epochs.png",
    // Epoch 2 of 8: layer 1 has begun to part 1s from 7s, layer 2 not yet.
    prepare: async (view) => {
      await view.locator("#mtq-root .mtq-epoch-slider").fill("1");
      await view.locator('#mtq-root .mtq-epochs[data-epoch="2"]').waitFor({ timeout: UI_TIMEOUT });
    },
  },
];

/** The shots named on the command line (by their PNG's name; "compare" for the comparison), else all. */
const wanted = process.argv.slice(2);
const wants = (name: string) => wanted.length === 0 || wanted.includes(name);
const exploring = EXPLORE_SHOTS.some(wants);
const shots = [
  ...featureShots.filter((s) => wants(s.png!.replace(/\.png$/, ""))),
  ...(wants("compare") || exploring ? [{ experiment: "ones-vs-sevens", explore: true as const }] : []),
  ...(wants("compare") ? [{ experiment: SECOND_SEED.experiment }] : []),
];

async function capture(page: Page, png: string, what: string): Promise<void> {
  // Away from anything a hover would change or cover.
  await page.mouse.move(800, 990);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(root, "media", "screenshots", png) });
  console.log(`media/screenshots/${png}: ${what}`);
}

/**
 * On the 1-vs-7 example's results view: MTQ: Find Images with QUERY, what it finds selected and
 * counted; the first outlier clicked in the MTQ sidebar, ringed on every map, its true neighbours
 * listed and linked; then, the selection cleared, the PCA maps.
 */
async function captureExploring(page: Page, view: Frame, results: Results): Promise<void> {
  const maps = (attribute: string) =>
    Promise.all(
      results.layers.map((_, i) => view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"]${attribute}`).waitFor({ timeout: UI_TIMEOUT })),
    );
  const found = Array.from({ length: results.images.count }, (_, i) => i).filter(
    (i) => results.images.injected[i] && results.predictions[i] === 7,
  );
  await runCommand(page, "MTQ: Find Images");
  await view.locator("#mtq-root .mtq-search-input:focus").waitFor({ timeout: UI_TIMEOUT });
  await page.keyboard.type(QUERY);
  await maps(`[data-selected="${found.length}"]`);
  await view.locator("#mtq-root .mtq-search-status", { hasText: `${found.length} images` }).waitFor({ timeout: UI_TIMEOUT });
  if (wants("find-images")) await capture(page, "find-images.png", `"${QUERY}": ${found.length} images`);
  await page.keyboard.press("Escape");
  await maps('[data-selected="0"]');

  const outlier = results.findings.outliers[0].image;
  await openViewContainer(page, "MTQ");
  await treeRow(page, results.experiment.name).first().click();
  await treeRow(page, /^Outliers/)
    .first()
    .click();
  await treeRow(page, imageTitle(results, outlier)).first().click();
  await maps(`[data-focus="${outlier}"]`);
  const neighbours = view.locator(`#mtq-root .mtq-neighbours[data-image="${outlier}"] .mtq-neighbour`);
  await neighbours.first().waitFor({ timeout: UI_TIMEOUT });
  if (wants("neighbours"))
    await capture(page, "neighbours.png", `${imageTitle(results, outlier)}, ${await neighbours.count()} neighbours listed`);

  // Every point in its colour: nothing selected.
  await runCommand(page, "MTQ: Clear Selection");
  await maps('[data-selected="0"]');
  await view.locator('#mtq-root [role="group"][aria-label="Map"] button', { hasText: "PCA" }).click();
  await maps('[data-map-kind="pca"]');
  if (wants("pca-map")) {
    const captions = await view.locator("#mtq-root .mtq-map-kept").allTextContents();
    await capture(page, "pca-map.png", `the PCA maps:${captions.join(";")}`);
  }
  await view.locator('#mtq-root [role="group"][aria-label="Map"] button', { hasText: "UMAP" }).click();
}

async function trainAndCapture(page: Page, workspace: string, s: Shot): Promise<void> {
  // The last shot's results view may hold the focus (its epoch slider, its search box): each example starts with none open.
  await runCommand(page, "View: Close All Editors");
  await trainExperiment(page, s.experiment, 10 * 60_000);
  const { results } = await readResultsFile(join(workspace, `${s.experiment}.results.json`));
  const view = await webviewFrame(page, `#mtq-root .mtq-sankey[data-images="${results.images.count}"]`);
  for (let i = 0; i < results.layers.length; i++) {
    await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-points="${results.images.count}"]`).waitFor({ timeout: UI_TIMEOUT });
  }
  if (s.explore && exploring) await captureExploring(page, view, results);
  if (!s.png) return;
  await s.prepare?.(view);
  await capture(page, s.png, `${s.experiment}, ${results.images.count} images, ${results.layers.length} layers`);
}

/** MTQ: Compare Results on the two 1-vs-7 seeds, both ticked in its Quick Pick. */
async function captureComparison(page: Page): Promise<void> {
  // A results view that is still loading takes the focus, which closes a Quick Pick: none stays open.
  await runCommand(page, "View: Close All Editors");
  await runCommand(page, "MTQ: Compare Results");
  await tickInQuickPick(page, ["ones-vs-sevens.results.json", `${SECOND_SEED.experiment}.results.json`]);
  const view = await webviewFrame(page, "#mtq-root .mtq-changed");
  await view.locator("#mtq-root .mtq-changed h3 button").click();
  // Away from the title bar the OK button sat under, whose hover would cover the view's title.
  await page.mouse.move(1000, 950);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(root, "media", "screenshots", "compare.png") });
  console.log("media/screenshots/compare.png: ones-vs-sevens, seeds 24 and 7");
}

async function main(): Promise<void> {
  checkSystem();
  const runDir = mkdtempSync(join(tmpdir(), "mtq-shots-"));
  const workspace = join(runDir, "workspace");
  mkdirSync(workspace);
  for (const s of shots.filter((s) => s.experiment !== SECOND_SEED.experiment))
    cpSync(join(examples, `${s.experiment}.mtq.json`), join(workspace, `${s.experiment}.mtq.json`));
  if (wants("compare")) {
    const base = JSON.parse(readFileSync(join(examples, "ones-vs-sevens.mtq.json"), "utf8")) as object;
    writeFileSync(
      join(workspace, `${SECOND_SEED.experiment}.mtq.json`),
      JSON.stringify({ ...base, name: SECOND_SEED.experiment, seed: SECOND_SEED.seed }, null, 2),
    );
  }
  cpSync(join(examples, "models"), join(workspace, "models"), { recursive: true });
  cpSync(join(examples, "images"), join(workspace, "images"), { recursive: true });
  installExtension(runDir, join(root, `${name}-${version}.vsix`));
  const server = await startCodeServer(runDir, workspace);
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, server.url);
    await waitForWorkbench(page);
    await closeWalkthrough(page);
    for (const s of shots) await trainAndCapture(page, workspace, s);
    if (wants("compare")) await captureComparison(page);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
