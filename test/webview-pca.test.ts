// The Map toggle (UMAP | PCA) on a real run of examples/ones-vs-sevens.mtq.json, which stores both
// maps per layer: it shows, says which is pressed, and switching redraws every map from the layer's
// PCA positions (a point hovered and clicked where its PCA place is, its ring there, and back on
// UMAP at its UMAP place, the selection kept), the caption saying the variance the axes hold; the
// choice kept across a reload; and no toggle (the UMAP maps) for a file written before PCA maps.
// All of it with WebGL (chromium's SwiftShader) and on the 2-D canvas the view falls back to when
// WebGL is off (chromium's --disable-webgl), the point's own colour read from the screen at its PCA place.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PNG } from "pngjs";
import { readResultsFile } from "../src/results/read";
import { DIGIT_COLORS } from "../src/shared/digitColors";
import { imageTitle } from "../src/shared/imageName";
import type { Results } from "../src/shared/results";
import {
  browserMissing,
  cspViolations,
  type HarnessPage,
  lastPosted,
  lastSelection,
  mapFit,
  openHarnessPage,
  savedStateOf,
  sendLoad,
} from "./browser/browser";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
const skip = browserMissing();
const file = skip ? "" : runExample("ones-vs-sevens");
/** The dark harness theme's editor background, under the points. */
const BACKGROUND = [0x1f, 0x1f, 0x1f];

