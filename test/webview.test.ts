// The results webview in a real browser (Debian's chromium via playwright-core), on results the
// pipeline makes from real MNIST: counts, linked selection both ways, Escape, the host's `select`,
// exports (the table asked of the host), state across reload, the message shown in its place when its file cannot be read, no
// CSP violation; screenshots under .tmp/screens/ to look at.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import { imageTitle } from "../src/shared/imageName";
import type { Results } from "../src/shared/results";
import {
  browserMissing,
  cspViolations,
  hostReads,
  lastPosted,
  lassoShare,
  lastSelection,
  launchChromium,
  mapFit,
  posted,
  reloadUnavailable,
  savedStateOf,
  send,
  sendLoad,
} from "./browser/browser";
import { serveHarness, type HarnessServer } from "./browser/server";
import { runExample, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");
const skip = browserMissing();

/** A small 1-vs-7 run with injected 4s and 3s: a few seconds of real training. */
async function pipelineResults(dir: string): Promise<{ file: string; results: Results }> {
  const experiment = writeJson(dir, "view.mtq.json", {
    name: "ones-vs-sevens-small",
    description: "1 vs 7, 50 of each, 2 epochs, with unseen 4s and 3s",
    seed: 24,
    data: { source: "mnist", digits: [1, 7], perDigit: 50, holdout: { from: "test-split", perDigit: 100 } },
    training: { epochs: 2 },
    inject: [
      { digit: 4, count: 30 },
      { digit: 3, count: 30 },
    ],
  });
  const out = join(dir, "view.results.json");
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "run", experiment, "--out", out], { stdio: "pipe" });
  return { file: out, results: (await readResultsFile(out)).results };
}

