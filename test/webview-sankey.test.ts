// The Sankey's selection in chromium, on a real run of examples/ones-vs-sevens.mtq.json: a selection
// dims every link alike and draws each link's band and each node's part as wide as its selected
// share, over the links; chromium keeps the bands and parts, and the nodes, in layers of their own,
// so that a lasso after a lasso repaints only the bands and parts (counted by DevTools' layer tree)
// and leaves the links as they were; Enter on a link, Escape, the high-contrast theme and the SVG export.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, CDPSession, Page } from "playwright-core";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { browserMissing, lassoShare, lastPosted, lastSelection, launchChromium, sendLoad } from "./browser/browser";
import { serveHarness, type HarnessServer } from "./browser/server";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
const skip = browserMissing();
const file = skip ? "" : runExample("ones-vs-sevens");

interface Drawn {
  dimmed: boolean;
  /** The opacity of the veil over the links (0: not shown), and the path of the link drawn again over it (null: none). */
  veil: number;
  lifted: string | null;
  /** Per link, in the links' order: its count, selected count, stroke width and opacity; its band's width (null: hidden). */
  links: {
    key: string;
    d: string;
    count: number;
    selected: number;
    width: number;
    strokeOpacity: number;
    focused: boolean;
    band: number | null;
  }[];
  /** Per node: its id, count, selected count, box height and its selected part's height. */
  nodes: { id: string; count: number; selected: number; height: number; part: number }[];
}

/** What the Sankey draws for the current selection. */
function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const svg = document.querySelector(".mtq-sankey-svg")!;
    const bands = [...svg.querySelectorAll(".mtq-links-selected path")];
    const parts = [...svg.querySelectorAll(".mtq-nodes-selected rect")];
    // Shown: displayed and visible (no named helper here: the page gets this function's source alone).
    const [veil, lifted] = [".mtq-links-veil", ".mtq-link-lifted"].map((selector) => {
      const e = svg.querySelector(selector)!;
      const style = getComputedStyle(e);
      return style.display !== "none" && style.visibility === "visible" ? { e, style } : null;
    });
    return {
      dimmed: svg.classList.contains("mtq-dimmed"),
      veil: veil ? Number(veil.style.fillOpacity) : 0,
      lifted: lifted ? lifted.e.getAttribute("d") : null,
      links: [...svg.querySelectorAll<SVGPathElement>(".mtq-links path")].map((p, j) => ({
        key: `${p.dataset.source}>${p.dataset.target}`,
        d: p.getAttribute("d")!,
        count: Number(p.dataset.count),
        selected: Number(p.dataset.selected),
        width: Number(p.getAttribute("stroke-width")),
        strokeOpacity: Number(getComputedStyle(p).strokeOpacity),
        focused: p.matches(":focus-visible"),
        band: bands[j].getAttribute("display") === "none" ? null : Number(bands[j].getAttribute("stroke-width")),
      })),
      nodes: [...svg.querySelectorAll<SVGGElement>(".mtq-node")].map((g, k) => ({
        id: g.dataset.id!,
        count: Number(g.dataset.count),
        selected: Number(g.dataset.selected),
        height: Number(g.querySelector(".mtq-node-box")!.getAttribute("height")),
        part: Number(parts[k].getAttribute("height")),
      })),
    };
  });
}

