// The maps drawn with WebGL (chromium's SwiftShader, no GPU) and on the 2-D canvas when WebGL is
// off (chromium's --disable-webgl), on a real run of examples/ones-vs-sevens.mtq.json: each digit's
// colour on screen (rings for the injected 3s and 4s too), hover, lasso and Shift-lasso with the
// Sankey's counts following (the incremental count, then afresh after a node's click), keyboard
// zoom, and the SVG export drawn from the data, the same in both; and a lost WebGL context.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PNG } from "pngjs";
import { DIGIT_COLORS } from "../src/shared/digitColors";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import type { WebviewState } from "../src/shared/protocol";
import {
  browserMissing,
  cspViolations,
  type HarnessPage,
  lassoShare,
  lastPosted,
  lastSelection,
  openHarnessPage,
  savedStateOf,
  send,
} from "./browser/browser";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
/** The dark harness theme's editor background, under the points. */
const BACKGROUND = [0x1f, 0x1f, 0x1f];
const skip = browserMissing();
const file = skip ? "" : runExample("ones-vs-sevens");

/** A colour as the map draws a point of it at 90% over the background: [r, g, b]. */
function drawn(hex: string): number[] {
  return [1, 3, 5].map((k, c) => Math.round(0.9 * parseInt(hex.slice(k, k + 2), 16) + 0.1 * BACKGROUND[c]));
}

