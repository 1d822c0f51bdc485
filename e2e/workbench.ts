// What a person does in the VS Code workbench, as Playwright steps: the Command Palette, Quick
// Open, notifications, the Problems panel, a sidebar tree, a webview. Selectors are VS Code
// 1.100's DOM; every step waits on a condition, with timeouts generous enough for 2-core CI.
import type { Frame, Locator, Page } from "playwright-core";

/** Long enough for a slow machine's first extension-host start, short enough to fail usefully. */
export const UI_TIMEOUT = 60_000;
/** Training the small experiment takes seconds here; a slow CI machine gets ample room. */
export const TRAINING_TIMEOUT = 10 * 60_000;

const quickInput = ".quick-input-widget input.input";

/** Waits until the workbench is up and the extension host has opened the workspace's files. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator(".monaco-workbench .part.activitybar").waitFor({ timeout: UI_TIMEOUT });
  await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: UI_TIMEOUT });
}

/**
 * Waits for the walkthrough the extension opens on its first activation, then closes its tab (its
 * close button: F1 does not reach the Command Palette while the walkthrough has the focus), so
 * that every editor on screen is one the steps open. e2e/walkthrough.e2e.ts checks the walkthrough.
 */
export async function closeWalkthrough(page: Page): Promise<void> {
  await closeTab(page, "Walkthrough");
}

/** Closes the editor tab whose name starts with `name` with its close button (the mouse: a webview holding the focus takes keys). */
export async function closeTab(page: Page, name: string): Promise<void> {
  const tab = page.locator(".tabs-container .tab", { has: page.locator(".label-name", { hasText: name }) });
  await tab.waitFor({ timeout: UI_TIMEOUT });
  await tab.locator(".codicon-close").click();
  await tab.waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/**
 * Developer: Reload Window, as a person reloads; resolves once the new page's workbench is up
 * (its activity bar: the sidebar may show another container than the Explorer).
 *
 * A mark left on the old page tells the pages apart, so the new one is seen whenever and however
 * it arrives: waiting for the page's "load" event timed out once in two runs of the suite.
 */
export async function reloadWindow(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { mtqOldPage: true }));
  await runCommand(page, "Developer: Reload Window");
  // Between the two pages there is no page to ask: that is "not yet", not a failure.
  await until("the window did not reload", () =>
    page
      .evaluate(() => !("mtqOldPage" in window) && document.querySelector(".monaco-workbench .part.activitybar") !== null)
      .catch(() => false),
  );
}

/**
 * Polls `condition` every 250 ms until it holds, for what no page event announces (files the
 * extension host writes, its log, a reloaded page); `what` (e.g. "x was not written") is thrown after UI_TIMEOUT.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${UI_TIMEOUT / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** F1, the command's title, Enter: as a person runs a command. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await pickInQuickInput(page, "F1", title);
}

/** Ctrl+P, the file name, Enter; resolves when its editor tab is active. */
export async function openFile(page: Page, name: string): Promise<void> {
  await pickInQuickInput(page, "Control+P", name);
  await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: UI_TIMEOUT });
}

/** How long a key that opens the Quick Input gets to show it before the key is pressed again. */
const QUICK_INPUT_OPENS = 15_000;

/**
 * `key` opens the Quick Input, then `text` is chosen in it. A view that finishes loading (a webview
 * after a reload, the image preview a "Saved" notification's Open opened) can take the focus, which
 * closes the Quick Input under the typing, or before it was ever seen open: both are seen, and the
 * person's next move, opening it again, is made (at most three times).
 */
async function pickInQuickInput(page: Page, key: string, text: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    const opened = await page
      .locator(quickInput)
      .waitFor({ state: "visible", timeout: QUICK_INPUT_OPENS })
      .then(
        () => true,
        () => false,
      );
    if (opened && (await choseInQuickPick(page, text, undefined, QUICK_INPUT_OPENS))) return;
    if (attempt === 3) throw new Error(`the Quick Input closed three times before "${text}" could be chosen`);
  }
}

/**
 * In the Quick Pick a command opened: types `text`, then Enter on the entry it leaves focused, which
 * must also hold `holding` (its description, say) when given.
 */
export async function chooseInQuickPick(page: Page, text: string, holding?: string): Promise<void> {
  if (!(await choseInQuickPick(page, text, holding))) throw new Error(`the Quick Pick closed before "${text}" could be chosen`);
}

