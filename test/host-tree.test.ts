import assert from "node:assert/strict";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { before, describe, it } from "node:test";
import { readResultsFile, type LoadedResults } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { PixelBatches } from "../src/host/pixelBatches";
import { imagePng } from "../src/host/thumbnail";
import {
  childrenOf,
  digitMix,
  experimentNode,
  IMAGE_CAP,
  lookOf,
  NONE_SAVED,
  nodeForSelection,
  parentOf,
  selectionOf,
  type TreeNode,
} from "../src/host/treeModel";
import { startWorkerRun } from "../src/host/workerRun";
import { allPixels, imagePixels, onesVsSevens, runExample, tempDir, writeJson } from "./helpers";

const worker = join(__dirname, "..", "dist", "worker.js");

/** Every node under `node`, depth first (a cluster or the outliers listing `cap` images at most). */
function walk(node: TreeNode, loaded: LoadedResults, cap?: number): TreeNode[] {
  return [node, ...childrenOf(node, loaded.results, NONE_SAVED, cap).flatMap((c) => walk(c, loaded, cap))];
}

describe("the clusters tree, on the report's 1-vs-7 experiment run by the real pipeline", () => {
  let loaded: LoadedResults;
  let root: TreeNode;
  // Made here, not in before(): its removal is then the suite's end (the pixels are read from the .bin when drawn).
  const dir = tempDir();

  before(async () => {
    const file = writeJson(dir, "ovs.mtq.json", onesVsSevens);
    const outcome = await startWorkerRun(worker, file, {}, () => undefined).outcome;
    assert.equal(outcome.type, "done", JSON.stringify(outcome));
    loaded = await readResultsFile(join(dir, "ones-vs-sevens.results.json"));
    root = experimentNode(loaded.file);
  });

  it("has a layer per hidden layer, then the outliers, each layer with its k clusters", () => {
    const { results } = loaded;
    const top = childrenOf(root, results);
    assert.deepEqual(
      top.map((n) => n.kind),
      ["layer", "layer", "outliers"],
    );
    assert.equal(lookOf(root, results).label, "ones-vs-sevens");
    top.slice(0, 2).forEach((layer, i) => {
      const clusters = childrenOf(layer, results);
      assert.equal(clusters.length, results.layers[i].k);
      assert.equal(
        lookOf(layer, results).description,
        `k = ${results.layers[i].k} · silhouette ${results.layers[i].silhouette.toFixed(2)}`,
      );
      // Every image, kept or injected, sits under exactly one cluster of each layer.
      const images = clusters.flatMap((c) => childrenOf(c, results).map((n) => (n.kind === "image" ? n.image : -1)));
      assert.deepEqual(
        images.sort((a, b) => a - b),
        [...Array(results.images.count).keys()],
      );
    });
    assert.equal(childrenOf(top[2], results).length, results.findings.outliers.length);
  });

  it("labels clusters with their digit mix: the 7s sitting with the 1s show up", () => {
    const { results } = loaded;
    const layer1 = childrenOf(root, results)[0];
    const labels = childrenOf(layer1, results).map((c) => lookOf(c, results).label);
    for (const label of labels) assert.match(label, /^cluster \d+ · \d+ x \d(, \d+ x \d)*$/);
    const onesCluster = results.findings.layers[0].dominantCluster["1"];
    const sevensWithOnes = results.layers[0].clusters.find((c) => c.id === onesCluster)!.digitCounts["7"] ?? 0;
    assert.ok(sevensWithOnes > 0, "the report found 7s in the 1s' cluster from layer 1 on");
    assert.ok(
      labels.some((l) => l.startsWith(`cluster ${onesCluster} · `) && l.includes(`${sevensWithOnes} x 7`)),
      labels.join(" | "),
    );
    assert.equal(digitMix({ "1": 4, "7": 96, "4": 0 }, results), "96 x 7, 4 x 1");
  });

  it("walks back to the root from every node (TreeView.reveal needs getParent)", () => {
    const all = walk(root, loaded);
    const ids = new Set(all.map((n) => n.id));
    assert.equal(ids.size, all.length, "node ids are unique");
    for (const node of all.slice(1)) {
      const parent = parentOf(node)!;
      assert.ok(
        childrenOf(parent, loaded.results).some((c) => c.id === node.id),
        node.id,
      );
    }
    assert.equal(parentOf(root), undefined);
  });

  it("maps a node to its selection and a selection back to its node", () => {
    const { results, file } = loaded;
    const all = walk(root, loaded);
    for (const node of all.filter((n) => n.kind === "cluster")) {
      const selection = selectionOf(node, results)!;
      const back = nodeForSelection(file, results, selection)!;
      // Two layers may hold the very same cluster: the first layer's is revealed.
      assert.deepEqual(selectionOf(back, results)!.images, selection.images);
      assert.equal(back.kind, "cluster");
    }
    const outliers = all.find((n) => n.kind === "outliers")!;
    assert.equal(nodeForSelection(file, results, selectionOf(outliers, results)!)?.id, outliers.id);
    const image = nodeForSelection(file, results, { images: [5], label: "hover" })!;
    assert.ok(image.kind === "image" && image.image === 5 && image.layer === 0);
    assert.ok(all.some((n) => n.id === image.id));
    assert.equal(nodeForSelection(file, results, { images: [1, 2, 3], label: "lasso" }), undefined);
    assert.equal(selectionOf(childrenOf(root, results)[0], results), undefined, "a layer selects nothing");
  });

  it("describes outliers by their reasons", () => {
    const { results } = loaded;
    const outliers = childrenOf(root, results).find((n) => n.kind === "outliers")!;
    for (const node of childrenOf(outliers, results)) {
      const look = lookOf(node, results);
      assert.match(look.description!, /^score \d\.\d\d( · (rare path|far from its cluster|unsure|misclassified as \d).*)?$/);
      assert.deepEqual(look.icon, { image: node.kind === "outlier" ? node.image : -1 });
      assert.ok(node.kind === "outlier" && look.label.startsWith(`image ${node.image} · ${results.images.labels[node.image]}`), look.label);
    }
  });

  it("gives each outlier's item its own record's score and reasons, outliers ranked as the findings hold them", () => {
    const { results } = loaded;
    const outliers = childrenOf(root, results).find((n) => n.kind === "outliers")!;
    const items = childrenOf(outliers, results);
    const expected = results.findings.outliers.map((o) => o.image);
    assert.ok(expected.length > 1 && expected.length <= IMAGE_CAP, `${expected.length} outliers: all listed`);
    assert.deepEqual(
      items.map((n) => (n.kind === "outlier" ? n.image : -1)),
      expected,
    );
    for (const node of items) {
      assert.ok(node.kind === "outlier");
      const record = results.findings.outliers.find((o) => o.image === node.image)!;
      const [score, reasonText] = lookOf(node, results).description!.split(" · ");
      assert.equal(score, `score ${(Math.floor(record.score * 100 + 1e-9) / 100).toFixed(2)}`);
      const reasons = reasonText ? reasonText.split("; ") : [];
      assert.equal(reasons.length, record.reasons.length, node.id);
      record.reasons.forEach((r, i) => {
        const predicted = results.predictions[node.image];
        if (r === "misclassified") assert.match(reasons[i], new RegExp(`^misclassified as ${predicted}`));
        else if (r === "rare-path")
          assert.match(
            reasons[i],
            new RegExp(`^rare path \\(${record.pathCount} of the ${record.digit}s takes? it, \\d+(\\.\\d\\d)?%\\)$`),
          );
        else if (r === "far-from-cluster") assert.match(reasons[i], /^far from its cluster \(\d+\.\dx its median distance, last layer\)$/);
        else assert.match(reasons[i], new RegExp(`^unsure \\(\\d+(\\.\\d)?% for ${predicted}\\)$`));
      });
    }
  });

  it('lists a cluster\'s first images, then one "… and N more" item selecting the whole cluster', () => {
    const { results } = loaded;
    const cap = 10;
    const clusters = childrenOf(root, results)
      .filter((n) => n.kind === "layer")
      .flatMap((l) => childrenOf(l, results));
    const big = clusters.filter((c) => selectionOf(c, results)!.images.length > cap);
    assert.ok(big.length > 0);
    for (const cluster of clusters) {
      const all = selectionOf(cluster, results)!.images;
      assert.ok(all.length <= IMAGE_CAP, "the default cap lists every image of these small clusters");
      assert.equal(childrenOf(cluster, results).length, all.length);
      const children = childrenOf(cluster, results, NONE_SAVED, cap);
      if (all.length <= cap) {
        assert.ok(children.every((n) => n.kind === "image"));
        continue;
      }
      assert.equal(children.length, cap + 1);
      assert.deepEqual(
        children.slice(0, cap).map((n) => (n.kind === "image" ? n.image : -1)),
        all.slice(0, cap),
        "the first images, in image order",
      );
      const more = children[cap];
      assert.equal(more.kind, "more");
      const look = lookOf(more, results);
      assert.equal(look.label, `… and ${all.length - cap} more`);
      assert.deepEqual(look.icon, { codicon: "ellipsis" }, "no thumbnail");
      assert.equal(look.expandable, false);
      assert.match(look.tooltip, /Click to select the whole cluster in the results view, as clicking the cluster does/);
      assert.deepEqual(selectionOf(more, results), selectionOf(cluster, results));
      assert.equal(parentOf(more)!.id, cluster.id);
      assert.deepEqual(childrenOf(more, results, NONE_SAVED, cap), []);
    }
  });

  it('caps the outliers the same way: their "more" item selects every outlier', () => {
    const { results } = loaded;
    const outliers = childrenOf(root, results).find((n) => n.kind === "outliers")!;
    const all = selectionOf(outliers, results)!.images;
    const cap = 2;
    assert.ok(all.length > cap, `${all.length} outliers`);
    const children = childrenOf(outliers, results, NONE_SAVED, cap);
    assert.equal(children.length, cap + 1);
    // The highest scores first, as the findings rank them; the selection is the whole list.
    assert.deepEqual(
      children.slice(0, cap).map((n) => (n.kind === "outlier" ? n.image : -1)),
      results.findings.outliers.slice(0, cap).map((o) => o.image),
    );
    const more = children[cap];
    assert.equal(more.kind, "more");
    assert.equal(lookOf(more, results).label, `… and ${all.length - cap} more`);
    assert.equal(
      lookOf(more, results).tooltip,
      `${all.length} outliers: the first ${cap} are listed, ${all.length - cap} more are not\n` +
        "Click to select every outlier in the results view, as clicking Outliers does",
    );
    assert.deepEqual(selectionOf(more, results), selectionOf(outliers, results));
    assert.equal(parentOf(more)!.id, outliers.id);
  });

  it('reveals an image beyond the cap as its cluster\'s "more" item, always a listed node', () => {
    const { results, file } = loaded;
    const cap = 10;
    // Every node walks back to the root through its parents' children, "more" items included.
    const all = walk(root, loaded, cap);
    assert.ok(all.some((n) => n.kind === "more"));
    for (const node of all.slice(1))
      assert.ok(
        childrenOf(parentOf(node)!, results, NONE_SAVED, cap).some((c) => c.id === node.id),
        node.id,
      );
    let beyond = 0;
    for (let image = 0; image < results.images.count; image++) {
      const node = nodeForSelection(file, results, { images: [image], label: "hover" }, NONE_SAVED, cap)!;
      const siblings = childrenOf(parentOf(node)!, results, NONE_SAVED, cap);
      assert.ok(
        siblings.some((c) => c.id === node.id),
        `image ${image}: ${node.id} is among its parent's children`,
      );
      const cluster = results.layers[0].assignments[image];
      const position = selectionOf(parentOf(node)!, results)!.images.indexOf(image);
      assert.ok(position >= 0, `image ${image} is in cluster ${cluster}`);
      if (position < cap) assert.ok(node.kind === "image" && node.image === image && node.layer === 0 && node.cluster === cluster);
      else {
        beyond++;
        assert.equal(node.kind, "more");
        assert.deepEqual(selectionOf(node, results)!.images, selectionOf(parentOf(node)!, results)!.images);
      }
    }
    assert.ok(beyond > 0);
    // The whole cluster still reveals the cluster, whatever the cap.
    const cluster = childrenOf(childrenOf(root, results)[0], results, NONE_SAVED, cap)[0];
    assert.equal(nodeForSelection(file, results, selectionOf(cluster, results)!, NONE_SAVED, cap)?.id, cluster.id);
    assert.equal(
      nodeForSelection(file, results, { images: [results.images.count], label: "none" }, NONE_SAVED, cap),
      undefined,
      "no such image",
    );
  });

  it("lists IMAGE_CAP images of a larger cluster by default", () => {
    const { results, file } = loaded;
    // One layer whose cluster 0 holds 1,234 images: a results object as big as the cap needs.
    const count = 1234;
    const big = {
      ...results,
      images: { ...results.images, count },
      layers: [
        {
          ...results.layers[0],
          clusters: [{ ...results.layers[0].clusters[0], id: 0, size: count }],
          assignments: Array<number>(count).fill(0),
        },
      ],
    };
    const cluster = childrenOf(childrenOf(experimentNode(file), big)[0], big)[0];
    const children = childrenOf(cluster, big);
    assert.equal(IMAGE_CAP, 500);
    assert.equal(children.length, IMAGE_CAP + 1);
    assert.equal(lookOf(children[IMAGE_CAP], big).label, `… and ${count - IMAGE_CAP} more`);
    assert.match(
      lookOf(children[IMAGE_CAP], big).tooltip,
      /^1,234 images in cluster 0 of layer 1: the first 500 are listed, 734 more are not\n/,
    );
    assert.equal(nodeForSelection(file, big, { images: [IMAGE_CAP - 1], label: "hover" })?.kind, "image");
    assert.equal(nodeForSelection(file, big, { images: [IMAGE_CAP], label: "hover" })?.id, children[IMAGE_CAP].id);
  });

  it("says where a plain MNIST image comes from and calls its label a digit", () => {
    const { results } = loaded;
    const layer1 = childrenOf(root, results)[0];
    const image = childrenOf(childrenOf(layer1, results)[0], results)[0];
    assert.ok(image.kind === "image");
    const i = image.image;
    const [label, index] = [results.images.labels[i], results.images.sourceIndex[i]];
    assert.equal(results.images.files, undefined, "file names for image folders only");
    // The row, its tooltip and its selection name the image alike; its source follows, with its own number.
    const title = `image ${i} · ${label}${results.images.injected[i] ? " (injected)" : ""}`;
    assert.equal(lookOf(image, results).label, title);
    assert.match(lookOf(image, results).tooltip, new RegExp(`^${title}\nMNIST train #${index}\npredicted \\d `));
    assert.equal(selectionOf(image, results)!.label, title);
    assert.match(lookOf(root, results).tooltip, /\d+ images, digits 1, 7\n/);
    assert.match(lookOf(childrenOf(root, results)[2], results).tooltip, /^Kept images ranked by outlier score.* images of its digit/);
  });

  it("states the intervals and the G-test in the tooltips, and marks a cluster under the stability threshold unstable", () => {
    const { results } = loaded;
    const [layer1] = childrenOf(root, results);
    const tooltip = lookOf(layer1, results).tooltip;
    const [low, high] = results.findings.layers[0].purityInterval["7"];
    assert.ok(
      tooltip.includes(
        `7 ${Math.round(results.findings.layers[0].purity["7"] * 100)}% [${Math.round(low * 100)}–${Math.round(high * 100)}%]`,
      ),
      tooltip,
    );
    assert.match(tooltip, /labels x clusters: G = [\d.]+, 1 degrees of freedom, p = 0\.001 \(999 label permutations\)/);
    assert.match(lookOf(root, results).tooltip, /95% intervals \(95% Wilson score interval\): train \[/);
    // A copy with stability figures, as a run with `stability` gives them: cluster 0 held, cluster 1 did not.
    const stable: Results = {
      ...results,
      layers: results.layers.map((l, i) =>
        i === 0 ? { ...l, clusters: l.clusters.map((c) => ({ ...c, stability: c.id === 0 ? 0.95 : 0.41 })) } : l,
      ),
    };
    const [held, unstable] = childrenOf(layer1, stable).map((c) => lookOf(c, stable));
    assert.doesNotMatch(held.description!, /unstable/);
    assert.match(held.tooltip, /stable: mean Jaccard 0\.95/);
    assert.match(unstable.description!, / · unstable$/);
    assert.match(unstable.tooltip, /unstable: mean Jaccard 0\.41 .*\(unstable under 0\.6\)/);
    assert.deepEqual([held.icon, unstable.icon], [{ codicon: "circle-filled" }, { codicon: "circle-large-outline" }]);
  });

  it("reads the thumbnails a node's rows ask together in one read of the .bin, each row its own image's", async () => {
    const cluster = childrenOf(childrenOf(root, loaded.results)[0], loaded.results)[0];
    const images = childrenOf(cluster, loaded.results).flatMap((n) => (n.kind === "image" ? [n.image] : []));
    assert.ok(images.length > 1);
    const asked: (readonly number[])[] = [];
    const counted: LoadedResults = { ...loaded, pixelsOf: (i) => (asked.push(i), loaded.pixelsOf(i)) };
    const batches = new PixelBatches();
    // As VS Code asks them: every row's item at once, the ranked outliers' out of image order.
    const rows = [...images].reverse();
    const got = await Promise.all(rows.map((i) => batches.pixelsOf(counted, i)));
    assert.deepEqual(asked, [images]);
    const size = loaded.results.images.rows * loaded.results.images.cols;
    const all = await allPixels(loaded);
    rows.forEach((image, n) => assert.deepEqual(got[n], all.subarray(image * size, (image + 1) * size), `image ${image}`));
    // A later expansion is a read of its own.
    await batches.pixelsOf(counted, images[0]);
    assert.deepEqual(asked, [images, [images[0]]]);
  });

  it("draws an image's thumbnail as a valid PNG of its pixels", async () => {
    const { results } = loaded;
    const pixels = await allPixels(loaded);
    const { rows, cols } = results.images;
    const digit = imagePixels(pixels, 3, rows, cols);
    const png = imagePng(digit, rows, cols);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), cols);
    assert.equal(png.readUInt32BE(20), rows);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.toString("latin1", 37, 41), "IDAT");
    const scanlines = inflateSync(png.subarray(41, 41 + idatLength));
    for (let r = 0; r < rows; r++) {
      assert.equal(scanlines[r * (cols + 1)], 0);
      assert.deepEqual([...scanlines.subarray(r * (cols + 1) + 1, (r + 1) * (cols + 1))], [...digit.subarray(r * cols, (r + 1) * cols)]);
    }
    assert.ok(png.length < 1000, `${png.length} bytes`);
  });
});

