// Selections crossing between the results webview (Debian's chromium via playwright-core) and the
// host, both ways, on a real 1-vs-7 run: Save selection… and Table… of a lasso of half the images go
// to the host as a bitset's base64 (shorter than their list), which the host reads (selectionOf) as
// exactly the images the view selected, saves (the selections file) and tables (the tidy table's
// rows); the tree's `select` of a cluster comes to the view as a bitset, of a few images listed, and
// selects exactly them; a malformed selection from the host (a bitset of another length, not base64,
// a list of other things) is ignored, the one shown kept, and the view does not fail.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { selectionOf as hostSelectionOf } from "../src/host/postedSelection";
import { withSelection } from "../src/host/selectionEdits";
import { childrenOf, experimentNode, NONE_SAVED, selectionOf as treeSelectionOf } from "../src/host/treeModel";
import { readResultsFile } from "../src/results/read";
import { readSelections, writeSelections } from "../src/results/selectionsFile";
import { tidyTable } from "../src/results/table";
import type { HostToWebview, PostedSelection, Selection, WebviewState } from "../src/shared/protocol";
import type { Results } from "../src/shared/results";
import { bitsLength, postedSelection } from "../src/shared/selectionBits";
import {
  browserMissing,
  cspViolations,
  hostReads,
  lassoShare,
  lastPosted,
  lastSelection,
  openHarnessPage,
  type HarnessPage,
  posted,
  savedStateOf,
  send,
} from "./browser/browser";
import { runNamedSelectionsExperiment, tempDir } from "./helpers";

const root = join(__dirname, "..");
const skip = browserMissing();