/**
 * Types `text` and presses Enter on its entry; false when the Quick Input closed before the entry
 * was focused, or is not seen open within `opensWithin` (it was open a moment ago and lost the focus).
 */
async function choseInQuickPick(page: Page, text: string, holding?: string, opensWithin = UI_TIMEOUT): Promise<boolean> {
  const input = page.locator(quickInput);
  const open = await input.waitFor({ state: "visible", timeout: opensWithin }).then(
    () => true,
    () => false,
  );
  if (!open) return false;
  await input.pressSequentially(text);
  // The list filters as one types: Enter only once the wanted entry is the focused one.
  const focused = page.locator(".quick-input-list .monaco-list-row.focused", { hasText: text });
  const entry = holding === undefined ? focused : focused.filter({ hasText: holding });
  // Whichever comes first; the other wait is left to settle on its own, its outcome unused.
  const chosen = await Promise.race([
    entry.waitFor({ timeout: UI_TIMEOUT }).then(
      () => true,
      () => undefined,
    ),
    input.waitFor({ state: "hidden", timeout: UI_TIMEOUT }).then(
      () => false,
      () => undefined,
    ),
  ]);
  if (chosen === undefined) throw new Error(`"${text}" was not the focused entry of the Quick Pick within ${UI_TIMEOUT / 1000} s`);
  if (!chosen) return false;
  await page.keyboard.press("Enter");
  // The entry goes; the Quick Input may stay, holding what the choice asks next (a save dialog, another pick).
  await entry.waitFor({ state: "hidden", timeout: UI_TIMEOUT });
  return true;
}

/**
 * Answers code-server's save dialog (a Quick Input holding a path, not the system's dialog): waits
 * until it holds `path` (it fills the folder in, then the name), then Enter.
 */
export async function saveInDialog(page: Page, path: string): Promise<void> {
  await page.locator(quickInput).waitFor({ state: "visible", timeout: UI_TIMEOUT });
  await page.waitForFunction(
    (expected) => document.querySelector<HTMLInputElement>(".quick-input-widget input.input")?.value === expected,
    path,
    {
      timeout: UI_TIMEOUT,
    },
  );
  await page.keyboard.press("Enter");
}

/** Presses `button` in the modal dialog whose text holds `text` (a `showWarningMessage` with `modal: true`); resolves once it closed. */
export async function answerDialog(page: Page, text: string | RegExp, button: string): Promise<void> {
  const dialog = page.locator(".monaco-dialog-box", { hasText: text });
  await dialog.waitFor({ timeout: UI_TIMEOUT });
  await dialog.locator(".monaco-button", { hasText: button }).first().click();
  await dialog.waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/** The notification toast whose text contains `text`, once it has faded in (so a screenshot shows it). */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator(".notifications-toasts .notification-toast.notification-fade-in-done", { hasText: text });
}

/** Dismisses every notification, so that the next screenshot shows what is under them. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, "Notifications: Clear All Notifications");
  await page.locator(".notifications-toasts .notification-toast").first().waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/** The toast of a running `withProgress` notification: it has a Cancel button while it runs. */
export function progressNotification(page: Page, title: string): Locator {
  return notification(page, title).filter({ has: page.locator(".monaco-button", { hasText: "Cancel" }) });
}

/**
 * MTQ: Train and Analyze on the experiment `name` (NAME.mtq.json): waits for its progress to end
 * and its summary, then clears the notifications. `whileRunning` runs once the progress shows.
 */
export async function trainExperiment(page: Page, name: string, timeout: number, whileRunning?: () => Promise<unknown>): Promise<void> {
  await openFile(page, `${name}.mtq.json`);
  await runCommand(page, "MTQ: Train and Analyze");
  const progress = progressNotification(page, `MTQ: ${name}`);
  await progress.waitFor({ timeout: UI_TIMEOUT });
  await whileRunning?.();
  await progress.waitFor({ state: "detached", timeout });
  await notification(page, `MTQ: ${name}:`).waitFor({ timeout: UI_TIMEOUT });
  await clearNotifications(page);
}

