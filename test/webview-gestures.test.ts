// A rasterised map (more than 20,000 points) under a pan or zoom gesture when its drawing is slower
// than a frame (here the page's CPU slowed 20 times by chromium's throttling): each wheel or key
// moves and scales its last image, at once, as d3's zoom moved the overlay; once the gesture
// settles the points are drawn afresh, the same image as a fresh drawing at that zoom; a reset
// draws at once. On ones-vs-sevens's real run, its images repeated 60 times (24,000 points).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import type { Column } from "../src/shared/columns";
import type { Results } from "../src/shared/results";
import { allPixels, runExample } from "./helpers";
import type { CDPSession } from "playwright-core";
import { browserMissing, dragThrough, openHarnessPage, type HarnessPage } from "./browser/browser";

const root = join(__dirname, "..");
const skip = browserMissing();
const COPIES = 60;

/**
 * `results` with every image `copies` times: kept images' copies first, then the injected ones'
 * (kept first, as the results keep them); each copy's map positions, clusters and paths its original's.
 */
function repeated(results: Results, pixels: Uint8Array, copies: number): Results {
  const n = results.images.count;
  const kept = Array.from(results.images.injected).filter((x) => !x).length;
  /** The images copy `c` of image `i` becomes. */
  const at = (i: number, c: number) => (i < kept ? c * kept + i : copies * kept + c * (n - kept) + (i - kept));
  const tile = <T>(column: Column<T>, per = 1): T[] => {
    const out: T[] = new Array<T>(n * copies * per);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < copies; c++) for (let v = 0; v < per; v++) out[at(i, c) * per + v] = column[i * per + v];
    return out;
  };
  const size = pixels.length / n;
  const tiledPixels = new Uint8Array(pixels.length * copies);
  for (let i = 0; i < n; i++) for (let c = 0; c < copies; c++) tiledPixels.set(pixels.subarray(i * size, (i + 1) * size), at(i, c) * size);
  const images = (list: Column) =>
    Array.from(list)
      .flatMap((i) => Array.from({ length: copies }, (_, c) => at(i, c)))
      .sort((a, b) => a - b);
  return {
    ...results,
    snapshots: undefined,
    images: {
      ...results.images,
      count: n * copies,
      labels: tile(results.images.labels),
      injected: tile(results.images.injected),
      split: tile(results.images.split),
      sourceIndex: tile(results.images.sourceIndex),
      files: results.images.files && tile(results.images.files),
      pixels: tiledPixels,
    },
    predictions: tile(results.predictions),
    confidence: results.confidence && tile(results.confidence),
    layers: results.layers.map((l) => ({
      ...l,
      assignments: tile(l.assignments),
      silhouettes: tile(l.silhouettes),
      umap: tile(l.umap, 2),
      pca: l.pca && tile(l.pca, 2),
      umapKept: l.umapKept && tile(l.umapKept),
      pcaKept: l.pcaKept && tile(l.pcaKept),
      neighbours: undefined,
      neighbourDistances: undefined,
      neighbourCount: undefined,
    })),
    flows: {
      nodes: results.flows.nodes.map((node) => ({ ...node, count: node.count * copies })),
      links: results.flows.links.map((link) => ({ ...link, count: link.count * copies, images: images(link.images) })),
    },
    findings: { ...results.findings, outliers: results.findings.outliers.map((o) => ({ ...o, image: at(o.image, 0) })) },
  };
}