describe("results webview in chromium", { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  let file: string;
  let results: Results;
  const dir = tempDir();

  before(async () => {
    ({ file, results } = await pipelineResults(dir));
    mkdirSync(screens, { recursive: true });
    server = await serveHarness(root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}?theme=dark`);
    await sendLoad(page, file);
    await page.waitForSelector(".mtq-sankey .mtq-node");
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The tooltip's lines for the first thumbnail of the selection panel, hovered. */
  const hoverFirstThumbnail = async () => {
    const box = (await page.locator(".mtq-selection-body canvas.mtq-thumbs").first().boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 3);
    await page.waitForSelector(".mtq-tooltip:not([hidden])");
    return page.locator(".mtq-tooltip > div").allTextContents();
  };
  const selectedImages = async () => (await lastSelection(page))?.images ?? null;
  const mapSelected = () => page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.selected)));
  /** Per link "source>target": how many of its images the Sankey shows as selected. */
  const linkSelected = () =>
    page.$$eval(".mtq-links path", (paths) =>
      Object.fromEntries(
        paths.map((p) => [
          `${(p as SVGElement).dataset.source}>${(p as SVGElement).dataset.target}`,
          Number((p as SVGElement).dataset.selected),
        ]),
      ),
    );
  const expectedLinkSelected = (images: number[]) => {
    const chosen = new Set(images);
    return Object.fromEntries(
      results.flows.links.map((l) => [`${l.source}>${l.target}`, Array.from(l.images).filter((i) => chosen.has(i)).length]),
    );
  };

  it("says ready, then draws every image on every layer's map and the Sankey's counts", async () => {
    assert.deepEqual((await posted(page))[0], { type: "ready" });
    const points = await page.$$eval(".mtq-map", (maps) => maps.map((m) => Number((m as HTMLElement).dataset.points)));
    assert.deepEqual(
      points,
      results.layers.map(() => results.images.count),
    );
    const digitNodes = await page.$$eval(".mtq-node-digit", (nodes) =>
      nodes.map((n) => [(n as SVGElement).dataset.id, Number((n as SVGElement).dataset.count)]),
    );
    const perDigit = new Map<number, number>();
    for (const d of results.images.labels) perDigit.set(d, (perDigit.get(d) ?? 0) + 1);
    assert.deepEqual(new Map(digitNodes.map(([id, n]) => [results.flows.nodes.find((f) => f.id === id)!.value, n])), perDigit);
    assert.equal(await page.locator(".mtq-links path").count(), results.flows.links.length);
    assert.equal(await page.locator(".mtq-node").count(), results.flows.nodes.length);
    assert.deepEqual(await cspViolations(page), []);
    await page.screenshot({ path: join(screens, "webview-dark.png"), fullPage: true });
  });

  it("a lasso on a map selects the images inside it and highlights their paths in the Sankey and the other map", async () => {
    // The left half of the plot: the map centres its points, so that is every image left of the middle of their x range.
    await lassoShare(page, [0, 0, 0.5, 1]);

    const xs = Array.from(results.layers[0].umap).filter((_, i) => i % 2 === 0);
    const middle = (Math.min(...xs) + Math.max(...xs)) / 2;
    const slack = (Math.max(...xs) - Math.min(...xs)) * 0.01;
    const images = (await selectedImages())!;
    assert.ok(images.length > 0 && images.length < results.images.count, `lasso selected ${images.length}`);
    xs.forEach((x, i) => {
      if (Math.abs(x - middle) > slack) assert.equal(images.includes(i), x < middle, `image ${i} at x=${x}, middle ${middle}`);
    });
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => images.length),
    );
    assert.deepEqual(await linkSelected(), expectedLinkSelected(images));
    await page.screenshot({ path: join(screens, "webview-lasso.png"), fullPage: true });

    // Half the images go to the host as a bitset's base64 (shorter than their list), and come back so with a `load` (a hide/show).
    const sent = (await lastPosted(page, "selectionChanged"))!.selection!;
    assert.ok("bits" in sent && sent.bits.length === 4 * Math.ceil((4 * Math.ceil(results.images.count / 32)) / 3), JSON.stringify(sent));
    // Cleared first, so that only the load's selection can select them again.
    await page.keyboard.press("Escape");
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => 0),
    );
    await page.evaluate((selection) => {
      const { header, columns } = (window as unknown as { mtqPosted: { header: unknown; columns: ArrayBuffer } }).mtqPosted;
      window.postMessage({ type: "load", header, columns, selection, saved: { selections: [] } }, "*");
    }, sent);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === String(n)),
      images.length,
    );
    assert.deepEqual(await linkSelected(), expectedLinkSelected(images));
  });

  it("clicking a Sankey link selects exactly its images in every map", async () => {
    const link = [...results.flows.links].sort((a, b) => b.count - a.count)[0];
    await page.locator(`.mtq-links path[data-source="${link.source}"][data-target="${link.target}"]`).click();
    const images = await selectedImages();
    assert.deepEqual(
      images,
      [...link.images].sort((a, b) => a - b),
    );
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => link.count),
    );
    assert.deepEqual(await linkSelected(), expectedLinkSelected(Array.from(link.images)));
  });

  it("Escape clears the selection everywhere", async () => {
    await page.keyboard.press("Escape");
    assert.equal(await selectedImages(), null);
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => 0),
    );
    assert.ok(Object.values(await linkSelected()).every((n) => n === 0));
  });

  it("Enter on a focused Sankey node selects its images (keyboard access)", async () => {
    const node = results.flows.nodes.find((n) => n.kind === "cluster")!;
    await page.locator(`.mtq-node[data-id="${node.id}"]`).focus();
    await page.keyboard.press("Enter");
    const layer = results.layers[node.column - 1];
    const expected = Array.from(layer.assignments).flatMap((c, i) => (c === node.value ? [i] : []));
    assert.deepEqual(await selectedImages(), expected);
    assert.equal(expected.length, node.count);
    await page.keyboard.press("Escape");
  });

  it("clicking a finding selects the images behind it", async () => {
    const outliers = [...new Set(results.findings.outliers.map((o) => o.image))].sort((a, b) => a - b);
    await page.getByRole("button", { name: `Outliers (${results.findings.outliers.length})` }).click();
    assert.deepEqual(await selectedImages(), outliers);
    await page.keyboard.press("Escape");
  });

  it("shows every share's interval, the G-tests, the McNemar preference and the outliers ranked with their scores", async () => {
    const f = results.findings;
    const [low, high] = f.injected["4"].followsPathOfInterval["7"];
    const intervals = await page.locator(".mtq-findings .mtq-injected .mtq-interval").allTextContents();
    assert.ok(intervals.includes(`[${Math.round(low * 100)}–${Math.round(high * 100)}%]`), JSON.stringify(intervals));
    assert.equal(await page.locator(".mtq-findings .mtq-interval").first().getAttribute("title"), "95% Wilson score interval");
    assert.match((await page.locator(".mtq-independence").textContent()) ?? "", /layer 1 G = [\d.]+, p = 0\.001; layer 2 G = /);
    assert.match(
      (await page.locator(".mtq-preference").allTextContents()).join("\n"),
      /the 7s' path more than the 1s': exact McNemar p = /,
    );
    // Made after the view's first paint (below the fold): there once scrolled to.
    await page
      .locator(".mtq-outlier-list li")
      .nth(f.outliers.length - 1)
      .scrollIntoViewIfNeeded();
    const items = await page.locator(".mtq-outlier-list li").allTextContents();
    assert.equal(items.length, f.outliers.length);
    f.outliers.forEach((o, i) => assert.ok(items[i].startsWith(`image ${o.image} · ${o.digit} · score `), items[i]));
  });

  it("makes the findings' outliers and k charts after the first paint, there when scrolled to; a hover as the view is drawn finds its image", async () => {
    await page.keyboard.press("Escape");
    const { outliers } = results.findings;
    const pos = results.layers[0].umap;
    const image = outliers[0].image;
    // The map's index finds the image at that place, or the lowest-numbered one at the same place.
    let expected = image;
    for (let j = 0; j < image; j++)
      if (Math.fround(pos[2 * j]) === Math.fround(pos[2 * image]) && Math.fround(pos[2 * j + 1]) === Math.fround(pos[2 * image + 1])) {
        expected = j;
        break;
      }
    // At the page's top, as a view opens (scrolled down, the view is made whole at once: below).
    await page.evaluate(() => window.scrollTo(0, 0));
    const [x, y] = (await mapFit(page, 0, pos)).placeOf(image);
    // The view made again (a hide/show), and the pointer on the first map as the load's task ends, before any frame.
    const atLoad = await page.evaluate(
      ([x, y]) =>
        new Promise<{ charts: number; lines: number; tooltip: string | null }>((resolve) => {
          const done = new AbortController();
          // After the view's own listener (added when its script ran): the view is drawn, its first frame not begun.
          window.addEventListener(
            "message",
            (e: MessageEvent<{ type: string }>) => {
              if (e.data.type !== "load") return;
              done.abort();
              document
                .querySelector(".mtq-map-overlay")!
                .dispatchEvent(new PointerEvent("pointermove", { clientX: x, clientY: y, bubbles: true }));
              resolve({
                charts: document.querySelectorAll(".mtq-kchart").length,
                lines: document.querySelectorAll(".mtq-outlier-list li").length,
                tooltip: document.querySelector(".mtq-tooltip:not([hidden]) .mtq-tooltip-title")?.textContent ?? null,
              });
            },
            { signal: done.signal },
          );
          const { header, columns } = (window as unknown as { mtqPosted: { header: unknown; columns: ArrayBuffer } }).mtqPosted;
          window.postMessage({ type: "load", header, columns, saved: { selections: [] } }, "*");
        }),
      [x, y] as const,
    );
    assert.deepEqual(
      [atLoad.charts, atLoad.lines],
      [0, 0],
      "the outliers' lines and the k charts are not made before the view's first frame",
    );
    assert.equal(atLoad.tooltip, imageTitle(results, expected));
    await page
      .locator(".mtq-kchart")
      .nth(2 * results.layers.length - 1)
      .scrollIntoViewIfNeeded();
    assert.equal(await page.locator(".mtq-kchart").count(), 2 * results.layers.length);
    assert.equal(await page.locator(".mtq-outlier-list li canvas.mtq-thumbs").count(), outliers.length);
    await page.locator(".mtq-outlier-list li button").first().click();
    assert.deepEqual(await selectedImages(), [image]);
    await page.keyboard.press("Escape");
    // Scrolled down to the k charts, a view made again (another epoch, a run written again) keeps the page where it was.
    const scrolled = await page.evaluate(() => window.scrollY);
    assert.ok(scrolled > 0);
    await page.evaluate(() => {
      const { header, columns } = (window as unknown as { mtqPosted: { header: unknown; columns: ArrayBuffer } }).mtqPosted;
      performance.clearMeasures("mtq-render");
      window.postMessage({ type: "load", header, columns, saved: { selections: [] } }, "*");
    });
    await page.waitForFunction(() => performance.getEntriesByName("mtq-render").length > 0);
    assert.equal(await page.evaluate(() => window.scrollY), scrolled);
    assert.equal(await page.locator(".mtq-kchart").count(), 2 * results.layers.length);
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  it("shows a `select` from the host without echoing it back", async () => {
    const before = (await posted(page)).length;
    const outliers = results.findings.outliers.map((o) => o.image);
    await send(page, { type: "select", selection: { images: outliers, label: "outliers" } });
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => new Set(outliers).size),
    );
    assert.equal((await posted(page)).length, before);
    assert.match((await page.locator(".mtq-selection h2").textContent()) ?? "", /outliers/);
  });

  it("asks the host for a table of the selection, and exports the view as SVG and PNG through the host", async () => {
    await page.getByRole("button", { name: "Table…", exact: true }).click();
    const table = await hostReads(page, (await lastPosted(page, "exportTable"))!.selection!);
    assert.deepEqual(
      table.images,
      [...new Set(results.findings.outliers.map((o) => o.image))].sort((a, b) => a - b),
    );
    assert.equal(table.label, "outliers");
    await page.getByRole("button", { name: "SVG", exact: true }).click();
    const svg = (await lastPosted(page, "export"))!;
    assert.equal(svg.format, "svg");
    assert.match(svg.data, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    await page.getByRole("button", { name: "PNG", exact: true }).click();
    await page.waitForFunction(() =>
      (window as unknown as { mtqHarness: { posted: { format?: string }[] } }).mtqHarness.posted.some((m) => m.format === "png"),
    );
    const png = (await lastPosted(page, "export"))!;
    assert.match(png.data, /^data:image\/png;base64,/);
    assert.deepEqual(await cspViolations(page), []);
  });

  it("says in an image's tooltip that it is a digit from MNIST's training images, and which", async () => {
    const [title, , , source] = await hoverFirstThumbnail();
    const i = Number(/^image (\d+) · (\d)( \(injected\))?$/.exec(title)?.[1] ?? NaN);
    assert.ok(Number.isInteger(i), title);
    assert.equal(title, `image ${i} · ${results.images.labels[i]}${results.images.injected[i] ? " (injected)" : ""}`);
    assert.equal(source, `MNIST train #${results.images.sourceIndex[i]}`);
    assert.equal(await page.locator(".mtq-purity th").first().textContent(), "digit");
    assert.equal(await page.locator(".mtq-column-titles text").first().textContent(), "digit");
    await page.mouse.move(0, 0);
  });

  it("keeps the colouring and the selection across a reload (getState/setState)", async () => {
    await page.getByRole("button", { name: "Cluster", exact: true }).click();
    await page.reload();
    await sendLoad(page, file);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    assert.equal(await page.locator('button[data-value="cluster"]').getAttribute("aria-pressed"), "true");
    assert.deepEqual(
      await mapSelected(),
      results.layers.map(() => new Set(results.findings.outliers.map((o) => o.image)).size),
    );
    await page.screenshot({ path: join(screens, "webview-clusters.png"), fullPage: true });
  });

  it("says why in its place when the host cannot read its file, keeps its state, and shows the file when it comes back", async () => {
    const before = (await savedStateOf(page)) as { resultsFile: string };
    assert.equal(before.resultsFile, "test.results.json");
    const message =
      `MTQ cannot show the results of test: ${before.resultsFile} is gone (deleted or moved since it was opened). ` +
      "Run its experiment (test) again with MTQ: Train and Analyze, or put the file back.";
    // A reload whose file is gone: the host sends the message instead of the results.
    assert.equal(await reloadUnavailable(page, message), message);
    assert.equal(await page.locator(".mtq-map, .mtq-sankey").count(), 0);
    assert.deepEqual(await savedStateOf(page), before);
    await page.screenshot({ path: join(screens, "webview-unavailable.png") });
    // The file back, the next reload shows it with the colouring and the selection kept.
    await page.reload();
    await sendLoad(page, file);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    assert.equal(await page.locator(".mtq-unavailable").count(), 0);
    assert.equal(await page.locator('button[data-value="cluster"]').getAttribute("aria-pressed"), "true");
    assert.deepEqual(await savedStateOf(page), before);
    assert.deepEqual(await cspViolations(page), []);
  });

  it("renders in the light and high-contrast themes", async () => {
    for (const theme of ["light", "high-contrast"]) {
      await page.goto(`${server.url}?theme=${theme}`);
      await page.evaluate(() => sessionStorage.clear());
      await page.reload();
      await sendLoad(page, file);
      await page.waitForSelector(".mtq-sankey .mtq-node");
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, theme === "light" ? "rgb(255, 255, 255)" : "rgb(0, 0, 0)");
      await page.screenshot({ path: join(screens, `webview-${theme}.png`), fullPage: true });
    }
    // The README's screenshot, refreshed on request from these real results.
    if (process.env.MTQ_UPDATE_SCREENSHOTS === "1")
      copyFileSync(join(screens, "webview-lasso.png"), join(root, "media", "screenshots", "results-view.png"));
  });

  it("names the classes of an image folder (four, one, seven) in the legend, findings and selection", async () => {
    const folderFile = runExample("image-folder");
    const folder = (await readResultsFile(folderFile)).results;
    assert.deepEqual(folder.classNames, { "0": "four", "1": "one", "2": "seven" });
    await page.goto(`${server.url}?theme=dark`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await sendLoad(page, folderFile, "image-folder.results.json");
    await page.waitForSelector(".mtq-sankey .mtq-node");
    // The legend keeps the labels the experiment's `digits` and `inject` use.
    assert.deepEqual(await page.locator(".mtq-legend-item").allTextContents(), ["1 · one", "2 · seven", "0 · four (injected)"]);
    assert.deepEqual(await page.locator(".mtq-purity th.mtq-digit").allTextContents(), ["one", "seven"]);
    const injected = await page.locator(".mtq-injected").textContent();
    assert.match(injected ?? "", /^Injected fours \(40\).*follow the sevens' path.*predicted (seven|one)/);
    const lines = page.locator(".mtq-outlier-list li");
    await lines.first().waitFor();
    for (const text of await lines.allTextContents()) assert.match(text, /^image \d+ · (four|one|seven) · /);
    await page.getByRole("button", { name: "Injected fours (40)" }).click();
    assert.match((await page.locator(".mtq-selection-body").textContent()) ?? "", /40 images: 40 × four.*predicted (seven|one): /);
    // A label with a name is a class, not a digit; an image is named by its file in the folder.
    assert.equal(await page.locator(".mtq-purity th").first().textContent(), "class");
    assert.equal(await page.locator(".mtq-column-titles text").first().textContent(), "class");
    assert.ok(await page.getByRole("button", { name: "Class", exact: true }).isVisible());
    const first = Array.from(folder.images.injected).findIndex(Boolean);
    const file = folder.images.files![first];
    assert.match(file, /^four\/mnist-test-\d{5}\.png$/);
    const tooltip = await hoverFirstThumbnail();
    assert.equal(tooltip[0], `image ${first} · four (injected)`);
    assert.equal(tooltip[3], file);
    assert.doesNotMatch(tooltip.join("\n"), /digit|MNIST/);
    await page.mouse.move(0, 0);
    assert.deepEqual(await cspViolations(page), []);
    await page.screenshot({ path: join(screens, "webview-class-names.png"), fullPage: true });
  });
});
