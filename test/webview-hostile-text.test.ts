// A results file is the user's to share, and its strings come from whoever wrote its experiment,
// its image folder or its imported files: they are shown as text, never interpreted. A real MNIST
// run (with a training snapshot) whose every string field is replaced with HTML and script — the
// experiment's name and description, the file it came from, the class names, the layers' names,
// the Sankey's node labels and ids, the images' files, the imported files, the backend — is shown
// in the results view and the comparison view in chromium (the views' own page and CSP), and its
// tree nodes are labelled (src/host/treeModel.ts): no element is made of them, no script runs,
// and the text is shown as written.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { parseExperiment } from "../src/check/experiment";
import { runExperiment } from "../src/pipeline/run";
import { compareResults } from "../src/results/compare";
import { childrenOf, experimentNode, lookOf, NONE_SAVED, type TreeNode } from "../src/host/treeModel";
import type { Results } from "../src/shared/results";
import { browserMissing, cspViolations, openHarnessPage, sendCompare, type HarnessPage } from "./browser/browser";

const root = join(__dirname, "..");
const skip = browserMissing();

/**
 * The hostile text of a field: markup that would make an element of class mtq-hostile, or set
 * window.mtqPwned, if it were interpreted anywhere (as HTML, in an attribute, in an SVG).
 */
const hostile = (field: string) =>
  `${field}<b class="mtq-hostile">${field}</b><img class="mtq-hostile" src="x" onerror="window.mtqPwned='${field}'">` +
  `<script>window.mtqPwned='${field}'</script>"'><svg class="mtq-hostile" onload="window.mtqPwned='${field}'"></svg>`;

/** `results` with every string field a view or the tree may show made hostile; the snapshots' too. */
function hostileResults(results: Results): Results {
  const state = <S extends Pick<Results, "layers" | "flows">>(s: S): S => ({
    ...s,
    layers: s.layers.map((l, i) => ({ ...l, name: hostile(`layer-${i}`) })),
    flows: {
      nodes: s.flows.nodes.map((n) => ({ ...n, id: `${n.id}${hostile("id")}`, label: hostile(`label-${n.id}`) })),
      links: s.flows.links.map((k) => ({ ...k, source: `${k.source}${hostile("id")}`, target: `${k.target}${hostile("id")}` })),
    },
  });
  return {
    ...state(results),
    // An image folder's: its images are then named by their files.
    experiment: {
      ...results.experiment,
      name: hostile("name"),
      description: hostile("description"),
      data: { ...results.experiment.data, source: { folder: { path: hostile("folder"), size: [28, 28], invert: false } } },
    },
    experimentFile: hostile("experimentFile"),
    backend: hostile("backend"),
    classNames: Object.fromEntries(results.classes.map((c) => [String(c), hostile(`class-${c}`)])),
    images: { ...results.images, files: Array.from(results.images.labels).map((_, i) => hostile(`file-${i}`)) },
    imported: { files: [hostile("imported")] },
    snapshots: results.snapshots?.map((s) => state(s)),
  };
}

/** Whether anything of the hostile text was interpreted in the page: elements made, a script run, the CSP tripped. */
async function interpreted(page: Page): Promise<{ elements: number; pwned: unknown; violations: string[] }> {
  const [elements, pwned] = await page.evaluate(() => [
    document.querySelectorAll(".mtq-hostile").length,
    (window as unknown as { mtqPwned?: unknown }).mtqPwned,
  ]);
  return { elements, pwned, violations: await cspViolations(page) };
}

const nothingInterpreted = { elements: 0, pwned: undefined, violations: [] };

async function run(name: string, seed: number): Promise<Results> {
  const file = join(root, "examples", `${name}.mtq.json`);
  const parsed = parseExperiment(
    JSON.stringify({
      name,
      seed,
      data: { source: "mnist", digits: [1, 7], perDigit: 40, holdout: { perDigit: 20 } },
      training: { epochs: 2 },
      snapshots: [1],
      inject: [{ digit: 4, count: 10 }],
    }),
    file,
  );
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return runExperiment({ experiment: parsed.experiment, experimentFile: file });
}

