// The stability runs in the results view, in chromium, on a real MNIST run: a fixed k of 6 for
// 1s and 7s splits each digit in arbitrary ways, so some clusters do not hold over resamples and
// others do. The Sankey marks exactly those under UNSTABLE_JACCARD (dashed outline, words in its
// accessible label and tooltip), the map chips too, and each map's caption gives the layer's ARI
// and k tally.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseExperiment } from "../src/check/experiment";
import { runExperiment } from "../src/pipeline/run";
import { UNSTABLE_JACCARD } from "../src/shared/figures";
import type { Results } from "../src/shared/results";
import { browserMissing, cspViolations, openHarnessPage, type HarnessPage } from "./browser/browser";

const root = join(__dirname, "..");
const experimentFile = join(root, "examples", "stability.mtq.json");
const screens = join(root, ".tmp", "screens");
const skip = browserMissing();

describe("stability in the results view", { skip }, () => {
  let harness: HarnessPage;
  let results: Results;

  before(async () => {
    const parsed = parseExperiment(
      JSON.stringify({
        name: "stability",
        data: { digits: [1, 7], perDigit: 60 },
        training: { epochs: 4 },
        clustering: { k: 6 },
        stability: { runs: 10 },
        inject: [{ digit: 4, count: 20 }],
      }),
      experimentFile,
    );
    assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
    results = await runExperiment({ experiment: parsed.experiment, experimentFile });
    harness = await openHarnessPage(root);
    await harness.show(results, "stability.results.json");
  });

  after(async () => {
    await harness?.close();
  });

  const unstableOf = (r: Results) =>
    r.layers.flatMap((l, li) => l.clusters.filter((c) => c.stability! < UNSTABLE_JACCARD).map((c) => `${li + 1}:${c.id}`));

  it("marks exactly the clusters under UNSTABLE_JACCARD in the Sankey, with a dashed outline and the words", async () => {
    const { page } = harness;
    const expected = unstableOf(results);
    // The run has both kinds: otherwise this test would show nothing.
    assert.ok(expected.length > 0 && expected.length < results.layers.length * 6, expected.join(" "));
    const nodes = await page.$$eval(".mtq-sankey .mtq-node-cluster", (gs) =>
      gs.map((g) => ({
        id: (g as SVGGElement).dataset.id!,
        unstable: g.classList.contains("mtq-unstable"),
        stability: (g as SVGGElement).dataset.stability,
        label: g.getAttribute("aria-label") ?? "",
        dash: getComputedStyle(g.querySelector(".mtq-node-box")!).strokeDasharray,
      })),
    );
    assert.equal(nodes.length, results.layers.length * 6);
    for (const node of nodes) {
      const layer = results.flows.nodes.find((n) => n.id === node.id)!;
      const cluster = results.layers[layer.column - 1].clusters.find((c) => c.id === layer.value)!;
      const unstable = cluster.stability! < UNSTABLE_JACCARD;
      assert.equal(node.unstable, unstable, node.id);
      assert.equal(Number(node.stability), cluster.stability);
      const words = `${unstable ? "unstable" : "stable"} (Jaccard ${cluster.stability!.toFixed(2)})`;
      assert.ok(node.label.endsWith(`, ${words}`), `${node.id}: ${node.label}`);
      assert.equal(node.dash !== "none", unstable, `${node.id}: dash ${node.dash}`);
    }
  });

  it("says it in the tooltip, and on the maps' cluster chips", async () => {
    const { page } = harness;
    const [layer, id] = unstableOf(results)[0].split(":").map(Number);
    const cluster = results.layers[layer - 1].clusters.find((c) => c.id === id)!;
    const node = results.flows.nodes.find((n) => n.kind === "cluster" && n.column === layer && n.value === id)!;
    await page.hover(`.mtq-sankey .mtq-node[data-id="${node.id}"] .mtq-node-box`);
    await page.waitForSelector(".mtq-tooltip:not([hidden])");
    const tooltip = (await page.textContent(".mtq-tooltip")) ?? "";
    assert.match(
      tooltip,
      new RegExp(`unstable \\(Jaccard ${cluster.stability!.toFixed(2)}\\): mean Jaccard to its best match over 10 resamples`),
    );
    const chips = await page.$$eval(`.mtq-map[data-layer="${layer}"] .mtq-chip`, (bs) =>
      bs.map((b) => ({ unstable: b.classList.contains("mtq-unstable"), title: (b as HTMLElement).title })),
    );
    const shown = results.layers[layer - 1].clusters.map((c, i) => [c.stability! < UNSTABLE_JACCARD, chips[i].unstable]);
    assert.ok(shown.every(([want, got]) => want === got));
    assert.match(chips[results.layers[layer - 1].clusters.indexOf(cluster)].title, /; unstable \(Jaccard /);
  });

  it("gives each layer's ARI and k tally in its map's caption", async () => {
    const { page } = harness;
    const captions = await page.$$eval(".mtq-layer-stability", (spans) =>
      spans.map((s) => ({ text: s.textContent ?? "", title: (s as HTMLElement).title })),
    );
    assert.equal(captions.length, results.layers.length);
    results.layers.forEach((l, i) => {
      const s = l.stability!;
      const two = (x: number) => x.toFixed(2);
      assert.equal(
        captions[i].text,
        ` · ARI ${two(s.ari.mean)} [${two(s.ari.interval[0])}–${two(s.ari.interval[1])}] · k = 6 in 10 of 10 runs`,
      );
      assert.match(captions[i].title, /^Over 10 bootstrap resamples of the kept images/);
    });
    assert.deepEqual(await cspViolations(page), []);
    mkdirSync(screens, { recursive: true });
    await page.screenshot({ path: join(screens, "stability.png"), fullPage: true });
  });
});