describe("the clusters tree, on the image-folder example (classes four, one, seven)", () => {
  let results: LoadedResults["results"];
  let root: TreeNode;

  before(async () => {
    const loaded = await readResultsFile(runExample("image-folder"));
    results = loaded.results;
    root = experimentNode(loaded.file);
    assert.deepEqual(results.classNames, { "0": "four", "1": "one", "2": "seven" });
  });

  it("names the classes where plain digits show their numbers", () => {
    const layer1 = childrenOf(root, results)[0];
    for (const cluster of childrenOf(layer1, results)) {
      const look = lookOf(cluster, results);
      assert.match(look.label, /^cluster \d+ · \d+ x (four|one|seven)(, \d+ x (four|one|seven))*$/);
      for (const image of childrenOf(cluster, results)) {
        assert.ok(image.kind === "image");
        const name = results.classNames![results.images.labels[image.image]];
        assert.match(lookOf(image, results).label, new RegExp(`^image ${image.image} · ${name}( \\(injected\\))?$`));
        assert.match(lookOf(image, results).description!, /^predicted (one|seven) /);
      }
    }
    assert.equal(digitMix({ "0": 3, "2": 37 }, results), "37 x seven, 3 x four");
    assert.match(lookOf(root, results).tooltip, /classes one, seven/);
    assert.doesNotMatch(lookOf(root, results).tooltip, /digit/);
    const outliers = childrenOf(root, results).find((n) => n.kind === "outliers")!;
    assert.match(lookOf(outliers, results).tooltip, /^Kept images ranked by outlier score.* images of its class/);
    for (const node of childrenOf(outliers, results))
      assert.match(
        lookOf(node, results).description!,
        /^score \d\.\d\d(?: · (?:rare path \(\d+ of the (?:fours|ones|sevens) takes? it|far from its cluster|unsure \([\d.]+% for (?:one|seven)\)|misclassified as (?:one|seven)).*)?$/,
      );
  });

  it("names an image by its file in the folder, and its label a class", () => {
    const injected = Array.from(results.images.injected).findIndex(Boolean);
    const layer1 = childrenOf(root, results)[0];
    const node = childrenOf(layer1, results)
      .flatMap((c) => childrenOf(c, results))
      .find((n) => n.kind === "image" && n.image === injected)!;
    const file = results.images.files![injected];
    assert.match(file, /^four\/mnist-test-\d{5}\.png$/);
    const tooltip = lookOf(node, results).tooltip;
    assert.ok(tooltip.startsWith(`image ${injected} · four (injected)\n${file}\npredicted `), tooltip);
    assert.doesNotMatch(tooltip, /digit|MNIST/);
    assert.equal(selectionOf(node, results)!.label, `image ${injected} · four (injected)`);
  });
});