for (const webgl of [true, false]) {
  const renderer = webgl ? "webgl" : "canvas";
  describe(`the Map toggle: UMAP or PCA, ${webgl ? "with WebGL" : "on the 2-D canvas (WebGL off)"}`, { skip }, () => {
    let harness: HarnessPage;
    let r: Results;

    before(async () => {
      ({ results: r } = await readResultsFile(file));
      harness = await openHarnessPage(root, { width: 1400, height: 1000 }, { webgl });
      await harness.show(file);
    });

    after(() => harness?.close());

    const toggle = () => harness.page.locator('[role="group"][aria-label="Map"] button');
    const pressed = () => harness.page.locator('[role="group"][aria-label="Map"] button[aria-pressed="true"]').textContent();
    const mapAttr = (name: string) => harness.page.$$eval(".mtq-map", (maps, n) => maps.map((m) => (m as HTMLElement).dataset[n]), name);
    const percent = (share: number) => `${Math.round(100 * share)}%`;

    /** Where image `i` is drawn on layer `layer`'s map, unzoomed, from `pos` ([x0, y0, ...]): page coordinates. */
    const placeOf = async (layer: number, pos: ArrayLike<number>, i: number) => (await mapFit(harness.page, layer, pos)).placeOf(i);

    /** The kept image farthest from any other on `pos` (so a pointer at its place finds it alone, drawn as a dot), and that distance in map units. */
    const loneImage = (pos: ArrayLike<number>): { image: number; gap: number } => {
      let best = { image: 0, gap: -1 };
      const n = pos.length / 2;
      for (let i = 0; i < n; i++) {
        if (r.images.injected[i]) continue;
        let gap = Infinity;
        for (let j = 0; j < n; j++) if (j !== i) gap = Math.min(gap, Math.hypot(pos[2 * i] - pos[2 * j], pos[2 * i + 1] - pos[2 * j + 1]));
        if (gap > best.gap) best = { image: i, gap };
      }
      return best;
    };

    const ringAt = (layer: number) =>
      harness.page
        .locator(".mtq-focus-ring .mtq-focus-line")
        .nth(layer)
        .evaluate((c) => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]);

    it(`shows UMAP | PCA for a run that stored both, UMAP pressed, each caption with its UMAP figure (${renderer})`, async () => {
      assert.deepEqual(
        await mapAttr("renderer"),
        r.layers.map(() => renderer),
      );
      assert.ok(
        r.layers.every((l) => l.pca && l.pcaExplained),
        "the run stores a PCA map per layer",
      );
      assert.deepEqual(await toggle().allTextContents(), ["UMAP", "PCA"]);
      assert.equal(await pressed(), "UMAP");
      assert.deepEqual(
        await mapAttr("mapKind"),
        r.layers.map(() => "umap"),
      );
      assert.deepEqual(
        await harness.page.locator(".mtq-map-kept").allTextContents(),
        r.layers.map((l) => ` · ${percent(l.umapNeighboursKept!)} of neighbours kept`),
      );
    });

    it("redraws every map from its PCA positions: every point drawn, the caption's variance, hover and click find the image at its PCA place", async () => {
      const { page } = harness;
      await toggle().filter({ hasText: "PCA" }).press("Enter");
      assert.equal(await pressed(), "PCA");
      assert.deepEqual(
        await mapAttr("mapKind"),
        r.layers.map(() => "pca"),
      );
      assert.deepEqual(
        (await mapAttr("points")).map(Number),
        r.layers.map(() => r.images.count),
      );
      assert.deepEqual(
        await page.locator(".mtq-map-kept").allTextContents(),
        r.layers.map(
          (l) =>
            ` · PCA: ${percent(l.pcaExplained![0])} + ${percent(l.pcaExplained![1])} of the variance · ${percent(l.pcaNeighboursKept!)} of neighbours kept`,
        ),
      );
      assert.match((await page.locator(".mtq-map-overlay").first().getAttribute("aria-label")) ?? "", /^PCA map of layer 1,/);
      assert.equal(((await savedStateOf(page)) as { mapKind?: string }).mapKind, "pca");

      const pca = r.layers[0].pca!;
      const { image } = loneImage(pca);
      const [x, y] = await placeOf(0, pca, image);
      const [ux, uy] = await placeOf(0, r.layers[0].umap, image);
      assert.ok(Math.hypot(x - ux, y - uy) > 20, `image ${image} is elsewhere on the UMAP map (${x},${y} against ${ux},${uy})`);
      // On screen, the image's own colour where its PCA place is (drawn at 90% over the background).
      const plot = page.locator(".mtq-map-plot").first();
      const plotBox = (await plot.boundingBox())!;
      const png = PNG.sync.read(await plot.screenshot());
      const hex = DIGIT_COLORS[r.images.labels[image]];
      const want = [1, 3, 5].map((k, c) => Math.round(0.9 * parseInt(hex.slice(k, k + 2), 16) + 0.1 * BACKGROUND[c]));
      const near: number[][] = [];
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const at = 4 * (Math.round(y - plotBox.y + dy) * png.width + Math.round(x - plotBox.x + dx));
          near.push([png.data[at], png.data[at + 1], png.data[at + 2]]);
        }
      assert.ok(
        near.some((p) => p.every((v, c) => Math.abs(v - want[c]) <= 10)),
        `image ${image} (${r.images.labels[image]}) is not drawn in ${want.join(",")} at its PCA place ${x},${y}: ${JSON.stringify(near)}`,
      );
      await page.mouse.move(x, y);
      await page.waitForSelector(".mtq-tooltip:not([hidden])");
      assert.equal(await page.locator(".mtq-tooltip-title").textContent(), imageTitle(r, image));
      await page.mouse.down();
      await page.mouse.up();
      assert.deepEqual((await lastSelection(page))?.images, [image]);
      const [cx, cy] = await ringAt(0);
      const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
      assert.ok(
        Math.abs(box.x + cx - x) < 1.5 && Math.abs(box.y + cy - y) < 1.5,
        `ring at ${box.x + cx},${box.y + cy}, the image at ${x},${y}`,
      );
      // The SVG export draws the map as shown: its ring where the image is on the PCA map.
      await page.getByRole("button", { name: "SVG", exact: true }).click();
      const svg = (await lastPosted(page, "export"))!.data;
      const exported = await page.evaluate((text) => {
        const ring = new DOMParser().parseFromString(text, "image/svg+xml").querySelector(".mtq-export-map circle");
        return [Number(ring?.getAttribute("cx")), Number(ring?.getAttribute("cy"))];
      }, svg);
      assert.ok(
        Math.abs(exported[0] - cx) < 0.1 && Math.abs(exported[1] - cy) < 0.1,
        `exported ring at ${exported.join(",")}, on screen ${cx},${cy}`,
      );
      assert.deepEqual(await cspViolations(page), []);
    });

    it("goes back to UMAP with the selection kept, its ring at the image's UMAP place", async () => {
      const { page } = harness;
      await page.mouse.move(5, 5);
      const { image } = loneImage(r.layers[0].pca!);
      await toggle().filter({ hasText: "UMAP" }).click();
      assert.equal(await pressed(), "UMAP");
      assert.deepEqual(
        (await mapAttr("selected")).map(Number),
        r.layers.map(() => 1),
      );
      assert.deepEqual(
        await mapAttr("focus"),
        r.layers.map(() => String(image)),
      );
      // The whole map in view again (the zoom reset to fit), the ring where the image is on it.
      assert.deepEqual(
        await mapAttr("zoom"),
        r.layers.map(() => "1.00"),
      );
      const [x, y] = await placeOf(0, r.layers[0].umap, image);
      const [cx, cy] = await ringAt(0);
      const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
      assert.ok(
        Math.abs(box.x + cx - x) < 1.5 && Math.abs(box.y + cy - y) < 1.5,
        `ring at ${box.x + cx},${box.y + cy}, the image at ${x},${y}`,
      );
    });

    it("keeps the choice across a reload (getState/setState)", async () => {
      const { page } = harness;
      await toggle().filter({ hasText: "PCA" }).click();
      await page.reload();
      await sendLoad(page, file);
      await page.waitForSelector(".mtq-sankey .mtq-node");
      assert.equal(await pressed(), "PCA");
      assert.deepEqual(
        await mapAttr("mapKind"),
        r.layers.map(() => "pca"),
      );
      assert.deepEqual(
        (await mapAttr("selected")).map(Number),
        r.layers.map(() => 1),
      );
    });

    it("has no toggle, and draws the UMAP maps, for a file without PCA maps (written before them), PCA chosen or not", async () => {
      const { page } = harness;
      const older: Results = {
        ...r,
        layers: r.layers.map(({ pca: _p, pcaExplained: _e, pcaKept: _k, pcaNeighboursKept: _n, ...l }) => l),
      };
      await page.reload();
      await sendLoad(page, older);
      await page.waitForSelector(".mtq-sankey .mtq-node");
      assert.equal(await toggle().count(), 0);
      assert.deepEqual(
        await mapAttr("mapKind"),
        r.layers.map(() => "umap"),
      );
      assert.deepEqual(
        (await mapAttr("points")).map(Number),
        r.layers.map(() => r.images.count),
      );
      assert.deepEqual(
        await page.locator(".mtq-map-kept").allTextContents(),
        r.layers.map((l) => ` · ${percent(l.umapNeighboursKept!)} of neighbours kept`),
      );
    });
  });
}
