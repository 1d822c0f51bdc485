// The view's SVG and PNG exports stand alone: titled with the experiment's name, and with the
// legend of the colours the maps use, by digit or by cluster as "Colour by" says. Checked in
// chromium on a real run of examples/ones-vs-sevens.mtq.json: the legend's entries are the
// digits (or each layer's clusters) and their colours are exactly the colours of the exported
// points. The exports are also written to .tmp/screens/ to look at.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { browserMissing, lastPosted, openHarnessPage, type HarnessPage } from "./browser/browser";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
const screens = join(root, ".tmp", "screens");

interface ExportedSvg {
  width: number;
  height: number;
  title: string;
  /** Per legend (its data-legend: "digit", "layer 1"...): its entries. */
  legends: Record<string, { label: string; color: string; hollow: boolean }[]>;
  /** Per map: its points' colours, as "COLOR" or "COLOR ring" for hollow points. */
  mapColors: string[][];
}

describe("the view's SVG and PNG exports", { skip: browserMissing() }, () => {
  let harness: HarnessPage;
  let results: Results;

  before(async () => {
    const file = runExample("ones-vs-sevens");
    ({ results } = await readResultsFile(file));
    mkdirSync(screens, { recursive: true });
    harness = await openHarnessPage(root);
    await harness.show(file);
  });

  after(() => harness?.close());

  /** Clicks the view's SVG button and reads what it sent the host. */
  const exportSvg = async (name: string): Promise<ExportedSvg> => {
    const { page } = harness;
    await page.getByRole("button", { name: "SVG", exact: true }).click();
    const sent = (await lastPosted(page, "export"))!;
    assert.equal(sent.format, "svg");
    writeFileSync(join(screens, `${name}.svg`), sent.data);
    return page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      const rootSvg = doc.documentElement;
      const legends: ExportedSvg["legends"] = {};
      for (const legend of doc.querySelectorAll("[data-legend]"))
        legends[legend.getAttribute("data-legend")!] = [...legend.querySelectorAll("[data-color]")].map((item) => ({
          label: item.querySelector("text")!.textContent!,
          color: item.getAttribute("data-color")!,
          hollow: item.getAttribute("data-hollow") === "true",
        }));
      const mapColors = [...doc.querySelectorAll(".mtq-export-map")].map((map) => [
        ...new Set(
          [...map.querySelectorAll("path")].map((p) =>
            p.getAttribute("fill") === "none" ? `${p.getAttribute("stroke")} ring` : p.getAttribute("fill")!,
          ),
        ),
      ]);
      return {
        width: Number(rootSvg.getAttribute("width")),
        height: Number(rootSvg.getAttribute("height")),
        title: rootSvg.querySelector(":scope > text")!.textContent!,
        legends,
        mapColors,
      };
    }, sent.data);
  };
  const sorted = (list: string[]) => [...list].sort();

  it("by digit: titled with the experiment's name, one legend of the digits, the injected ones as rings, in the points' colours", async () => {
    const svg = await exportSvg("export-by-digit");
    assert.equal(svg.title, `ones-vs-sevens: ${results.images.count} images`);
    assert.deepEqual(Object.keys(svg.legends), ["digit"]);
    const legend = svg.legends.digit;
    assert.deepEqual(
      legend.map((e) => e.label),
      ["1", "7", "3 (injected)", "4 (injected)"],
    );
    assert.deepEqual(
      legend.map((e) => e.hollow),
      [false, false, true, true],
    );
    assert.equal(new Set(legend.map((e) => e.color)).size, 4, "four distinct colours");
    assert.equal(svg.mapColors.length, results.layers.length);
    for (const colors of svg.mapColors)
      assert.deepEqual(sorted(colors), sorted(legend.map((e) => (e.hollow ? `${e.color} ring` : e.color))));
  });

  it("by cluster: each map's clusters with their sizes under it, and what a ring is, in the points' colours", async () => {
    await harness.page.getByRole("button", { name: "Cluster", exact: true }).click();
    const svg = await exportSvg("export-by-cluster");
    assert.deepEqual(
      Object.keys(svg.legends),
      results.layers.map((_, l) => `layer ${l + 1}`),
    );
    results.layers.forEach((layer, l) => {
      const legend = svg.legends[`layer ${l + 1}`];
      assert.deepEqual(
        legend.map((e) => e.label),
        [...layer.clusters.map((c) => `c${c.id} · ${c.size + c.injectedCount}`), "injected"],
      );
      const clusters = legend.slice(0, -1);
      assert.ok(
        clusters.every((e) => !e.hollow),
        "clusters are filled",
      );
      assert.ok(legend.at(-1)!.hollow, "the injected entry is a ring");
      // Every cluster's colour on the map, filled for its kept images, as a ring for its injected ones.
      const used = new Set(svg.mapColors[l]);
      const injectedIn = layer.clusters.filter((c) => c.injectedCount > 0).map((c) => `${clusters[layer.clusters.indexOf(c)].color} ring`);
      assert.deepEqual(
        sorted([...used]),
        sorted([...clusters.filter((_, i) => layer.clusters[i].size > 0).map((e) => e.color), ...injectedIn]),
      );
    });
  });

  it("the PNG is the same figure, legend included, at twice its size", async () => {
    const { page } = harness;
    const svg = await exportSvg("export-by-cluster");
    await page.getByRole("button", { name: "PNG", exact: true }).click();
    await page.waitForFunction(() =>
      (window as unknown as { mtqHarness: { posted: { format?: string }[] } }).mtqHarness.posted.some((m) => m.format === "png"),
    );
    const png = Buffer.from((await lastPosted(page, "export"))!.data.replace(/^data:image\/png;base64,/, ""), "base64");
    writeFileSync(join(screens, "export-by-cluster.png"), png);
    // The IHDR chunk: width and height, big-endian, at bytes 16 and 20.
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [2 * svg.width, 2 * svg.height]);
  });
});
