// An image's true neighbours in the results view, in chromium on a real run of
// examples/ones-vs-sevens.mtq.json (400 images: exact neighbours): an image selected alone (as the
// tree selects it) gets its stored neighbours asked of the host and listed per layer, with their
// names and distances, how many the map shown keeps among its nearest (the run's own umapKept and
// pcaKept), and rings and links drawn on every map, where the neighbours are, on screen and in the
// SVG export; Enter on a row selects that neighbour; the selection's neighbours come back after a
// reload; a training snapshot's are its own (ones-vs-sevens-over-time); a file without stored
// neighbours says so, and approximate ones are said to be. Colour by: Neighbours kept colours each
// point by the run's counts for the map drawn, with its legend, and is not offered without them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { imageTitle } from "../src/shared/imageName";
import type { Results } from "../src/shared/results";
import { keptColor, keptLegend } from "../webview/keptColors";
import {
  browserMissing,
  cspViolations,
  type HarnessPage,
  lastPosted,
  lastSelection,
  mapFit,
  openHarnessPage,
  savedStateOf,
  send,
  sendLoad,
} from "./browser/browser";
import { runExample } from "./helpers";

const root = join(__dirname, "..");
const skip = browserMissing();
const file = skip ? "" : runExample("ones-vs-sevens");

/** Values `from` to `to` (excluded) of a per-image column. */
const part = (column: ArrayLike<number>, from: number, to: number) => Array.from({ length: to - from }, (_, q) => column[from + q]);

