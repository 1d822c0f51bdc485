// Named selections on the host, without VS Code, on a real 1-vs-7 run: the name box's checks, the
// list once one is saved or deleted, the round trip through the selections file beside the results
// (the results file never rewritten), and the clusters tree's Selections node: its rows, what each
// selects, the node revealed for a restored selection, and a file that cannot be read.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { selectionsFileFor } from "../src/results/path";
import { readSelections, writeSelections } from "../src/results/selectionsFile";
import { LIST_SEPARATOR, tidyTable } from "../src/results/table";
import { nameNote, suggestedName, withoutSelection, withSelection } from "../src/host/selectionEdits";
import { childrenOf, experimentNode, lookOf, NONE_SAVED, nodeForSelection, parentOf, selectionOf } from "../src/host/treeModel";
import type { SavedSelections } from "../src/shared/protocol";
import type { Results } from "../src/shared/results";
import { SELECTION_NAME_MAX, type NamedSelection } from "../src/shared/selections";
import { runNamedSelectionsExperiment, tempDir } from "./helpers";

describe("named selections on the host", () => {
  let file: string;
  let results: Results;
  let resultsBytes: Buffer;
  let injected: number[];
  // Made here, not in `before`: a folder made there is removed when `before` ends.
  const dir = tempDir();

  before(async () => {
    file = runNamedSelectionsExperiment(dir);
    resultsBytes = readFileSync(file);
    results = (await readResultsFile(file)).results;
    injected = Array.from(results.images.injected).flatMap((x, i) => (x ? [i] : []));
  });

  it("checks a typed name: not empty, at most SELECTION_NAME_MAX characters, and a name in use replaces (a warning)", () => {
    const saved: NamedSelection[] = [{ name: "sevens", images: [1, 2, 3], label: "cluster 1 of layer 1" }];
    assert.deepEqual(nameNote("   ", saved), { message: "Give the selection a name.", blocking: true });
    const long = "x".repeat(SELECTION_NAME_MAX + 1);
    assert.deepEqual(nameNote(long, saved), {
      message: `A name is at most ${SELECTION_NAME_MAX} characters (this one has ${SELECTION_NAME_MAX + 1}).`,
      blocking: true,
    });
    assert.equal(nameNote("x".repeat(SELECTION_NAME_MAX), saved), undefined);
    assert.deepEqual(nameNote(" sevens ", saved), {
      message: '"sevens" is already saved (3 images): saving replaces it.',
      blocking: false,
    });
    assert.equal(nameNote("sevens with the ones", saved), undefined);
  });

  it("refuses a name holding the table's list separator, which would split it in two in the selections column", () => {
    assert.deepEqual(nameNote("ones; sevens", []), {
      message: `A name cannot hold "${LIST_SEPARATOR}": the table's selections column separates names with it.`,
      blocking: true,
    });
    assert.equal(nameNote("ones;sevens", []), undefined);
    const suggested = suggestedName({ images: [2], label: "search 7; wrong" }, []);
    assert.equal(suggested, "search 7, wrong");
    assert.equal(nameNote(suggested, []), undefined);
    // Every name it lets through comes back whole from a cell listing it with another.
    for (const name of ["ones;sevens", "a ;b", suggested]) assert.deepEqual(`${name}${LIST_SEPARATOR}x`.split(LIST_SEPARATOR), [name, "x"]);
  });

  it("offers the selection's label as its name, numbered when it is taken", () => {
    const selection = { images: [4], label: "cluster 0 of layer 2" };
    assert.equal(suggestedName(selection, []), "cluster 0 of layer 2");
    const taken = [
      { name: "cluster 0 of layer 2", images: [1], label: "" },
      { name: "cluster 0 of layer 2 2", images: [1], label: "" },
    ];
    assert.equal(suggestedName(selection, taken), "cluster 0 of layer 2 3");
    assert.equal(suggestedName({ images: [1], label: "y".repeat(200) }, []).length, SELECTION_NAME_MAX - 4);
  });

  it("saves a selection last, replaces one of the same name in place, and deletes by name", () => {
    const a = withSelection([], " unseen 4s ", { images: [9, 3, 3, 5], label: "injected 4s" });
    assert.deepEqual(a, [{ name: "unseen 4s", images: [3, 5, 9], label: "injected 4s" }]);
    const b = withSelection(a, "first", { images: [0], label: "image 0 (digit 1)" });
    assert.deepEqual(
      b.map((s) => s.name),
      ["unseen 4s", "first"],
    );
    const c = withSelection(b, "unseen 4s", { images: [1, 2], label: "lasso on layer 1" });
    assert.deepEqual(c, [
      { name: "unseen 4s", images: [1, 2], label: "lasso on layer 1" },
      { name: "first", images: [0], label: "image 0 (digit 1)" },
    ]);
    assert.deepEqual(withoutSelection(c, "unseen 4s"), [{ name: "first", images: [0], label: "image 0 (digit 1)" }]);
    assert.deepEqual(withoutSelection(c, "no such"), c);
  });

  it("round-trips the selections through the file beside the results, never rewriting the results", async () => {
    assert.deepEqual(await readSelections(file, results.images.count), [], "no file yet: none");
    let saved = withSelection([], "unseen 4s", { images: injected, label: "injected 4s" });
    saved = withSelection(saved, "first five", { images: [4, 3, 2, 1, 0], label: "lasso on layer 1" });
    const written = await writeSelections(file, saved, results.images.count);
    assert.equal(written, join(file, "..", "named.selections.json"));
    assert.equal(written, selectionsFileFor(file));
    assert.deepEqual(await readSelections(file, results.images.count), saved);
    assert.ok(readFileSync(file).equals(resultsBytes), "the results file is byte for byte the same");
    // Deleting one writes the rest.
    await writeSelections(file, withoutSelection(saved, "first five"), results.images.count);
    assert.deepEqual(
      (await readSelections(file, results.images.count)).map((s) => s.name),
      ["unseen 4s"],
    );
    // The table's `selections` column names them.
    await writeSelections(file, saved, results.images.count);
    const table = tidyTable(results, { images: [0, injected[0]], selections: await readSelections(file, results.images.count) });
    assert.deepEqual(table.columns.find((c) => c.name === "selections")!.values, ["first five", "unseen 4s"]);
  });

  it("lists them in the tree under the results, after the layers and the outliers; a row selects its images", async () => {
    const saved: SavedSelections = { selections: await readSelections(file, results.images.count) };
    const rootNode = experimentNode(file);
    assert.equal(
      childrenOf(rootNode, results).some((n) => n.kind === "selections"),
      false,
      "no Selections node without saved selections",
    );
    const top = childrenOf(rootNode, results, saved);
    const node = top.at(-1)!;
    assert.equal(node.kind, "selections");
    assert.deepEqual(
      top.slice(0, results.layers.length).map((n) => n.kind),
      results.layers.map(() => "layer"),
    );
    assert.deepEqual(lookOf(node, results, saved), {
      label: "Selections",
      description: "2",
      tooltip: "Selections saved under a name in the results view (Save selection…), kept beside the results\nClick one to select it there",
      expandable: true,
      icon: { codicon: "bookmark" },
    });
    assert.equal(selectionOf(node, results, saved), undefined, "the node itself selects nothing");
    const rows = childrenOf(node, results, saved);
    assert.deepEqual(
      rows.map((r) => (r.kind === "selection" ? r.name : r.kind)),
      ["unseen 4s", "first five"],
    );
    for (const row of rows) assert.equal(parentOf(row)?.id, node.id);
    assert.equal(parentOf(node)?.id, rootNode.id);
    const [unseen, first] = rows;
    assert.deepEqual(lookOf(unseen, results, saved), {
      label: "unseen 4s",
      description: `${injected.length} images · injected 4s`,
      tooltip: `"unseen 4s": ${injected.length} images, saved from injected 4s\nClick to select them in the results view`,
      expandable: false,
      icon: { codicon: "bookmark" },
    });
    assert.deepEqual(selectionOf(unseen, results, saved), { images: injected, label: "unseen 4s" });
    assert.deepEqual(selectionOf(first, results, saved), { images: [0, 1, 2, 3, 4], label: "first five" });
    // A chip clicked in the view (the same images) reveals its row, unless a cluster or the outliers hold exactly those images.
    assert.equal(nodeForSelection(file, results, { images: [0, 1, 2, 3, 4], label: "first five" }, saved)?.id, first.id);
    assert.equal(nodeForSelection(file, results, { images: [0, 1, 2, 3, 4], label: "lasso" }), undefined, "not saved: no node");
    // Deleted since the row was drawn: it selects nothing.
    assert.equal(selectionOf(first, results, { selections: saved.selections.slice(0, 1) }), undefined);
  });

  it("exports a tree row's table: a cluster's rows are its images, the outliers' the outliers, a named selection's carry its name", async () => {
    const saved: SavedSelections = { selections: await readSelections(file, results.images.count) };
    const [layer1] = childrenOf(experimentNode(file), results, saved);
    for (const cluster of childrenOf(layer1, results, saved)) {
      const rows = selectionOf(cluster, results, saved)!.images;
      const table = tidyTable(results, { images: rows, selections: saved.selections });
      const column = (name: string) => table.columns.find((c) => c.name === name)!.values;
      assert.deepEqual(column("id"), rows);
      assert.ok(
        column("l1_cluster").every((c) => cluster.kind === "cluster" && c === cluster.cluster),
        "every row in the cluster",
      );
    }
    const outliers = childrenOf(experimentNode(file), results, saved).find((n) => n.kind === "outliers")!;
    const outlierRows = tidyTable(results, { images: selectionOf(outliers, results, saved)!.images });
    assert.ok(outlierRows.rowCount > 0, "the run has outliers to export");
    assert.ok(
      outlierRows.columns.find((c) => c.name === "outlier_score")!.values.every((v) => typeof v === "number"),
      "every outlier row has its score",
    );
    const named = childrenOf(childrenOf(experimentNode(file), results, saved).at(-1)!, results, saved)[0];
    const namedRows = tidyTable(results, { images: selectionOf(named, results, saved)!.images, selections: saved.selections });
    assert.equal(namedRows.rowCount, injected.length);
    assert.ok(namedRows.columns.find((c) => c.name === "selections")!.values.every((v) => v === "unseen 4s"));
  });

  it("says in the tree why a selections file cannot be read, instead of its rows", async () => {
    writeFileSync(selectionsFileFor(file), '{"version": 1, "results": "other.results.json", "selections": []}');
    const problem = await readSelections(file, results.images.count).then(
      () => assert.fail("a selections file of other results is refused"),
      (e: Error) => e.message,
    );
    assert.match(problem, /named\.selections\.json: "results" names "other\.results\.json", not "named\.results\.json"/);
    const saved: SavedSelections = { selections: [], problem };
    const node = childrenOf(experimentNode(file), results, saved).at(-1)!;
    assert.equal(node.kind, "selections");
    assert.deepEqual(lookOf(node, results, saved), {
      label: "Selections",
      description: "cannot be read",
      tooltip: problem,
      expandable: false,
      icon: { codicon: "warning" },
    });
    assert.deepEqual(childrenOf(node, results, saved), []);
    assert.deepEqual(childrenOf(experimentNode(file), results, NONE_SAVED).at(-1)?.kind, "outliers");
  });
});
