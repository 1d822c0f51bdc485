// The results view's search box in chromium on a real run (1s against 7s, injected 4s), by the
// keyboard as a user would: Ctrl+F puts the keyboard in it (and the host's `focusSearch`, sent by
// MTQ: Find Images, does too); a query selects what it finds on every map and in the Sankey, posts
// it to the host (which the tree follows) and says how many; Enter and Shift+Enter step through
// them one image alone at a time, which the maps ring; Alt+Enter and All select them all again; a
// wrong query says what is wrong in words; the query stays across a reload; Escape empties the
// box and the selection.
// MTQ_UPDATE_SCREENSHOTS=1 refreshes the README's media/screenshots/search.png.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { browserMissing, lastSelection, openHarnessPage, send, sendLoad, type HarnessPage } from "./browser/browser";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
const skip = browserMissing();
// Made at the file's level, so that its folder lasts as long as the file's tests.
const file = skip ? "" : runExample("ones-vs-sevens-injected-4s");

describe("finding images with the search box", { skip }, () => {
  let harness: HarnessPage;
  let r: Results;

  before(async () => {
    r = (await readResultsFile(file)).results;
    harness = await openHarnessPage(root);
    await harness.show(file);
  });

  after(() => harness?.close());

  const box = () => harness.page.getByRole("textbox", { name: "Find images" });
  const status = () => harness.page.locator(".mtq-search-status").textContent();
  /** Waits until every map draws `n` images selected, then returns what the search box says. */
  const selected = async (n: number) => {
    await harness.page.waitForFunction(
      (count) => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === String(count)),
      n,
    );
    return status();
  };
  /** Types a query into the empty box and waits for the typing pause to pass and the maps to show what it found. */
  const search = async (query: string, expected: number) => {
    if (await box().inputValue()) {
      await box().fill("");
      // The emptied box's search ends first, so that the status awaited below is the query's.
      await harness.page.waitForFunction(() => document.querySelector(".mtq-search-status")?.textContent === "");
    }
    await box().pressSequentially(query);
    await harness.page.waitForFunction(
      (q) =>
        (document.querySelector(".mtq-search-status")?.textContent ?? "") !== "" &&
        document.querySelector<HTMLInputElement>(".mtq-search-input")!.value === q,
      query,
    );
    return selected(expected);
  };
  const sevens = () => Array.from({ length: r.images.count }, (_, i) => i).filter((i) => r.images.labels[i] === 7);

  it("puts the keyboard in the box on Ctrl+F and on the host's focusSearch", async () => {
    await harness.page
      .locator(".mtq-map-plot")
      .first()
      .click({ position: { x: 2, y: 2 } });
    await harness.page.keyboard.press("Control+f");
    assert.equal(await harness.page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Find images");
    await harness.page.locator(".mtq-map-plot").first().focus();
    await send(harness.page, { type: "focusSearch" });
    assert.equal(await harness.page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Find images");
    assert.match((await box().getAttribute("title"))!, /pred:7, predicted seven/, "the box's tooltip holds the syntax");
  });

  it("selects what a query finds on every map, in the Sankey and for the host, and counts it", async () => {
    const expected = sevens();
    assert.ok(expected.length > 1);
    assert.equal(await search("label:7", expected.length), `${expected.length} images`);
    assert.deepEqual(
      await lastSelection(harness.page),
      { images: expected, label: "search: label:7" },
      "the host (and so the tree) gets the images found",
    );
    // The Sankey draws them along every link out of the 7s' node, and none out of the 1s'.
    const selectedOut = (digit: number) =>
      harness.page.$$eval(
        ".mtq-sankey path[data-source]",
        (paths, id) =>
          paths
            .filter((p) => (p as SVGElement).dataset.source === id)
            .reduce((n, p) => n + Number((p as SVGElement).dataset.selected ?? 0), 0),
        r.flows.nodes.find((n) => n.kind === "digit" && n.value === digit)!.id,
      );
    assert.equal(await selectedOut(7), expected.length);
    assert.equal(await selectedOut(1), 0);
    assert.match(
      (await harness.page.locator(".mtq-selection").textContent())!,
      new RegExp(`Selection: search: label:7${expected.length} images`),
    );
  });

  it("steps through the images found one alone at a time, each ringed on every map", async () => {
    const expected = sevens();
    const stepTo = async (key: string, image: number, place: number) => {
      await box().press(key);
      assert.equal(await selected(1), `${place} of ${expected.length} images: image ${image} · 7`);
      const focus = await harness.page.$$eval(".mtq-map", (maps) => maps.map((m) => (m as HTMLElement).dataset.focus));
      assert.deepEqual(
        focus,
        r.layers.map(() => String(image)),
        "every map rings the image",
      );
      assert.deepEqual((await lastSelection(harness.page))?.images, [image]);
    };
    await stepTo("Enter", expected[0], 1);
    await stepTo("Enter", expected[1], 2);
    await stepTo("Shift+Enter", expected[0], 1);
    await stepTo("Shift+Enter", expected.at(-1)!, expected.length);
    await harness.page.getByRole("button", { name: "Next image found" }).click();
    assert.equal(await selected(1), `1 of ${expected.length} images: image ${expected[0]} · 7`);
    await box().press("Alt+Enter");
    assert.equal(await selected(expected.length), `${expected.length} images`);
    await harness.page.getByRole("button", { name: "Next image found" }).click();
    await harness.page.getByRole("button", { name: "Select every image found" }).click();
    assert.equal(await selected(expected.length), `${expected.length} images`);
  });

  it("combines terms: the injected 4s the model is unsure of, and a cluster", async () => {
    const unsure = Array.from({ length: r.images.count }, (_, i) => i).filter((i) => r.images.injected[i] && r.confidence![i] < 0.9);
    assert.equal(
      await search("injected conf<0.9", unsure.length),
      unsure.length ? `${unsure.length} image${unsure.length === 1 ? "" : "s"}` : "No image matches",
    );
    const cluster = Array.from({ length: r.images.count }, (_, i) => i).filter((i) => r.layers[0].assignments[i] === 1);
    assert.equal(await search("layer 1 cluster 1", cluster.length), `${cluster.length} images`);
  });

  it("says in words what is wrong with a query, and drops the selection the box made", async () => {
    await search("l9:c0", 0);
    assert.equal(await status(), `no layer 9: the model's hidden layers are numbered 1 to ${r.layers.length}`);
    assert.equal(await box().getAttribute("aria-invalid"), "true");
    assert.equal(await lastSelection(harness.page), null);
    await search("image 99999", 0);
    assert.match((await status())!, /^no image 99999: the images are numbered 0 to /);
    await box().fill("");
    await box().press("Enter");
    assert.match((await status())!, /^Type what you know about an image/);
  });

  it("finds the injected 4s the model calls 7 and steps to the first (the README's screenshot)", async () => {
    const expected = Array.from({ length: r.images.count }, (_, i) => i).filter((i) => r.images.injected[i] && r.predictions[i] === 7);
    assert.ok(expected.length > 1, "some injected 4s are predicted 7");
    assert.equal(await search("injected predicted seven", expected.length), `${expected.length} images`);
    await box().press("Enter");
    assert.equal(await selected(1), `1 of ${expected.length} images: image ${expected[0]} · 4 (injected)`);
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1") {
      const maps = (await harness.page.locator(".mtq-maps").boundingBox())!;
      await harness.page.screenshot({
        path: join(root, "media", "screenshots", "search.png"),
        clip: { x: 0, y: 0, width: harness.page.viewportSize()!.width, height: maps.y + maps.height + 8 },
      });
    }
  });

  it("keeps the query across a reload (getState/setState), with the image stepped to", async () => {
    const expected = sevens();
    await search("label:7", expected.length);
    await box().press("Enter");
    await selected(1);
    await harness.page.reload();
    await sendLoad(harness.page, file);
    await harness.page.waitForSelector(".mtq-sankey .mtq-node");
    assert.equal(await box().inputValue(), "label:7");
    assert.equal(await selected(1), `${expected.length} images`, "the query searched again, the selection as it was");
    await box().press("Enter");
    assert.equal(await selected(1), `1 of ${expected.length} images: image ${expected[0]} · 7`);
  });

  it("empties the box and the selection on Escape", async () => {
    await search("seven", sevens().length);
    await box().press("Escape");
    assert.equal(await selected(0), "");
    assert.equal(await box().inputValue(), "");
    assert.equal(await lastSelection(harness.page), null);
  });
});