describe("selections between the results webview and the host", { skip }, () => {
  let harness: HarnessPage;
  let page: Page;
  let file: string;
  let results: Results;
  let count: number;
  const dir = tempDir();

  const mapSelected = () => page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.selected)));
  /** The selection the view keeps in its state, as the host would read it (null: none). */
  const stateSelection = async (): Promise<Selection | null> => {
    const state = (await savedStateOf(page)) as WebviewState;
    const kept = state.selection ?? state.selectionBits ?? null;
    return kept && hostSelectionOf(kept, count);
  };
  /** The host's `select`, as ResultsViews.showSelection posts it. */
  const hostSelects = (selection: Selection | null) =>
    send(page, { type: "select", selection: selection && postedSelection(selection, count) } as HostToWebview);

  before(async () => {
    file = runNamedSelectionsExperiment(dir);
    ({ results } = await readResultsFile(file));
    count = results.images.count;
    harness = await openHarnessPage(root);
    page = harness.page;
    await harness.show(file, "named.results.json");
  });

  after(() => harness?.close());

  /** A lasso round the left half of the first map: about half the images. */
  const lassoLeftHalf = async (): Promise<Selection> => {
    await lassoShare(page, [0, 0, 0.5, 1]);
    const lasso = (await lastSelection(page))!;
    assert.ok(lasso.images.length > 8 && lasso.images.length < count, `the lasso selected ${lasso.images.length} of ${count}`);
    return lasso;
  };

  it("Save selection… of a lasso posts a bitset; the host reads exactly the lasso's images and saves them", async () => {
    const lasso = await lassoLeftHalf();
    await page.getByRole("button", { name: "Save selection…", exact: true }).click();
    const sent = (await lastPosted(page, "saveSelection"))!.selection;
    assert.ok("bits" in sent, `a bitset: ${JSON.stringify(sent).slice(0, 100)}`);
    assert.equal(sent.bits.length, bitsLength(count));
    assert.ok(sent.bits.length < JSON.stringify(lasso.images).length, "shorter than the list");
    // What the host's handler reads (panel.ts: selectionOf against the results' image count), then saves (SavedSelectionsStore.save).
    const read = hostSelectionOf(sent, count)!;
    assert.deepEqual(read, lasso);
    await writeSelections(file, withSelection([], "half", read), count);
    assert.deepEqual(
      (await readSelections(file, count)).map((s) => s.images),
      [lasso.images],
    );
  });

  it("Table… of the lasso posts a bitset; the host tables exactly those images", async () => {
    const lasso = (await lastSelection(page))!;
    await page.getByRole("button", { name: "Table…", exact: true }).click();
    const sent = (await lastPosted(page, "exportTable"))!.selection!;
    assert.ok("bits" in sent);
    const read = hostSelectionOf(sent, count)!;
    assert.deepEqual(read, lasso);
    const table = tidyTable(results, { images: read.images });
    assert.equal(table.rowCount, lasso.images.length);
    assert.deepEqual(table.columns.find((c) => c.name === "id")!.values, lasso.images);
    // Nothing selected: every image, no selection posted.
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Table…", exact: true }).click();
    assert.equal((await lastPosted(page, "exportTable"))!.selection, null);
  });

  it("the tree's select of a cluster comes as a bitset and selects exactly its images, without an echo", async () => {
    const [layer1] = childrenOf(experimentNode(file), results, NONE_SAVED);
    const clusters = childrenOf(layer1, results, NONE_SAVED).map((node) => treeSelectionOf(node, results, NONE_SAVED)!);
    const cluster = clusters.sort((a, b) => b.images.length - a.images.length)[0];
    const message = postedSelection(cluster, count);
    assert.ok("bits" in message, `a cluster of ${cluster.images.length} of ${count} images goes as a bitset`);
    const before = (await posted(page)).length;
    await hostSelects(cluster);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === n),
      String(cluster.images.length),
    );
    assert.deepEqual(await stateSelection(), cluster);
    // Its thumbnails' pixels may be asked for; the selection is not posted back.
    assert.deepEqual(
      (await posted(page)).slice(before).filter((m) => m.type !== "pixels"),
      [],
    );
  });

  it("the tree's select of a few images comes listed and selects exactly them", async () => {
    const few: Selection = { images: [2, 7, 30], label: "outliers" };
    assert.deepEqual(postedSelection(few, count), few, "a few images are shorter listed");
    await hostSelects(few);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === "3"));
    assert.deepEqual(await stateSelection(), few);
    assert.match((await page.locator(".mtq-selection h2").textContent()) ?? "", /outliers/);
  });

  it("ignores a select the results cannot hold, keeping the selection shown, and does not fail", async () => {
    const shown = await stateSelection();
    const before = (await posted(page)).length;
    const good = postedSelection({ images: [...Array(count).keys()].filter((i) => i % 2), label: "odd" }, count) as { bits: string };
    const hostile: unknown[] = [
      { label: "another file's", bits: `${good.bits}AAAA` },
      { label: "shorter", bits: good.bits.slice(4) },
      { label: "not base64", bits: `!${good.bits.slice(1)}` },
      { label: "a number", bits: 12 },
      { label: "empty", bits: "" },
      { label: "huge", bits: "A".repeat(8 * 2 ** 20) },
      { label: "not a list", images: "1,2,3" },
      { label: 5, images: [1] },
      "a string",
    ];
    for (const selection of hostile) {
      await send(page, { type: "select", selection: selection as PostedSelection });
      assert.deepEqual(await stateSelection(), shown, JSON.stringify(selection).slice(0, 80));
    }
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => shown!.images.length),
    );
    assert.deepEqual(
      (await posted(page)).slice(before).filter((m) => m.type !== "pixels"),
      [],
      "no error posted, no selection changed",
    );
    assert.doesNotMatch((await page.locator("#mtq-root").textContent()) ?? "", /failed/);
    // The host's null clears; a good one selects again.
    await send(page, { type: "select", selection: null });
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === "0"));
    await send(page, { type: "select", selection: good as PostedSelection });
    const odd = Math.floor(count / 2);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === n),
      String(odd),
    );
    assert.deepEqual(await cspViolations(page), []);
  });

  it("the host refuses a malformed selection the view posts (Save Selection, Export Table), without a throw", async () => {
    const lasso = await lassoLeftHalf();
    const bits = ((await lastPosted(page, "selectionChanged"))!.selection as { bits: string }).bits;
    assert.deepEqual(await hostReads(page, { label: lasso.label, bits }), lasso);
    for (const bad of [
      { label: "x", bits: `${bits}AAAA` },
      { label: "x", bits: `${bits.slice(0, -1)}!` },
      { label: "x", bits: 7 },
      { label: "x", images: [count] },
      { label: "x", images: [-1] },
      { label: "x", images: null },
      { bits },
      null,
      "x",
    ])
      assert.equal(hostSelectionOf(bad as PostedSelection, count), null, JSON.stringify(bad)?.slice(0, 80));
  });
});