describe("strings of a results file are text: HTML and script in every field are shown, not run", { skip }, () => {
  let a: Results;
  let b: Results;
  let harness: HarnessPage;

  before(async () => {
    [a, b] = [hostileResults(await run("hostile-a", 24)), hostileResults(await run("hostile-b", 25))];
    assert.ok(a.snapshots?.length, "a training snapshot");
    harness = await openHarnessPage(root);
  });

  after(async () => harness?.close());

  it("shows them in the results view, at the final epoch, the snapshot's, and with a cluster selected", async () => {
    const { page } = harness;
    await harness.show(a, hostile("resultsFile"));
    const text = async () => (await page.locator("#mtq-root").textContent()) ?? "";
    // As written, markup and all: the name, the description, a class name (the Sankey's digits), the imported files.
    for (const field of ["name", "description", "class-1", "imported"]) assert.ok((await text()).includes(hostile(field)), field);
    assert.deepEqual(await interpreted(page), nothingInterpreted);
    // The snapshot's epoch: its layers and flows.
    await page.locator(".mtq-epoch-slider").fill("0");
    await page.waitForFunction(() => (document.querySelector(".mtq-epochs") as HTMLElement | null)?.dataset.epoch === "1");
    assert.deepEqual(await interpreted(page), nothingInterpreted);
    // A cluster of the Sankey selected (from the keyboard: the long hostile title wraps over the Sankey's top),
    // and hovered: the selection panel and the tooltip name the images by their files.
    const cluster = page.locator(".mtq-sankey .mtq-node-cluster").first();
    await cluster.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => Number((document.querySelector(".mtq-selection") as HTMLElement | null)?.dataset.count) > 0);
    await cluster.dispatchEvent("mouseenter");
    await cluster.dispatchEvent("mouseover");
    assert.deepEqual(await interpreted(page), nothingInterpreted);
  });

  it("shows them in the comparison view", async () => {
    const { page } = harness;
    const files = { a: hostile("file-a"), b: hostile("file-b") };
    await page.reload();
    await sendCompare(page, { comparison: compareResults(a, b, files.a, files.b), files }, a);
    await page.waitForSelector(".mtq-contingency");
    const text = (await page.locator("#mtq-root").textContent()) ?? "";
    assert.ok(text.includes(hostile("name")), "the experiment's name, as written");
    await page.locator(".mtq-contingency button").first().focus();
    await page.keyboard.press("Enter");
    assert.deepEqual(await interpreted(page), nothingInterpreted);
  });

  it("labels the tree's nodes with them as plain strings, not Markdown", () => {
    // The tree lists the images of layer 1's clusters: the first one of cluster 0 is named by its file below.
    const file = hostile("resultsFile");
    const walk = (node: TreeNode): TreeNode[] => [node, ...childrenOf(node, a, NONE_SAVED, 5).flatMap(walk)];
    const looks = walk(experimentNode(file)).map((n) => lookOf(n, a));
    assert.ok(looks.length > 10, `${looks.length} nodes`);
    for (const look of looks) {
      // A string tooltip is shown by VS Code as plain text (a MarkdownString would be rendered).
      assert.equal(typeof look.tooltip, "string");
      assert.equal(typeof look.label, "string");
    }
    const all = looks.flatMap((l) => [l.label, l.description ?? "", l.tooltip]).join("\n");
    for (const field of ["name", "class-1", "class-7"]) assert.ok(all.includes(hostile(field)), `${field}, as written`);
    const image = Array.from(a.layers[0].assignments).findIndex((c) => c === 0);
    assert.ok(all.includes(hostile(`file-${image}`)), "the first image of cluster 0's file, as written");
  });
});
