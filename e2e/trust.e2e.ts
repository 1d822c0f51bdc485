// Workspace trust in a real VS Code (code-server with trust on): in a restricted workspace MTQ
// checks experiments against the schema only, reads none of the data files they name, and refuses
// to train, saying why and how to trust; once trusted, the data checks run. Run by `npm run test:e2e`.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { endSession, launchBrowser, openPage, screenshot } from "./browser";
import { installExtension, startCodeServer, type CodeServer } from "./codeServer";
import { checkSystem, packedVsix } from "./install";
import { UI_TIMEOUT, closeWalkthrough, notification, openFile, problems, runCommand, waitForWorkbench } from "./workbench";

/** A misspelt field (a schema problem) and a CSV that is not there (a data problem): what each trust level shows. */
const EXPERIMENT = {
  name: "restricted",
  data: { source: { csv: "digits.csv" }, digits: [1, 7], perDigit: 10 },
  training: { epocs: 3 },
};

describe("MTQ Signatures in a restricted workspace", { timeout: 10 * 60_000 }, () => {
  let runDir: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    checkSystem();
    assert.ok(existsSync(packedVsix), `${packedVsix} is missing: run \`npm run package\` (npm run test:e2e does)`);
    runDir = mkdtempSync(join(tmpdir(), "mtq-e2e-trust-"));
    const workspace = join(runDir, "workspace");
    mkdirSync(workspace);
    writeFileSync(join(workspace, "restricted.mtq.json"), `${JSON.stringify(EXPERIMENT, null, 2)}\n`);
    installExtension(runDir, packedVsix);
    server = await startCodeServer(runDir, workspace, { trust: true });
    browser = await launchBrowser();
    page = await openPage(browser, server.url);
    // The window asks first, as it does a person opening a folder from someone else.
    await page.locator(".monaco-dialog-box .monaco-button", { hasText: "No, I don't trust the authors" }).click({ timeout: UI_TIMEOUT });
    await waitForWorkbench(page);
    await closeWalkthrough(page);
    await screenshot(page, "trust-01-restricted");
  });

  afterEach(async (t) => {
    if ((t as { passed?: boolean }).passed === false && page) await screenshot(page, `failed-trust-${t.name.replace(/\W+/g, "-")}`);
  });

  after(() => endSession(browser, server, runDir, "code-server-trust.log"));

  it("underlines the schema's problems, and reads no data file: the missing CSV is not reported", async () => {
    await openFile(page, "restricted.mtq.json");
    // The misspelt field and the missing CSV come from one check: once the first shows, the check is done.
    const rows = await problems(page, "training.epocs");
    await screenshot(page, "trust-02-schema-only");
    assert.ok(!rows.some((r) => r.includes("digits.csv")), `a data file was checked before trust:\n${rows.join("\n")}`);
  });

  it("refuses Train and Analyze, saying why and how to trust", async () => {
    await runCommand(page, "MTQ: Train and Analyze");
    const refusal = notification(page, "MTQ does not train in an untrusted workspace");
    await refusal.waitFor({ timeout: UI_TIMEOUT });
    await refusal.locator(".monaco-button", { hasText: "Manage Workspace Trust" }).waitFor({ timeout: UI_TIMEOUT });
    await screenshot(page, "trust-03-refused");
    assert.ok(!existsSync(join(runDir, "workspace", "restricted.results.json")), "a results file was written");
  });

  it("checks the data once the workspace is trusted: the missing CSV is named", async () => {
    await runCommand(page, "Workspaces: Manage Workspace Trust");
    await page.locator(".workspace-trust-editor .monaco-button", { hasText: "Trust" }).first().click({ timeout: UI_TIMEOUT });
    const rows = await problems(page, "digits.csv");
    await screenshot(page, "trust-04-trusted");
    assert.ok(
      rows.some((r) => r.includes("digits.csv") && r.includes("file not found")),
      rows.join("\n"),
    );
  });
});