describe("the Sankey's selection", { skip }, () => {
  let browser: Browser;
  let server: HarnessServer;
  let page: Page;
  let results: Results;

  before(async () => {
    ({ results } = await readResultsFile(file));
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

  /** Lassos the fraction [fx0, fy0, fx1, fy1] of the first map; returns the images selected. */
  const lasso = async (share: number[]): Promise<number[]> => {
    // A link focused before scrolled the Sankey into view.
    await page.evaluate(() => window.scrollTo(0, 0));
    await lassoShare(page, share, { box: (await page.locator(".mtq-map-plot").first().boundingBox())! });
    return (await lastSelection(page))?.images ?? [];
  };

  /** Per link "source>target", its images in `images`. */
  const expectedPerLink = (images: number[]) => {
    const chosen = new Set(images);
    return new Map(results.flows.links.map((l) => [`${l.source}>${l.target}`, Array.from(l.images).filter((i) => chosen.has(i)).length]));
  };

  /** Asserts each band and node part is as wide as its selected share of `images`, over links dimmed alike. */
  const assertShows = (shown: Drawn, images: number[]) => {
    assert.ok(shown.dimmed);
    // Every link dimmed alike by the veil over them, with selected images or not: a link of 0.35 shows as 0.12.
    assert.ok(Math.abs(0.35 * (1 - shown.veil) - 0.12) < 1e-3, `veil ${shown.veil}`);
    const focused = shown.links.find((l) => l.focused);
    assert.equal(shown.lifted, focused ? focused.d : null, "the link focused, drawn again over the veil");
    const expected = expectedPerLink(images);
    for (const link of shown.links) {
      assert.equal(link.selected, expected.get(link.key), link.key);
      assert.equal(link.strokeOpacity, link.focused ? 0.6 : 0.35, link.key);
      if (link.selected === 0) assert.equal(link.band, null, link.key);
      else {
        assert.ok(link.band !== null && link.band <= link.width + 1e-9, `${link.key}: band ${link.band}, link ${link.width}`);
        assert.ok(Math.abs(link.band - Math.max(1, (link.width * link.selected) / link.count)) < 1e-6, link.key);
      }
    }
    const flows = new Map(results.flows.nodes.map((n) => [n.id, n]));
    for (const node of shown.nodes) {
      const own = results.flows.links.filter((l) => (flows.get(node.id)!.column === 0 ? l.source : l.target) === node.id);
      const n = own.reduce((sum, l) => sum + expected.get(`${l.source}>${l.target}`)!, 0);
      assert.equal(node.selected, n, node.id);
      assert.ok(Math.abs(node.part - (node.height * n) / node.count) < 0.5, `${node.id}: part ${node.part} of ${node.height}`);
    }
  };

  it("a lasso dims every link alike and draws each selected link's band and node's part, as wide as its share", async () => {
    const before = await drawn(page);
    assert.equal(before.dimmed, false);
    assert.equal(before.veil, 0);
    assert.ok(before.links.every((l) => l.strokeOpacity === 0.35));
    assert.ok(before.links.every((l) => l.band === null && l.selected === 0));
    assert.ok(before.nodes.every((n) => n.part === 0));
    const images = await lasso([0, 0, 0.5, 1]);
    assert.ok(images.length > 0 && images.length < results.images.count, `${images.length} selected`);
    const shown = await drawn(page);
    assertShows(shown, images);
    assert.ok(
      shown.links.some((l) => l.selected > 0 && l.selected < l.count),
      "a link partly selected",
    );
    assert.equal(Number(await page.locator(".mtq-sankey").getAttribute("data-selected-links")), shown.links.filter((l) => l.band).length);
    // A link hovered under a selection is drawn again over the veil, as bright as without one; no longer once left.
    const widest = shown.links.reduce((a, b) => (b.width > a.width ? b : a));
    const { x, y, under } = await page.evaluate((d) => {
      const path = document.querySelector<SVGPathElement>(`.mtq-links path[d="${d}"]`)!;
      const point = path.getPointAtLength(path.getTotalLength() / 2).matrixTransform(path.getScreenCTM()!);
      return {
        x: point.x,
        y: point.y,
        under: document
          .elementsFromPoint(point.x, point.y)
          .find((e) => e.closest(".mtq-links"))
          ?.getAttribute("d"),
      };
    }, widest.d);
    assert.ok(under, "a link under the pointer");
    await page.mouse.move(x, y);
    assert.equal((await drawn(page)).lifted, under);
    await page.mouse.move(1, 1);
    assert.equal((await drawn(page)).lifted, null);
    // Another lasso: the bands and parts follow it.
    const other = await lasso([0.3, 0, 1, 0.7]);
    assertShows(await drawn(page), other);
  });

  type Layer = { layerId: string; backendNodeId?: number; paintCount: number; drawsContent: boolean };
  /**
   * The layers chromium composites, as DevTools' layer tree last sent them (`cdp`'s LayerTree
   * enabled, `latest` kept by its listener), two frames from now: per layer its DOM node's backend
   * id, why it is composited and how often it was painted since the tree was on.
   */
  const compositedLayers = async (cdp: CDPSession, latest: () => Layer[]) => {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    return Promise.all(
      latest()
        .filter((l) => l.drawsContent)
        .map(async (l) => ({
          ...l,
          reasons: (await cdp.send("LayerTree.compositingReasons", { layerId: l.layerId })).compositingReasonIds ?? [],
        })),
    );
  };
  /** The backend node id of the element `selector`. */
  const backendId = async (cdp: CDPSession, selector: string) => {
    const { root: doc } = await cdp.send("DOM.getDocument", { depth: 0 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: doc.nodeId, selector });
    return (await cdp.send("DOM.describeNode", { nodeId })).node.backendNodeId;
  };

  it("a lasso after a lasso repaints the bands and node parts only: the nodes are a layer chromium keeps, the links drawn as they were", async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("DOM.enable");
    let layers: Layer[] = [];
    cdp.on("LayerTree.layerTreeDidChange", (e) => {
      if (e.layers) layers = e.layers;
    });
    await cdp.send("LayerTree.enable");
    const ids = {
      selected: await backendId(cdp, ".mtq-sankey .mtq-sankey-selected"),
      nodes: await backendId(cdp, ".mtq-sankey .mtq-nodes"),
    };
    const paints = async () => {
      const composited = await compositedLayers(cdp, () => layers);
      const of = (id: number) => composited.find((l) => l.backendNodeId === id);
      return { selected: of(ids.selected), nodes: of(ids.nodes) };
    };
    /** What the links are drawn with: every attribute but their selected count (no style depends on it), and the stroke's opacity. */
    const linksLook = () =>
      page.$$eval(".mtq-links path", (paths) =>
        paths.map((p) => [
          ...[...p.attributes].filter((a) => a.name !== "data-selected").map((a) => `${a.name}=${a.value}`),
          getComputedStyle(p).strokeOpacity,
        ]),
      );
    const undimmed = await linksLook();
    await lasso([0, 0.2, 0.6, 1]);
    const first = await paints();
    const firstLinks = await linksLook();
    // A selection's start restyles no link (the veil over them dims them): they are not painted again for it.
    assert.deepEqual(firstLinks, undimmed);
    assert.ok(first.selected?.reasons.includes("WillChangeTransform"), `the bands' layer: ${JSON.stringify(first.selected)}`);
    assert.ok(first.nodes?.reasons.includes("WillChangeTransform"), `the nodes' layer: ${JSON.stringify(first.nodes)}`);
    const images = await lasso([0.2, 0, 1, 0.6]);
    const shown = await drawn(page);
    assertShows(shown, images);
    const second = await paints();
    assert.equal(second.nodes!.paintCount, first.nodes!.paintCount, "the nodes repainted");
    assert.ok(second.selected!.paintCount > first.selected!.paintCount, "the bands not repainted");
    // The links as they were, their counts changed.
    assert.deepEqual(await linksLook(), firstLinks);
    await page.keyboard.press("Escape");
    const cleared = await drawn(page);
    assert.equal(cleared.dimmed, false);
    assert.equal(cleared.veil, 0);
    assert.ok(cleared.links.every((l) => l.band === null && l.strokeOpacity === 0.35));
    assert.ok(cleared.nodes.every((n) => n.part === 0));
    await cdp.detach();
  });

  it("colours each link and cluster by its images' majority digit (smallest on a tie), marks digits with injected images, Enter on a node", async () => {
    const { labels, injected } = results.images;
    const majority = (images: ArrayLike<number>) => {
      const counts = new Map<number, number>();
      for (let k = 0; k < images.length; k++) counts.set(labels[images[k]], (counts.get(labels[images[k]]) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    };
    const imagesOf = (id: string) =>
      results.flows.links.filter((l) => (id.startsWith("digit:") ? l.source : l.target) === id).flatMap((l) => Array.from(l.images));
    const fills = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll<SVGGElement>(".mtq-sankey-svg .mtq-node")].map((g) => [
          g.dataset.id!,
          { fill: g.querySelector(".mtq-node-box")!.getAttribute("fill"), label: g.querySelector("text")!.textContent },
        ]),
      ),
    );
    const strokes = await page.evaluate(() =>
      [...document.querySelectorAll<SVGPathElement>(".mtq-sankey-svg .mtq-links path")].map((p) => ({
        key: `${p.dataset.source}>${p.dataset.target}`,
        stroke: p.getAttribute("stroke"),
      })),
    );
    for (const { key, stroke } of strokes) {
      const link = results.flows.links.find((l) => `${l.source}>${l.target}` === key)!;
      assert.equal(stroke, fills[`digit:${majority(link.images)}`].fill, key);
    }
    const clusters = results.flows.nodes.filter((n) => n.kind === "cluster");
    for (const node of clusters) assert.equal(fills[node.id].fill, fills[`digit:${majority(imagesOf(node.id))}`].fill, node.id);
    for (const node of results.flows.nodes.filter((n) => n.kind === "digit"))
      assert.equal(
        fills[node.id].label?.includes("(injected)"),
        imagesOf(node.id).some((i) => Boolean(injected[i])),
        `${node.id}: ${fills[node.id].label}`,
      );
    assert.ok(
      Object.values(fills).some((f) => f.label?.includes("(injected)")),
      "the injected fours' digit says so",
    );
    const cluster = clusters[1];
    await page.locator(`.mtq-node[data-id="${cluster.id}"]`).focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(
      (await lastSelection(page))!.images,
      imagesOf(cluster.id).sort((a, b) => a - b),
    );
    await page.keyboard.press("Escape");
  });

  it("Enter on a focused link selects its images: its band is the whole link; Escape ends the selection", async () => {
    const link = [...results.flows.links].sort((a, b) => b.count - a.count)[1];
    const key = `${link.source}>${link.target}`;
    await page.locator(`.mtq-links path[data-source="${link.source}"][data-target="${link.target}"]`).focus();
    await page.keyboard.press("Enter");
    const images = (await lastSelection(page))!.images;
    assert.equal(images.length, link.count);
    const shown = await drawn(page);
    assertShows(shown, images);
    const own = shown.links.find((l) => l.key === key)!;
    assert.equal(own.band, own.width);
    await page.keyboard.press("Escape");
    assert.equal((await drawn(page)).dimmed, false);
  });

  it("the SVG export draws the selection as the view does: links dimmed, the bands and parts over them", async () => {
    const images = await lasso([0, 0, 0.5, 1]);
    const shown = await drawn(page);
    await page.getByRole("button", { name: "SVG", exact: true }).click();
    const sent = (await lastPosted(page, "export"))!;
    const exported = await page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      // The Sankey is the last SVG in the export: column titles, links, the selected layer (the veil,
      // the link lifted over it, the bands, the parts), nodes.
      const sankey = [...doc.documentElement.children].filter((c) => c.tagName === "svg").at(-1)!;
      const [, links, selected] = [...sankey.children];
      const [veil, lifted, bands, parts] = [...selected.children];
      return {
        linksOpacity: [...new Set([...links.querySelectorAll("path")].map((p) => p.getAttribute("stroke-opacity")))],
        links: links.querySelectorAll("path").length,
        veil: [veil.getAttribute("display"), veil.getAttribute("fill-opacity")],
        lifted: lifted.getAttribute("display"),
        bands: [...bands.querySelectorAll("path")].filter((p) => p.getAttribute("display") !== "none").length,
        parts: [...parts.querySelectorAll("rect")].filter((r) => Number(r.getAttribute("height")) > 0).length,
      };
    }, sent.data);
    assert.deepEqual(exported.linksOpacity, ["0.35"]);
    assert.deepEqual(exported.veil, ["inline", String(shown.veil)]);
    assert.equal(exported.lifted, "none");
    assert.equal(exported.links, results.flows.links.length);
    assert.equal(exported.bands, shown.links.filter((l) => l.band !== null).length);
    assert.equal(exported.parts, shown.nodes.filter((n) => n.part > 0).length);
    assert.ok(images.length > 0);
    await page.keyboard.press("Escape");
  });

  it("in the high-contrast theme the links keep their opacity under a selection's bands", async () => {
    await page.goto(`${server.url}?theme=high-contrast`);
    await sendLoad(page, file);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    await lasso([0, 0, 0.5, 1]);
    const shown = await drawn(page);
    assert.ok(shown.dimmed);
    assert.equal(shown.veil, 0);
    assert.ok(shown.links.every((l) => l.strokeOpacity === 0.55));
    assert.ok(shown.links.some((l) => l.band !== null));
  });
});