/** Ticks the entries labelled `labels` in an open multi-select Quick Pick, then presses its OK. */
export async function tickInQuickPick(page: Page, labels: string[]): Promise<void> {
  for (const label of labels)
    await page.locator(`.quick-input-list .monaco-checkbox[aria-label="${label}"]`).click({ timeout: UI_TIMEOUT });
  await page.locator(".quick-input-action .monaco-button", { hasText: "OK" }).click();
}

/** The rows of the Problems panel (opened with its command), each as "message source (line, col)". */
export async function problems(page: Page, expected: string | RegExp): Promise<string[]> {
  await runCommand(page, "Problems: Focus on Problems View");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: expected });
  await row.first().waitFor({ timeout: UI_TIMEOUT });
  return page
    .locator(".markers-panel .monaco-list-row")
    .evaluateAll((rows) => rows.map((r) => (r.getAttribute("aria-label") ?? r.textContent ?? "").trim()));
}

/** Waits until no row of the Problems panel (opened with its command) shows `text`. */
export async function noProblem(page: Page, text: string | RegExp): Promise<void> {
  await runCommand(page, "Problems: Focus on Problems View");
  await page.locator(".markers-panel .monaco-list-row", { hasText: text }).first().waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/**
 * In the active editor: moves the cursor to the next problem, then Ctrl+. and the Quick Fix
 * titled `title` from the menu, as a person fixes a problem from the keyboard.
 */
export async function applyQuickFix(page: Page, title: string): Promise<void> {
  await runCommand(page, "Go to Next Problem (Error, Warning, Info)");
  // The problem's peek shows under the line; the cursor stays on the problem once it closes.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+.");
  const fix = page.locator(".action-widget .monaco-list-row.action", { hasText: title });
  await fix.first().waitFor({ timeout: UI_TIMEOUT });
  // The menu takes the keyboard (a layer over the page swallows clicks): arrow to the fix, Enter.
  for (let moves = 0; !(await fix.first().getAttribute("class"))?.split(" ").includes("focused"); moves++) {
    if (moves === (await page.locator(".action-widget .monaco-list-row.action").count()))
      throw new Error(`no Quick Fix "${title}" to focus`);
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Enter");
  await fix.first().waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/** Opens an activity-bar container by its title (e.g. "MTQ"). */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const item = page.locator(`.activitybar .action-item a[aria-label^="${title}"]`);
  await item.waitFor({ timeout: UI_TIMEOUT });
  if ((await item.locator("xpath=..").getAttribute("class"))?.includes("checked")) return;
  await item.click();
}

/** A row of the sidebar's trees, by its label. */
export function treeRow(page: Page, label: string | RegExp): Locator {
  return page.locator(".part.sidebar .monaco-list-row", { hasText: label });
}

/**
 * Right-clicks a sidebar tree row and runs `action` from its context menu, from the keyboard (the
 * menu has it): a click on an entry was not taken in code-server, the menu stayed open.
 */
export async function treeRowMenu(row: Locator, action: string): Promise<void> {
  const page = row.page();
  await row.click({ button: "right" });
  const entries = page.locator(".context-view .monaco-menu .action-item:not(.disabled)");
  const item = entries.filter({ hasText: action }).first();
  await item.waitFor({ timeout: UI_TIMEOUT });
  for (let moves = 0; !(await item.getAttribute("class"))?.split(" ").includes("focused"); moves++) {
    if (moves > (await entries.count())) throw new Error(`no context menu entry "${action}" to focus`);
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Enter");
  await item.waitFor({ state: "detached", timeout: UI_TIMEOUT });
}

/** Clicks the inline action titled `title` (its icon, shown on hover) of a sidebar tree row. */
export async function treeRowAction(row: Locator, title: string): Promise<void> {
  await row.hover();
  await row.locator(`.actions .action-label[aria-label="${title}"]`).click({ timeout: UI_TIMEOUT });
}

/**
 * The frame of a webview whose document holds `selector`. VS Code nests each webview in two
 * iframes (a host frame, then the content frame), so the frame is searched for, not named.
 */
export async function webviewFrame(page: Page, selector: string): Promise<Frame> {
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    for (const frame of page.frames()) {
      if (
        await frame
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview frame holds ${selector} after ${UI_TIMEOUT / 1000} s`);
    await page.waitForEvent("framenavigated", { timeout: 1_000 }).catch(() => undefined);
  }
}
