// `npm run package && npx tsx scripts/feature-screenshots.ts`: the README's screenshots of the CNN,
// saved-model and image-folder examples, taken in the running extension with the e2e suite's own
// code-server and browser steps (e2e/): each example is opened, trained with MTQ: Train and
// Analyze, and its results view captured into media/screenshots/.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launchBrowser, openPage } from "../e2e/browser";
import { installExtension, startCodeServer } from "../e2e/codeServer";
import { checkSystem } from "../e2e/install";
import { clearNotifications, notification, openFile, progressNotification, runCommand, UI_TIMEOUT, waitForWorkbench, webviewFrame } from "../e2e/workbench";
import type { Results } from "../src/shared/results";

const root = resolve(__dirname, "..");
const examples = join(root, "examples");
const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };

/** Example -> the screenshot it gives. */
const shots = [
  { experiment: "cnn-ones-vs-sevens", png: "cnn.png" },
  { experiment: "saved-model", png: "saved-model.png" },
  { experiment: "image-folder", png: "image-folder.png" },
];

async function main(): Promise<void> {
  checkSystem();
  const runDir = mkdtempSync(join(tmpdir(), "mtq-shots-"));
  const workspace = join(runDir, "workspace");
  mkdirSync(workspace);
  for (const s of shots) cpSync(join(examples, `${s.experiment}.mtq.json`), join(workspace, `${s.experiment}.mtq.json`));
  cpSync(join(examples, "models"), join(workspace, "models"), { recursive: true });
  cpSync(join(examples, "images"), join(workspace, "images"), { recursive: true });
  installExtension(runDir, join(root, `${name}-${version}.vsix`));
  const server = await startCodeServer(runDir, workspace);
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, server.url);
    await waitForWorkbench(page);
    for (const s of shots) {
      await openFile(page, `${s.experiment}.mtq.json`);
      await runCommand(page, "MTQ: Train and Analyze");
      const progress = progressNotification(page, `MTQ: ${s.experiment}`);
      await progress.waitFor({ timeout: UI_TIMEOUT });
      await progress.waitFor({ state: "detached", timeout: 10 * 60_000 });
      await notification(page, `MTQ: ${s.experiment}:`).waitFor({ timeout: UI_TIMEOUT });
      await clearNotifications(page);
      const results = JSON.parse(readFileSync(join(workspace, `${s.experiment}.results.json`), "utf8")) as Results;
      const view = await webviewFrame(page, `#mtq-root .mtq-sankey[data-images="${results.images.count}"]`);
      for (let i = 0; i < results.layers.length; i++) {
        await view.locator(`#mtq-root .mtq-map[data-layer="${i + 1}"][data-points="${results.images.count}"]`).waitFor({ timeout: UI_TIMEOUT });
      }
      await page.screenshot({ path: join(root, "media", "screenshots", s.png) });
      console.log(`media/screenshots/${s.png}: ${s.experiment}, ${results.images.count} images, ${results.layers.length} layers`);
    }
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