describe("a rasterised map under a pan or zoom gesture", { skip }, () => {
  let harness: HarnessPage;
  let cdp: CDPSession;

  before(async () => {
    const loaded = await readResultsFile(runExample("ones-vs-sevens"));
    const results = repeated(loaded.results, await allPixels(loaded), COPIES);
    harness = await openHarnessPage(root, { width: 1400, height: 1000 });
    await harness.show(results);
    cdp = await harness.page.context().newCDPSession(harness.page);
  });

  after(() => harness?.close());

  /**
   * The maps drawn again (the colouring changed and back) with the page's CPU slowed 20 times: a
   * drawing slower than a frame, which the next gesture goes by, as a map of a million points is.
   */
  const drawSlowly = async () => {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 20 });
    await harness.page.getByRole("button", { name: "Cluster", exact: true }).click();
    await harness.page.getByRole("button", { name: "Digit", exact: true }).click();
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  };
  /** The first map's canvas as RGBA bytes. */
  const canvasBytes = () =>
    harness.page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>(".mtq-map-canvas")!;
      return Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
    });
  const settled = () => harness.page.waitForFunction(() => !document.querySelector(".mtq-map[data-moving]"), null, { timeout: 60_000 });

  it("moves the last image with the zoom at each wheel step, as the overlay's zoom goes, then draws the points afresh", async () => {
    const { page } = harness;
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.renderer), "raster");
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.points), String(400 * COPIES));
    await drawSlowly();
    // Two wheel steps in one task: each moves the image (d3's wheel: the pointer's point stays, k times 2^0.24 a step).
    const moved = await page.evaluate(() => {
      const overlay = document.querySelector<SVGSVGElement>(".mtq-map-overlay")!;
      const canvas = document.querySelector<HTMLCanvasElement>(".mtq-map-canvas")!;
      const box = overlay.getBoundingClientRect();
      // Whole pixels: a mouse event's clientX and clientY are.
      const [x, y] = [Math.round(box.left + box.width * 0.3), Math.round(box.top + box.height * 0.6)];
      // The pointer in the overlay's own units, as d3's zoom reads it (its viewBox: the plot's whole CSS pixels).
      const at = new DOMPoint(x, y).matrixTransform(overlay.getScreenCTM()!.inverse());
      const p = [at.x, at.y];
      const before = document.createElement("canvas");
      [before.width, before.height] = [canvas.width, canvas.height];
      before.getContext("2d")!.drawImage(canvas, 0, 0);
      const moving: (string | undefined)[] = [];
      for (let step = 0; step < 2; step++) {
        overlay.dispatchEvent(new WheelEvent("wheel", { deltaY: -120, clientX: x, clientY: y, bubbles: true, cancelable: true }));
        moving.push((canvas.closest(".mtq-map") as HTMLElement).dataset.moving);
      }
      const k = 2 ** 0.48;
      const dpr = canvas.width / overlay.viewBox.baseVal.width;
      // No named closures in the page's function: it gets this source without tsx's helpers.
      const shown = Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
      // What it should show, drawn on the same canvas (another canvas may filter a scaled image otherwise): the image before, zoomed about the pointer.
      const g = canvas.getContext("2d")!;
      g.setTransform(1, 0, 0, 1, 0, 0);
      g.clearRect(0, 0, canvas.width, canvas.height);
      g.setTransform(k, 0, 0, k, dpr * p[0] * (1 - k), dpr * p[1] * (1 - k));
      g.drawImage(before, 0, 0);
      g.setTransform(1, 0, 0, 1, 0, 0);
      const want = Array.from(canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data);
      let differ = 0;
      for (let b = 0; b < shown.length; b++) if (shown[b] !== want[b]) differ++;
      return {
        moving,
        differ,
        inked: want.filter((v, b) => b % 4 === 3 && v > 0).length,
        zoom: (canvas.closest(".mtq-map") as HTMLElement).dataset.zoom,
      };
    });
    assert.deepEqual(moved.moving, ["", ""], "the map shows its last image moved");
    assert.equal(moved.zoom, (2 ** 0.48).toFixed(2));
    assert.ok(moved.inked > 1000, `the moved image has points (${moved.inked} pixels inked)`);
    assert.equal(moved.differ, 0, "the image moved as the zoom moved the overlay");
    await settled();
    const afterGesture = await canvasBytes();
    // A fresh drawing at the same zoom: the colouring changed and changed back (each redraws the map at once).
    await page.getByRole("button", { name: "Cluster", exact: true }).click();
    await page.getByRole("button", { name: "Digit", exact: true }).click();
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.moving), undefined);
    assert.deepEqual(afterGesture, await canvasBytes(), "once settled, the map is the one drawn afresh at that zoom");
  });

  it("moves the image at each arrow key too, and draws at once on 0 (reset)", async () => {
    const { page } = harness;
    /** The first map's data-moving and data-zoom right after `key` (in the same task: the settling waits SETTLE_MS). */
    const press = (key: string) =>
      page.evaluate((k) => {
        const overlay = document.querySelector<SVGSVGElement>(".mtq-map-overlay")!;
        overlay.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
        const map = overlay.closest(".mtq-map") as HTMLElement;
        return [map.dataset.moving, map.dataset.zoom];
      }, key);
    await drawSlowly();
    assert.deepEqual(await press("ArrowLeft"), ["", (2 ** 0.48).toFixed(2)]);
    assert.deepEqual(await press("+"), ["", (1.5 * 2 ** 0.48).toFixed(2)]);
    await settled();
    assert.deepEqual(await press("0"), [undefined, "1.00"]);
  });

  it("shows a lasso's redraw (the points it changed counted and stamped again) as drawn afresh, also after a gesture back to where it was drawn", async () => {
    const { page } = harness;
    /** The first map's canvas now, then drawn afresh (the colouring changed and back): they must be the same. */
    const sameAsAfresh = async (what: string) => {
      const shown = await canvasBytes();
      await page.getByRole("button", { name: "Cluster", exact: true }).click();
      await page.getByRole("button", { name: "Digit", exact: true }).click();
      assert.deepEqual(shown, await canvasBytes(), what);
      return shown;
    };
    const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
    /** The corners of a rectangle over the map's whole height, from `from` to `to` of its width. */
    const rectangle = (from: number, to: number) => {
      const [x0, y0, x1, y1] = [box.x + box.width * from, box.y + 4, box.x + box.width * to, box.y + box.height - 4];
      return [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ] as const;
    };
    const lasso = async (from: number, to: number) => {
      await dragThrough(page, rectangle(from, to), 2);
      await page.mouse.up();
    };
    const none = await canvasBytes();
    await lasso(0.1, 0.5);
    const first = await sameAsAfresh("a first lasso");
    const secondStarted = await page.evaluate(() => performance.now());
    await lasso(0.3, 0.7);
    const second = await sameAsAfresh("a second lasso, drawn again where it changed the selection");
    // The page's timeline keeps the last lasso's stagings and the last update's measure only, not every one since the page opened.
    const kept = await page.evaluate(() => ({
      staged: performance.getEntriesByName("mtq-staged").map((e) => e.startTime),
      updates: performance.getEntriesByName("mtq-selection").length,
    }));
    assert.ok(kept.staged.length > 0 && kept.staged.every((t) => t >= secondStarted), `stagings kept from ${kept.staged.join(", ")}`);
    assert.equal(kept.updates, 1);
    assert.notDeepEqual(first, none);
    assert.notDeepEqual(second, first);
    // A lasso held before it is let go: its selection counted in both maps' rasters as it is drawn (the stagings measured), nothing shown
    // until the release; then pulled back, let go with Shift, and shown as drawn afresh.
    await page.evaluate(() => performance.clearMeasures("mtq-staged"));
    const held = rectangle(0.6, 0.9);
    const [[x0, y0], [x1], [, y1]] = held;
    await dragThrough(page, held.slice(0, 4), 2);
    await page.waitForFunction(() => performance.getEntriesByName("mtq-staged").length > 0);
    await page.waitForTimeout(100);
    assert.deepEqual(await canvasBytes(), second, "a lasso held: nothing shown yet");
    await page.mouse.move((x0 + x1) / 2, y1, { steps: 2 });
    await page.mouse.move(x0, y0);
    await page.keyboard.down("Shift");
    await page.mouse.up();
    await page.keyboard.up("Shift");
    const added = await sameAsAfresh("a lasso pulled back, let go with Shift");
    assert.notDeepEqual(added, second);
    await lasso(0.3, 0.7);
    assert.deepEqual(await sameAsAfresh("the second lasso again"), second);
    // Panned left and back in one task: the image moved twice, then settled where it was drawn (the same placement: nothing counted again).
    await drawSlowly();
    await page.evaluate(() => {
      const overlay = document.querySelector<SVGSVGElement>(".mtq-map-overlay")!;
      for (const key of ["ArrowLeft", "ArrowRight"])
        overlay.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
    });
    await settled();
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom), "1.00");
    assert.deepEqual(await sameAsAfresh("after the gesture"), second);
  });

  it("selects what a lasso encloses at the zoom of its release, the map zoomed under it as it was drawn", async () => {
    const { page } = harness;
    const box = (await page.locator(".mtq-map-overlay").first().boundingBox())!;
    const selected = () => page.$eval(".mtq-map", (m) => Number((m as HTMLElement).dataset.selected));
    /** A lasso around the map's middle, drawn ahead as it goes; with `wheel`, the map zoomed in under it after its last move, before its release. */
    const lasso = async (wheel: boolean) => {
      const [x0, y0, x1, y1] = [box.x + box.width * 0.35, box.y + box.height * 0.3, box.x + box.width * 0.65, box.y + box.height * 0.7];
      await dragThrough(
        page,
        [
          [x0, y0],
          [x1, y0],
          [x1, y1],
          [x0, y1],
          [x0, y0 + 1],
        ],
        2,
      );
      // Drawn ahead with its last corner (a staging after the last move).
      await page.waitForFunction((n) => performance.getEntriesByName("mtq-staged").length >= n, 8);
      await page.waitForTimeout(50);
      if (wheel) {
        await page.mouse.wheel(0, -240);
        await page.waitForFunction(() => (document.querySelector(".mtq-map") as HTMLElement).dataset.zoom !== "1.00");
        await settled();
      }
      await page.mouse.up();
      return selected();
    };
    await page.keyboard.press("Escape");
    await page.evaluate(() => performance.clearMeasures("mtq-staged"));
    const atOne = await lasso(false);
    await page.keyboard.press("Escape");
    await page.evaluate(() => performance.clearMeasures("mtq-staged"));
    const zoomedUnder = await lasso(true);
    const zoom = await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom);
    await page.keyboard.press("Escape");
    await page.evaluate(() => performance.clearMeasures("mtq-staged"));
    const atThatZoom = await lasso(false);
    assert.equal(await page.$eval(".mtq-map", (m) => (m as HTMLElement).dataset.zoom), zoom);
    assert.ok(atOne > 0 && zoomedUnder > 0, `${atOne} and ${zoomedUnder} images selected`);
    assert.notEqual(zoomedUnder, atOne, "the zoom changed what the lasso encloses");
    assert.equal(zoomedUnder, atThatZoom, "the lasso zoomed under selects as one drawn at that zoom");
    await page.keyboard.press("Escape");
    await page.locator(".mtq-map-overlay").first().press("0");
    await settled();
  });
});