for (const webgl of [true, false]) {
  const renderer = webgl ? "webgl" : "canvas";
  describe(`the maps drawn ${webgl ? "with WebGL" : "on the 2-D canvas (WebGL off)"}`, { skip }, () => {
    let harness: HarnessPage;
    let r: Results;

    before(async () => {
      ({ results: r } = await readResultsFile(file));
      harness = await openHarnessPage(root, { width: 1400, height: 1000 }, { webgl });
      await harness.show(file);
    });

    after(() => harness?.close());

    /** The first map's plot as [x, y, r, g, b] per pixel, with its box on the page. */
    const plotPixels = async () => {
      const plot = harness.page.locator(".mtq-map-plot").first();
      const png = PNG.sync.read(await plot.screenshot());
      return { png, box: (await plot.boundingBox())! };
    };
    /** How many pixels of the plot are within 10 of each colour. */
    const pixelsNear = (png: PNG, colors: number[][]) =>
      colors.map((c) => {
        let n = 0;
        for (let p = 0; p < png.data.length; p += 4)
          if (Math.abs(png.data[p] - c[0]) <= 10 && Math.abs(png.data[p + 1] - c[1]) <= 10 && Math.abs(png.data[p + 2] - c[2]) <= 10) n++;
        return n;
      });
    const selectedImages = async () => (await lastSelection(harness.page))?.images ?? null;
    const lasso = async (box: { x: number; y: number; width: number; height: number }, share: number[], shift = false) => {
      await lassoShare(harness.page, share, { box, shift });
      return (await selectedImages()) ?? [];
    };
    /** Per link "source>target": the selected images the Sankey counts, and what they should be for `images`. */
    const linkCounts = () =>
      harness.page.$$eval(".mtq-links path", (paths) =>
        Object.fromEntries(
          paths.map((p) => [
            `${(p as SVGElement).dataset.source}>${(p as SVGElement).dataset.target}`,
            Number((p as SVGElement).dataset.selected),
          ]),
        ),
      );
    const expectedLinkCounts = (images: number[]) => {
      const chosen = new Set(images);
      return Object.fromEntries(
        r.flows.links.map((l) => [`${l.source}>${l.target}`, Array.from(l.images).filter((i) => chosen.has(i)).length]),
      );
    };
    const mapSelected = () => harness.page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.selected)));

    it(`draws every point (${renderer}), each digit in its colour, the injected ones too`, async () => {
      const { page } = harness;
      assert.deepEqual(
        await page.$$eval(".mtq-map", (maps) => maps.map((m) => (m as HTMLElement).dataset.renderer)),
        r.layers.map(() => renderer),
      );
      assert.deepEqual(
        await page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.points))),
        r.layers.map(() => r.images.count),
      );
      const { png } = await plotPixels();
      const digits = [1, 7, 3, 4];
      const counts = pixelsNear(
        png,
        digits.map((d) => drawn(DIGIT_COLORS[d])),
      );
      counts.forEach((n, i) => assert.ok(n >= 20, `digit ${digits[i]}: ${n} pixels in its colour (${JSON.stringify(counts)})`));
      assert.deepEqual(await cspViolations(page), []);
    });

    it("says in each map's caption how many of the layer's neighbours the map keeps", async () => {
      const kept = await harness.page.locator(".mtq-map-kept").allTextContents();
      assert.deepEqual(
        kept,
        r.layers.map((l) => ` · ${Math.round(100 * l.umapNeighboursKept!)}% of neighbours kept`),
      );
      const title = (await harness.page.locator(".mtq-map-kept").first().getAttribute("title")) ?? "";
      assert.match(title, /^Of each image's 14 nearest in the layer's own space, \d+% on average stay among its nearest on this map/);
    });

    it("shows a point's image and clusters on hover", async () => {
      const { png, box } = await plotPixels();
      const seven = drawn(DIGIT_COLORS[7]);
      let at: [number, number] | undefined;
      for (let p = 0; p < png.data.length && !at; p += 4)
        if (Math.abs(png.data[p] - seven[0]) <= 6 && Math.abs(png.data[p + 1] - seven[1]) <= 6 && Math.abs(png.data[p + 2] - seven[2]) <= 6)
          at = [(p / 4) % png.width, Math.floor(p / 4 / png.width)];
      assert.ok(at, "a 7 on the map");
      await harness.page.mouse.move(box.x + at[0], box.y + at[1]);
      await harness.page.waitForSelector(".mtq-tooltip:not([hidden])");
      const lines = await harness.page.locator(".mtq-tooltip > div").allTextContents();
      assert.match(lines[0], /^image \d+ · \d/);
      assert.match(lines[2], /^clusters: L1 c\d+ → L2 c\d+$/);
      await harness.page.mouse.move(0, 0);
    });

    it("a lasso, then a Shift-lasso adds: the maps and every Sankey link count the union", async () => {
      const { box } = await plotPixels();
      const right = await lasso(box, [0.5, 0, 1, 1]);
      const left = await lasso(box, [0, 0, 0.5, 1]);
      assert.ok(left.length > 0 && right.length > 0, `${left.length} and ${right.length} selected`);
      assert.deepEqual(await linkCounts(), expectedLinkCounts(left));
      const both = await lasso(box, [0.5, 0, 1, 1], true);
      assert.deepEqual(
        both,
        [...new Set([...left, ...right])].sort((a, b) => a - b),
      );
      assert.deepEqual(
        await mapSelected(),
        r.layers.map(() => both.length),
      );
      assert.deepEqual(await linkCounts(), expectedLinkCounts(both));
      // A node's click replaces the selection: counted afresh.
      const node = r.flows.nodes.find((n) => n.kind === "cluster")!;
      await harness.page.locator(`.mtq-node[data-id="${node.id}"] .mtq-node-box`).click();
      const inNode = (await selectedImages())!;
      assert.equal(inNode.length, node.count);
      assert.deepEqual(await linkCounts(), expectedLinkCounts(inNode));
      await harness.page.keyboard.press("Escape");
      assert.deepEqual(
        await mapSelected(),
        r.layers.map(() => 0),
      );
      assert.ok(Object.values(await linkCounts()).every((n) => n === 0));
    });

    it("keeps a lasso's selection in its state as a bitset when that is shorter than its list, and a reload restores it", async () => {
      const { page } = harness;
      const { box } = await plotPixels();
      const chosen = await lasso(box, [0, 0, 0.6, 1]);
      assert.ok(chosen.length > 50, `${chosen.length} selected`);
      const saved = (await savedStateOf(page)) as WebviewState;
      assert.equal(saved.selection, null);
      assert.equal(saved.selectionBits?.label, "lasso on layer 1");
      assert.ok(saved.selectionBits!.bits.length < JSON.stringify(chosen).length);
      await harness.show(file);
      assert.deepEqual(
        await mapSelected(),
        r.layers.map(() => chosen.length),
      );
      assert.equal(await page.locator(".mtq-selection").getAttribute("data-count"), String(chosen.length));
      assert.deepEqual(await linkCounts(), expectedLinkCounts(chosen));
      // A few images are shorter listed.
      const few = { images: [1, 2, 3], label: "three" };
      await send(page, { type: "select", selection: few });
      const { selectionBits: _, ...listed } = saved;
      assert.deepEqual(await savedStateOf(page), { ...listed, selection: few });
      await page.keyboard.press("Escape");
    });

    it("+ zooms in on a focused map, the points still drawn; 0 resets", async () => {
      const { page } = harness;
      const before = (await plotPixels()).png.data;
      await page.locator(".mtq-map-overlay").first().focus();
      await page.keyboard.press("+");
      assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom), "1.50");
      const zoomed = await plotPixels();
      assert.ok(!zoomed.png.data.equals(before), "the map redrew at the new zoom");
      const counts = pixelsNear(
        zoomed.png,
        [1, 7, 3, 4].map((d) => drawn(DIGIT_COLORS[d])),
      );
      await page.keyboard.press("0");
      assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom), "1.00");
      assert.ok(counts.reduce((a, b) => a + b) >= 100, `points in the digits' colours at zoom 1.5: ${JSON.stringify(counts)}`);
    });

    it("exports the maps as SVG from the data: every point, whatever draws the screen", async () => {
      const { page } = harness;
      await page.getByRole("button", { name: "SVG", exact: true }).click();
      const svg = (await lastPosted(page, "export"))!.data;
      const perMap = await page.evaluate(
        (text) =>
          [...new DOMParser().parseFromString(text, "image/svg+xml").querySelectorAll(".mtq-export-map")].map((g) =>
            [...g.querySelectorAll("path")].reduce((n, p) => n + (p.getAttribute("d")!.match(/M/g)?.length ?? 0), 0),
          ),
        svg,
      );
      assert.deepEqual(
        perMap,
        r.layers.map(() => r.images.count),
      );
    });

    if (webgl)
      it("goes on on a 2-D canvas when the WebGL context is lost (a GPU reset)", async () => {
        const { page } = harness;
        await page.evaluate(() =>
          document
            .querySelector<HTMLCanvasElement>(".mtq-map-canvas")!
            .getContext("webgl")!
            .getExtension("WEBGL_lose_context")!
            .loseContext(),
        );
        await page.waitForFunction(() => document.querySelector<HTMLElement>(".mtq-map")!.dataset.renderer === "canvas");
        const counts = pixelsNear(
          (await plotPixels()).png,
          [1, 7, 3, 4].map((d) => drawn(DIGIT_COLORS[d])),
        );
        counts.forEach((n, i) => assert.ok(n >= 20, `digit ${[1, 7, 3, 4][i]}: ${n} pixels in its colour after the loss`));
        assert.equal(await page.locator(".mtq-map").nth(1).getAttribute("data-renderer"), "webgl", "the other map keeps its context");
      });
  });
}
