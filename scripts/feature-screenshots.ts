// `npm run package && npx tsx scripts/feature-screenshots.ts [SHOT...]`: the README's screenshots of
// the CNN, saved-model and image-folder examples, the epoch slider and the comparison view, taken
// in the running extension with the e2e suite's own code-server and browser steps (e2e/): each
// example is opened, trained with MTQ: Train and Analyze, and its results view captured into
// media/screenshots/; then MTQ: Compare Results compares two seeds of the 1-vs-7 example. Naming
// shots (e.g. `epochs compare`) retakes only those.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser, openPage } from "../e2e/browser";
import { installExtension, startCodeServer } from "../e2e/codeServer";
import { checkSystem } from "../e2e/install";
import { runCommand, tickInQuickPick, trainExperiment, UI_TIMEOUT, waitForWorkbench, webviewFrame } from "../e2e/workbench";
import type { Frame, Page } from "playwright-core";
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
}

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
const compareShots: Shot[] = [{ experiment: "ones-vs-sevens" }, { experiment: SECOND_SEED.experiment }];

/** The shots named on the command line (by their PNG's name; "compare" for the comparison), else all. */
const wanted = process.argv.slice(2);
const wants = (name: string) => wanted.length === 0 || wanted.includes(name);
const shots = [...featureShots.filter((s) => wants(s.png!.replace(/\.png$/, ""))), ...(wants("compare") ? compareShots : [])];

async function trainAndCapture(page: Page, workspace: string, s: Shot): Promise<void> {
  await trainExperiment(page, s.experiment, 10 * 60_000);
  const results = JSON.parse(readFileSync(join(workspace, `${s.experiment}.results.json`), "utf8")) as Results;
  const view = await webviewFrame(page, `#mtq-root .mtq-sankey[data-images="${results.images.count}"]`);
  for (let i = 0; i < results.layers.length; i++) {
    await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-points="${results.images.count}"]`).waitFor({ timeout: UI_TIMEOUT });
  }
  if (!s.png) return;
  await s.prepare?.(view);
  await page.screenshot({ path: join(root, "media", "screenshots", s.png) });
  console.log(`media/screenshots/${s.png}: ${s.experiment}, ${results.images.count} images, ${results.layers.length} layers`);
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
