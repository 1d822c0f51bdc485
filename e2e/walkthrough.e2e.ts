// A first-time user's VS Code (code-server 1.100.3 in Debian's chromium): the .vsix installed
// from the command line (VS Code opens no walkthrough for that itself), then a folder with an
// experiment opened. The walkthrough opens on the extension's first activation, with every
// step's image; a step's button runs its command; a reload does not open it again; the
// extension's page shows the icon and the README's images, and no link it cannot open.
// Screenshots in .tmp/e2e-screens/.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { endSession, launchBrowser, openPage, screenshot } from "./browser";
import { installExtension, startCodeServer, type CodeServer } from "./codeServer";
import { checkSystem, packedVsix } from "./install";
import { UI_TIMEOUT, openFile, reloadWindow, runCommand, until, waitForWorkbench, webviewFrame } from "./workbench";

const root = resolve(__dirname, "..");
interface Step {
  id: string;
  title: string;
  media: { altText: string };
}
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  publisher: string;
  version: string;
  displayName: string;
  contributes: { walkthroughs: { id: string; steps: Step[] }[] };
};
const walkthrough = manifest.contributes.walkthroughs[0];
const stepId = (step: Step) => `${manifest.publisher}.${manifest.name}#${walkthrough.id}#${step.id}`;

describe("first run: the walkthrough and the extension's page", { timeout: 10 * 60_000 }, () => {
  let runDir: string;
  let workspace: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  /** How many times the extension has logged its activation (its MTQ log, one file per extension host). */
  const activations = (): number => {
    const logs = join(runDir, "user-data", "logs");
    const files = readdirSync(logs, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(join("mtq.mtq-signatures", "MTQ.log")));
    return files.reduce((n, f) => n + (readFileSync(join(logs, f), "utf8").match(/MTQ Signatures \S+ activated/g)?.length ?? 0), 0);
  };
  const waitForActivations = (count: number) => until(`the extension did not activate ${count} times`, () => activations() >= count);
  /** The image the walkthrough shows for the selected step, once drawn: its alt text. */
  const shownImage = () =>
    page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>(".getting-started-media img")].find((i) => i.naturalWidth > 0 && i.complete)?.alt,
      undefined,
      { timeout: UI_TIMEOUT },
    );

  before(async () => {
    checkSystem();
    assert.ok(existsSync(packedVsix), `${packedVsix} is missing: run \`npm run package\` (npm run test:e2e does)`);
    runDir = mkdtempSync(join(tmpdir(), "mtq-e2e-walkthrough-"));
    workspace = join(runDir, "workspace");
    mkdirSync(workspace);
    copyFileSync(join(root, "examples", "ones-vs-sevens.mtq.json"), join(workspace, "ones-vs-sevens.mtq.json"));
    installExtension(runDir, packedVsix);
    server = await startCodeServer(runDir, workspace);
    browser = await launchBrowser();
    page = await openPage(browser, server.url);
    await waitForWorkbench(page);
  });

  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && page) await screenshot(page, `walkthrough-failed-${t.name.replace(/\W+/g, "-")}`);
  });

  after(() => endSession(browser, server, runDir, "code-server-walkthrough.log"));

  it("opens the walkthrough on the first activation, its steps in order, each with its image drawn", async () => {
    await page.locator(`.getting-started-step[data-step-id="${stepId(walkthrough.steps[0])}"]`).waitFor({ timeout: UI_TIMEOUT });
    // The log reaches its file after the walkthrough is on screen (it was read as 0 once): wait for the line, then count.
    await waitForActivations(1);
    assert.equal(activations(), 1);
    assert.deepEqual(
      await page.locator(".getting-started-step").evaluateAll((steps) => steps.map((s) => s.getAttribute("data-step-id"))),
      walkthrough.steps.map(stepId),
    );
    assert.equal(await (await shownImage()).jsonValue(), walkthrough.steps[0].media.altText);
    await screenshot(page, "walkthrough-01-opened");
    for (const step of walkthrough.steps.slice(1)) {
      await page.locator(`.getting-started-step[data-step-id="${stepId(step)}"]`).click();
      await page.waitForFunction(
        (alt) =>
          [...document.querySelectorAll<HTMLImageElement>(".getting-started-media img")].some((i) => i.alt === alt && i.naturalWidth > 0),
        step.media.altText,
        { timeout: UI_TIMEOUT },
      );
    }
    await screenshot(page, "walkthrough-02-last-step");
  });

  it("runs a step's command from its button: New Experiment writes experiment.mtq.json and opens it", async () => {
    await page.locator(`.getting-started-step[data-step-id="${stepId(walkthrough.steps[0])}"]`).click();
    await page.locator(".getting-started-step.expanded").getByRole("button", { name: "New Experiment" }).click();
    await page.locator('.tabs-container .tab.active[aria-label^="experiment.mtq.json"]').waitFor({ timeout: UI_TIMEOUT });
    assert.ok(existsSync(join(workspace, "experiment.mtq.json")));
    await screenshot(page, "walkthrough-03-new-experiment");
  });

  it("does not open it again on a later activation (a window reload)", async () => {
    await runCommand(page, "View: Close All Editors");
    await reloadWindow(page);
    await waitForActivations(2);
    // The first activation opened it within a second of its log line; this one is given several.
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal(await page.locator(".getting-started-step").count(), 0);
    assert.equal(await page.locator(".tabs-container .tab").count(), 0);
    await openFile(page, "ones-vs-sevens.mtq.json");
  });

  it("shows the extension's page: its icon, the README's images drawn, no link the page cannot open", async () => {
    await page.keyboard.press("Control+Shift+X");
    await page.locator(".extensions-viewlet .suggest-input-container").click();
    await page.keyboard.type("@installed mtq");
    await page.locator(".extensions-viewlet .monaco-list-row", { hasText: manifest.displayName }).first().click();
    const icon = page.locator(".extension-editor .header img.icon");
    await page.waitForFunction(
      () => (document.querySelector<HTMLImageElement>(".extension-editor .header img.icon")?.naturalWidth ?? 0) > 0,
      undefined,
      {
        timeout: UI_TIMEOUT,
      },
    );
    assert.equal(await icon.evaluate((i) => (i as HTMLImageElement).naturalWidth), 128);
    const readme = await webviewFrame(page, 'img[alt^="The results view"]');
    // The README the .vsix carries (npm run package wrote it), its images inside it.
    const expectedImages = [...readFileSync(join(root, "dist", "README.md"), "utf8").matchAll(/!\[/g)].length;
    await readme.waitForFunction(
      (count) => [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length === count,
      expectedImages,
      { timeout: UI_TIMEOUT },
    );
    const hrefs = await readme.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    assert.deepEqual(
      hrefs.filter((href) => !/^(https?:|mailto:|#)/.test(href)),
      [],
    );
    await screenshot(page, "walkthrough-04-extension-page");
  });
});