describe("an image's true neighbours, listed and linked on each map", { skip }, () => {
  let harness: HarnessPage;
  let r: Results;
  /** The image looked at: a kept one whose UMAP and PCA maps each drop some of its neighbours and keep others. */
  let image: number;

  before(async () => {
    ({ results: r } = await readResultsFile(file));
    // Of those, the one whose farthest neighbour is farthest on every map (as a share of the map's span): its links are long.
    const k = r.layers[0].neighbourCount!;
    const reach = (i: number) =>
      Math.min(
        ...r.layers.flatMap((l) =>
          [l.umap, l.pca!].map((pos) => {
            const xs = Array.from({ length: r.images.count }, (_, j) => pos[2 * j]);
            const span = Math.max(...xs) - Math.min(...xs);
            const far = part(l.neighbours!, i * k, (i + 1) * k).map((j) =>
              Math.hypot(pos[2 * j] - pos[2 * i], pos[2 * j + 1] - pos[2 * i + 1]),
            );
            return Math.max(...far) / span;
          }),
        ),
      );
    const candidates = Array.from({ length: r.images.count }, (_, i) => i).filter(
      (i) => !r.images.injected[i] && r.layers.every((l) => [l.umapKept![i], l.pcaKept![i]].every((kept) => kept > 0 && kept < k)),
    );
    assert.ok(candidates.length > 0, "an image whose maps keep some of its neighbours and lose others");
    const reaches = candidates.map(reach);
    image = candidates[reaches.indexOf(Math.max(...reaches))];
    harness = await openHarnessPage(root, { width: 1400, height: 1000 });
    await harness.show(file);
  });

  after(() => harness?.close());

  const select = async (images: number[]) => {
    await send(harness.page, { type: "select", selection: { images, label: "from the tree" } });
    await harness.page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>(".mtq-map")].every((m) => m.dataset.selected === String(n)),
      images.length,
    );
    if (images.length === 1) await harness.page.waitForSelector(`.mtq-neighbours[data-image="${images[0]}"] .mtq-neighbour`);
  };

  /** Per layer, the listed rows: image, name, distance, kept; and the note. */
  const listed = () =>
    harness.page.$$eval(".mtq-neighbour-layer", (layers) =>
      layers.map((layer) => ({
        note: layer.querySelector(".mtq-neighbour-note")?.textContent ?? "",
        kept: Number((layer.querySelector(".mtq-neighbour-note") as HTMLElement | null)?.dataset.kept),
        rows: [...layer.querySelectorAll<HTMLElement>(".mtq-neighbour")].map((row) => ({
          image: Number(row.dataset.image),
          name: row.querySelector(".mtq-neighbour-name")?.textContent,
          distance: row.querySelector(".mtq-neighbour-distance")?.textContent,
          kept: row.dataset.kept === "true",
          thumbnail: row.querySelector("canvas.mtq-thumbs") !== null,
        })),
      })),
    );

  /** Per map: its focus ring's centre, each neighbour's ring (centre, neighbour, kept) and each link's ends, neighbour and dash. */
  const links = () =>
    harness.page.$$eval(".mtq-map", (maps) =>
      maps.map((m) => {
        const ring = m.querySelector(".mtq-focus-line")!;
        return {
          ring: [Number(ring.getAttribute("cx")), Number(ring.getAttribute("cy"))],
          from: Number(ring.getAttribute("r")),
          rings: [...m.querySelectorAll(".mtq-neighbour-ring")].map((c) => ({
            neighbour: Number(c.getAttribute("data-neighbour")),
            at: [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))],
            kept: c.getAttribute("data-kept") === "true",
          })),
          links: [...m.querySelectorAll(".mtq-neighbour-link")].map((l) => ({
            neighbour: Number(l.getAttribute("data-neighbour")),
            from: [Number(l.getAttribute("x1")), Number(l.getAttribute("y1"))],
            to: [Number(l.getAttribute("x2")), Number(l.getAttribute("y2"))],
            dashed: l.hasAttribute("stroke-dasharray"),
          })),
        };
      }),
    );

  /**
   * Asserts each map rings `image`'s stored neighbours where they are drawn on `kind`'s map (but those
   * whose ring would touch the image's: they lie beside it), and links the image's ring to each ring
   * along the line between them, dashed where the map loses the neighbour (as its row in the list says).
   */
  const assertLinks = async (kind: "umap" | "pca") => {
    const drawn = await links();
    const rows = await listed();
    let linked = 0;
    for (const [l, layer] of r.layers.entries()) {
      const k = layer.neighbourCount!;
      const pos = kind === "pca" ? layer.pca! : layer.umap;
      const { scale } = await mapFit(harness.page, l, pos);
      const { ring, from, rings, links: lines } = drawn[l];
      // maps.ts: the image's ring is radius * 2.2 + 4 (selectedScale), a neighbour's radius + 3.
      const to = (from - 4) / 2.2 + 3;
      const placeOf = (j: number) => [0, 1].map((c) => ring[c] + (Math.fround(pos[2 * j + c]) - Math.fround(pos[2 * image + c])) * scale);
      const keptInList = new Map(rows[l].rows.map((row) => [row.image, row.kept]));
      for (const j of part(layer.neighbours!, image * k, (image + 1) * k)) {
        const want = placeOf(j);
        const away = Math.hypot(want[0] - ring[0], want[1] - ring[1]);
        const c = rings.find((x) => x.neighbour === j);
        if (Math.abs(away - from - to) < 0.5) continue;
        assert.equal(c !== undefined, away > from + to, `layer ${l + 1}: neighbour ${j}, ${away} px away, ringed when beyond ${from + to}`);
        if (!c) continue;
        assert.ok(
          Math.hypot(c.at[0] - want[0], c.at[1] - want[1]) < 0.5,
          `layer ${l + 1}: the ring of ${j} at ${c.at.join(",")}, the neighbour drawn at ${want.join(",")}`,
        );
        assert.equal(c.kept, keptInList.get(j));
      }
      assert.equal(lines.length, rings.length);
      linked += lines.length;
      for (const line of lines) {
        const target = rings.find((c) => c.neighbour === line.neighbour)!;
        assert.equal(line.dashed, !target.kept, `layer ${l + 1}: the link to ${line.neighbour} is dashed when the map loses it`);
        // Both ends on the line from the image to the neighbour, in that order, off both rings.
        const [dx, dy] = [target.at[0] - ring[0], target.at[1] - ring[1]];
        const length = Math.hypot(dx, dy);
        for (const end of [line.from, line.to]) {
          const off = Math.abs((end[0] - ring[0]) * dy - (end[1] - ring[1]) * dx) / length;
          assert.ok(off < 0.5, `layer ${l + 1}: the link to ${line.neighbour} runs ${off} px off the line to it`);
        }
        const along = (end: number[]) => ((end[0] - ring[0]) * dx + (end[1] - ring[1]) * dy) / length;
        assert.ok(Math.abs(along(line.from) - from) < 0.2 && Math.abs(length - along(line.to) - to) < 0.2);
      }
    }
    assert.ok(linked > 0, "some neighbours are linked");
  };

  it("lists each layer's stored neighbours of an image selected alone, with names, distances and the UMAP map's kept ones", async () => {
    const { page } = harness;
    assert.equal(await page.locator(".mtq-neighbours").isHidden(), true, "no neighbours without an image selected alone");
    await select([image]);
    assert.deepEqual(await lastPosted(page, "neighbours"), { type: "neighbours", image });
    assert.equal(await page.locator(".mtq-neighbours .mtq-section-title").textContent(), `Nearest to ${imageTitle(r, image)}`);
    const lists = await listed();
    assert.equal(lists.length, r.layers.length);
    r.layers.forEach((layer, l) => {
      const k = layer.neighbourCount!;
      assert.equal(k, 14);
      const { note, kept, rows } = lists[l];
      assert.deepEqual(
        rows.map((row) => row.image),
        part(layer.neighbours!, image * k, (image + 1) * k),
        `layer ${l + 1}'s neighbours, nearest first`,
      );
      assert.deepEqual(
        rows.map((row) => row.distance),
        part(layer.neighbourDistances!, image * k, (image + 1) * k).map((d) => d.toPrecision(3)),
      );
      assert.deepEqual(
        rows.map((row) => row.name),
        rows.map((row) => imageTitle(r, row.image)),
      );
      assert.ok(rows.every((row) => row.thumbnail));
      // The rows the map keeps are as many as the run counted for this image (its umapKept).
      assert.equal(kept, layer.umapKept![image], `layer ${l + 1}: the UMAP map keeps the run's count`);
      assert.equal(rows.filter((row) => row.kept).length, kept);
      assert.equal(note, `14 nearest in the layer, exact · ${kept} of 14 among its nearest on the UMAP map`);
    });
    assert.deepEqual(await cspViolations(page), []);
  });

  it("rings each neighbour on every map where it is drawn and links the image to it, dashed where the map loses it", async () => {
    await assertLinks("umap");
  });

  it("draws the links in the SVG export where they are on screen", async () => {
    const { page } = harness;
    await page.getByRole("button", { name: "SVG", exact: true }).click();
    const svg = (await lastPosted(page, "export"))!.data;
    const exported = await page.evaluate(
      (text) =>
        [...new DOMParser().parseFromString(text, "image/svg+xml").querySelectorAll(".mtq-export-neighbours")].map((map) =>
          [...map.querySelectorAll("[data-neighbour]")].map((l) => ({
            neighbour: Number(l.getAttribute("data-neighbour")),
            to:
              l.tagName === "line"
                ? [Number(l.getAttribute("x2")), Number(l.getAttribute("y2"))]
                : [Number(l.getAttribute("cx")), Number(l.getAttribute("cy"))],
            stroke: l.getAttribute("stroke"),
          })),
        ),
      svg,
    );
    const drawn = await links();
    assert.equal(exported.length, r.layers.length, "an export group of links per map");
    assert.ok(
      exported.every((lines) => lines.length > 0),
      "every map's export links the image to its neighbours",
    );
    exported.forEach((lines, l) => {
      assert.deepEqual(
        lines.map(({ neighbour, to }) => ({ neighbour, to })),
        [
          ...drawn[l].links.map(({ neighbour, to }) => ({ neighbour, to })),
          ...drawn[l].rings.map(({ neighbour, at }) => ({ neighbour, to: at })),
        ],
        `layer ${l + 1}'s exported links and rings`,
      );
      // In the theme's focus colour, written out (the export has no stylesheet).
      assert.ok(lines.every((line) => line.stroke === "#0078d4"));
    });
  });

  it("on the PCA map: the links follow the neighbours to their PCA places, the list counts the PCA map's kept ones", async () => {
    const { page } = harness;
    await page.locator('[role="group"][aria-label="Map"] button').filter({ hasText: "PCA" }).click();
    const lists = await listed();
    r.layers.forEach((layer, l) => {
      assert.equal(lists[l].kept, layer.pcaKept![image], `layer ${l + 1}: the PCA map keeps the run's count`);
      assert.match(lists[l].note, / among its nearest on the PCA map$/);
    });
    await assertLinks("pca");
    await page.locator('[role="group"][aria-label="Map"] button').filter({ hasText: "UMAP" }).click();
  });

  it("Enter on a row selects that neighbour: its own neighbours listed, the keyboard kept in the list", async () => {
    const { page } = harness;
    const row = page.locator(".mtq-neighbour-layer").first().locator(".mtq-neighbour").nth(2);
    const neighbour = Number(await row.getAttribute("data-image"));
    await row.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(`.mtq-neighbours[data-image="${neighbour}"] .mtq-neighbour`);
    assert.deepEqual((await lastSelection(page))?.images, [neighbour]);
    const k = r.layers[0].neighbourCount!;
    assert.deepEqual(
      (await listed())[0].rows.map((x) => x.image),
      part(r.layers[0].neighbours!, neighbour * k, (neighbour + 1) * k),
    );
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("mtq-neighbour")), true);
    // Tab moves to the next row, as does the down arrow; the up arrow back; End to the last layer's last.
    const focused = () => page.evaluate(() => Number((document.activeElement as HTMLElement).dataset.image));
    const first = await focused();
    await page.keyboard.press("Tab");
    const second = await focused();
    await page.keyboard.press("ArrowDown");
    const third = await focused();
    assert.deepEqual([first, second, third], part(r.layers[0].neighbours!, neighbour * k, neighbour * k + 3));
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(), second);
    await page.keyboard.press("End");
    const last = r.layers.at(-1)!.neighbours!;
    assert.equal(await focused(), last[(neighbour + 1) * k - 1]);
  });

  it("colours by neighbours kept: each point in the colour of its count on the map drawn, UMAP then PCA, with the legend", async () => {
    const { page } = harness;
    await page.getByRole("button", { name: "Clear", exact: true }).click();
    await page.getByRole("button", { name: "Reset zoom", exact: true }).click();
    const colourBy = page.locator('[role="group"][aria-label="Colour by"] button');
    assert.deepEqual(await colourBy.allTextContents(), ["Digit", "Cluster", "Neighbours kept"]);
    await colourBy.filter({ hasText: "Neighbours kept" }).click();
    assert.equal(((await savedStateOf(page)) as { colorBy?: string }).colorBy, "kept");
    assert.deepEqual(await page.locator('.mtq-legend[data-color-by="kept"] .mtq-legend-item').allTextContents(), [
      ...keptLegend(14).map((e) => e.label),
      "injected",
    ]);
    for (const kind of ["umap", "pca"] as const) {
      if (kind === "pca") await page.locator('[role="group"][aria-label="Map"] button').filter({ hasText: "PCA" }).click();
      // The export draws every point as the map does, a path per colour: count each colour's points.
      await page.getByRole("button", { name: "SVG", exact: true }).click();
      const svg = (await lastPosted(page, "export"))!.data;
      const drawn = await page.evaluate(
        (text) =>
          [...new DOMParser().parseFromString(text, "image/svg+xml").querySelectorAll(".mtq-export-map")].map((map) => {
            const counts: Record<string, number> = {};
            for (const path of map.querySelectorAll(":scope > path")) {
              const colour = path.getAttribute("fill") === "none" ? path.getAttribute("stroke")! : path.getAttribute("fill")!;
              counts[colour] = (counts[colour] ?? 0) + (path.getAttribute("d")!.match(/M/g) ?? []).length;
            }
            return counts;
          }),
        svg,
      );
      r.layers.forEach((layer, l) => {
        const kept = kind === "pca" ? layer.pcaKept! : layer.umapKept!;
        const want: Record<string, number> = {};
        for (let i = 0; i < r.images.count; i++) want[keptColor(kept[i], 14)] = (want[keptColor(kept[i], 14)] ?? 0) + 1;
        assert.deepEqual(drawn[l], want, `layer ${l + 1}'s points by their ${kind} map's neighbours kept`);
      });
    }
    await page.locator('[role="group"][aria-label="Map"] button').filter({ hasText: "UMAP" }).click();
  });

  it("lists and links nothing for a selection of several images, and again after a reload for one", async () => {
    const { page } = harness;
    await select([image, image + 1]);
    assert.equal(await page.locator(".mtq-neighbours").isHidden(), true);
    assert.deepEqual(
      (await links()).map((m) => m.rings.length + m.links.length),
      r.layers.map(() => 0),
    );
    await select([image]);
    await page.reload();
    await sendLoad(page, file);
    await page.waitForSelector(`.mtq-neighbours[data-image="${image}"] .mtq-neighbour`);
    assert.deepEqual(
      (await links()).some((m) => m.rings.length > 0),
      true,
    );
    assert.equal(await page.locator('[role="group"][aria-label="Colour by"] button[aria-pressed="true"]').textContent(), "Neighbours kept");
  });

  it("says when a layer's neighbours are approximate", async () => {
    const { page } = harness;
    const approximate: Results = { ...r, layers: r.layers.map((l, n) => (n === 0 ? { ...l, approximateNeighbours: true as const } : l)) };
    await page.reload();
    await sendLoad(page, approximate);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    await select([image]);
    const notes = (await listed()).map((x) => x.note);
    assert.match(notes[0], /^14 nearest in the layer, approximate · /);
    assert.match(notes[1], /^14 nearest in the layer, exact · /);
    assert.match((await page.locator(".mtq-neighbour-note").first().getAttribute("title")) ?? "", /partitioned search/);
  });

  it("says so for a file without stored neighbours (written before them): no list, no links", async () => {
    const { page } = harness;
    const older: Results = {
      ...r,
      layers: r.layers.map(({ neighbours: _n, neighbourDistances: _d, ...l }) => l),
    };
    await page.reload();
    await sendLoad(page, older);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    await send(page, { type: "select", selection: { images: [image], label: "from the tree" } });
    await page.waitForSelector(".mtq-no-neighbours");
    assert.equal(
      await page.locator(".mtq-no-neighbours").textContent(),
      "This results file stores no neighbours per layer (it was written before they were): run its experiment again to list them.",
    );
    assert.equal(await page.locator(".mtq-neighbour").count(), 0);
    assert.deepEqual(
      (await links()).map((m) => m.rings.length + m.links.length),
      r.layers.map(() => 0),
    );
  });

  it("lists a training snapshot's neighbours at its epoch, asking the host for that epoch's", async () => {
    const { page } = harness;
    const overTime = runExample("ones-vs-sevens-over-time");
    const { results: t } = await readResultsFile(overTime);
    await page.reload();
    await sendLoad(page, overTime, "over-time.results.json");
    await page.waitForSelector(".mtq-sankey .mtq-node");
    await page.locator(".mtq-epoch-slider").fill("0");
    await page.waitForSelector('.mtq-epochs[data-epoch="1"]');
    await select([57]);
    assert.deepEqual(await lastPosted(page, "neighbours"), { type: "neighbours", image: 57, epoch: 1 });
    const [first] = t.snapshots!;
    const k = first.layers[0].neighbourCount!;
    assert.deepEqual(
      (await listed()).map((l) => l.rows.map((row) => row.image)),
      first.layers.map((l) => part(l.neighbours!, 57 * k, 58 * k)),
    );
    assert.notDeepEqual(part(first.layers[0].neighbours!, 57 * k, 58 * k), part(t.layers[0].neighbours!, 57 * k, 58 * k));
  });

  it("offers no colouring by neighbours kept for a file without the counts, and colours it by digit when that was chosen", async () => {
    const { page } = harness;
    const older: Results = {
      ...r,
      layers: r.layers.map(({ umapKept: _u, pcaKept: _p, ...l }) => l),
    };
    assert.equal(((await savedStateOf(page)) as { colorBy?: string }).colorBy, "kept");
    await page.reload();
    await sendLoad(page, older);
    await page.waitForSelector(".mtq-sankey .mtq-node");
    assert.deepEqual(await page.locator('[role="group"][aria-label="Colour by"] button').allTextContents(), ["Digit", "Cluster"]);
    assert.equal(await page.locator('[role="group"][aria-label="Colour by"] button[aria-pressed="true"]').textContent(), "Digit");
    assert.equal(await page.locator(".mtq-legend").getAttribute("data-color-by"), "digit");
  });
});
