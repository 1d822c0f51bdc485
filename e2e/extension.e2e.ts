// The extension in a real VS Code (code-server 1.100.3 in Debian's chromium), used as a person
// would. Run with `npm run test:e2e`, which first builds the .vsix and installs code-server.
// Each step saves a screenshot in .tmp/e2e-screens/.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage, screenshot } from "./browser";
import { installExtension, startCodeServer, type CodeServer } from "./codeServer";
import { checkSystem } from "./install";
import { createWorkspace, type Workspace } from "./workspace";
import { openFile, problems, waitForWorkbench } from "./workbench";

const root = resolve(__dirname, "..");
const { name, version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
const vsix = join(root, `${name}-${version}.vsix`);

describe("MTQ Signatures in VS Code", { timeout: 15 * 60_000 }, () => {
  let runDir: string;
  let workspace: Workspace;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    checkSystem();
    assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` (npm run test:e2e does)`);
    runDir = mkdtempSync(join(tmpdir(), "mtq-e2e-"));
    workspace = createWorkspace(join(runDir, "workspace"));
    installExtension(runDir, vsix);
    server = await startCodeServer(runDir, workspace.dir);
    browser = await launchBrowser();
    page = await openPage(browser, server.url);
    await waitForWorkbench(page);
    await screenshot(page, "01-workbench");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it("names the misspelt field of a malformed experiment in the Problems panel", async () => {
    await openFile(page, "malformed.mtq.json");
    const rows = await problems(page, workspace.malformed.field);
    await screenshot(page, "02-problems");
    assert.ok(
      rows.some((r) => r.includes(workspace.malformed.field)),
      `no problem names "${workspace.malformed.field}":\n${rows.join("\n")}`,
    );
  });
});
