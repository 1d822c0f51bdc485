// The named-selections file beside a results file: its path, a round trip, and every way a file
// can be wrong refused with the file, the field and the fix.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { selectionsFileFor } from "../src/results/path";
import { readSelections, SELECTIONS_FILE_MAX_BYTES, writeSelections } from "../src/results/selectionsFile";
import { SELECTION_NAME_MAX } from "../src/shared/selections";
import { defaultTableFile } from "../src/results/tableFiles";
import { notebookFileFor } from "../src/results/notebook";
import { tempDir, writeJson } from "./helpers";

const COUNT = 400;

describe("the selections file", () => {
  const dir = tempDir();
  const results = join(dir, "ones-vs-sevens.results.json");
  const selections = join(dir, "ones-vs-sevens.selections.json");

  it("sits beside the results, named after them", () => {
    assert.equal(selectionsFileFor("/w/out/ones-vs-sevens.results.json"), "/w/out/ones-vs-sevens.selections.json");
    assert.equal(selectionsFileFor("/w/run.json"), "/w/run.selections.json");
    assert.equal(selectionsFileFor("/w/run"), "/w/run.selections.json");
  });

  it("shares its stem with the tables and the notebook made from the same results", () => {
    for (const [file, stem] of [
      ["/w/out/ones-vs-sevens.results.json", "/w/out/ones-vs-sevens"],
      ["/w/Run.RESULTS.JSON", "/w/Run"],
      ["/w/run.json", "/w/run"],
      ["/w/run", "/w/run"],
    ]) {
      assert.deepEqual(
        [selectionsFileFor(file), defaultTableFile(file, "parquet"), defaultTableFile(file, "csv"), notebookFileFor(file)],
        [`${stem}.selections.json`, `${stem}.table.parquet`, `${stem}.table.csv`, `${stem}.ipynb`],
        file,
      );
    }
  });

  it("is no selections when absent", async () => {
    assert.deepEqual(await readSelections(results, COUNT), []);
  });

  it("reads back what was written, one selection a line, with no temp file left and the results untouched", async () => {
    writeFileSync(results, "{}");
    const saved = [
      { name: "odd 7s", images: [3, 17, 250], label: "lasso on layer 2" },
      { name: 'cluster "2", layer 1', images: [0, 1, 2, COUNT - 1], label: "cluster 2 of layer 1" },
    ];
    assert.equal(await writeSelections(results, saved, COUNT), selections);
    assert.deepEqual(await readSelections(results, COUNT), saved);
    const text = readFileSync(selections, "utf8");
    assert.equal(text.split("\n").length, 5, text);
    assert.equal(JSON.parse(text).results, "ones-vs-sevens.results.json");
    assert.equal(readFileSync(results, "utf8"), "{}");
    assert.deepEqual(readdirSync(dir).sort(), ["ones-vs-sevens.results.json", "ones-vs-sevens.selections.json"]);
    await writeSelections(results, [], COUNT);
    assert.deepEqual(await readSelections(results, COUNT), []);
  });

  it("refuses to write selections its reader would refuse, keeping the file it had", async () => {
    const kept = [{ name: "a", images: [1], label: "cluster 0 of layer 1" }];
    await writeSelections(results, kept, COUNT);
    const before = readFileSync(selections, "utf8");
    await assert.rejects(writeSelections(results, [{ name: "b", images: [COUNT], label: "x" }], COUNT), (e: Error) => {
      assert.match(
        e.message,
        /ones-vs-sevens\.selections\.json was not written: "selections\[0\]\.images\[0\]" is 400, past the results' last image \(399\)/,
      );
      return true;
    });
    await assert.rejects(
      writeSelections(results, [...kept, { name: "a", images: [], label: "x" }], COUNT),
      /"selections\[1\]\.name" "a" is also selections\[0\]'s name/,
    );
    assert.equal(readFileSync(selections, "utf8"), before);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".tmp")).length, 0);
  });

  const valid = {
    version: 1,
    results: "ones-vs-sevens.results.json",
    selections: [{ name: "a", images: [1, 5], label: "lasso on layer 1" }],
  };
  const selection = (fields: object) => ({ ...valid, selections: [{ ...valid.selections[0], ...fields }] });
  const refusals: [string, unknown, RegExp][] = [
    ["not JSON", "{ not json", /it is not JSON \(/],
    ["cut short", JSON.stringify(valid).slice(0, 40), /it is not JSON \(/],
    ["a list", "[]", /it is not a JSON object of named selections/],
    ["null", "null", /it is not a JSON object of named selections/],
    ["another version", { ...valid, version: 2 }, /"version" is 2; this MTQ reads version 1/],
    ["no version", { results: valid.results, selections: [] }, /"version" is missing/],
    ["no selections", { version: 1, results: valid.results }, /"selections": Invalid input: expected array/],
    ["an unknown field", { ...valid, colour: "red" }, /unknown field "colour"/],
    ["an unknown field in a selection", selection({ note: 1 }), /unknown field "note" in "selections\[0\]"/],
    ["__proto__", `{"version":1,"results":"ones-vs-sevens.results.json","selections":[],"__proto__":{"x":1}}`, /unknown field "__proto__"/],
    ["an empty name", selection({ name: "  " }), /"selections\[0\]\.name": Too small/],
    ["a long name", selection({ name: "x".repeat(SELECTION_NAME_MAX + 1) }), /"selections\[0\]\.name": Too big/],
    ["a negative image", selection({ images: [-1] }), /"selections\[0\]\.images\[0\]": Too small/],
    ["a fractional image", selection({ images: [1.5] }), /"selections\[0\]\.images\[0\]": Invalid input: expected int/],
    ["an image as text", selection({ images: ["3"] }), /"selections\[0\]\.images\[0\]": Invalid input: expected number/],
    ["no label", { ...valid, selections: [{ name: "a", images: [] }] }, /"selections\[0\]\.label": Invalid input: expected string/],
    [
      "another results file",
      { ...valid, results: "seed-7.results.json" },
      /"results" names "seed-7\.results\.json", not "ones-vs-sevens\.results\.json"/,
    ],
    [
      "an image past the last",
      selection({ images: [1, COUNT] }),
      /"selections\[0\]\.images\[1\]" is 400, past the results' last image \(399\)/,
    ],
    [
      "images out of order",
      selection({ images: [5, 1] }),
      /"selections\[0\]\.images\[1\]" is 1, after 5: images are listed ascending, each once/,
    ],
    ["an image twice", selection({ images: [5, 5] }), /"selections\[0\]\.images\[1\]" is 5, after 5/],
    [
      "a name twice",
      { ...valid, selections: [valid.selections[0], { ...valid.selections[0], images: [] }] },
      /"selections\[1\]\.name" "a" is also selections\[0\]'s name/,
    ],
  ];
  for (const [what, content, reason] of refusals) {
    it(`refuses ${what}, naming the file, the field and the fix`, async () => {
      writeJson(dir, "ones-vs-sevens.selections.json", typeof content === "string" ? content : JSON.stringify(content));
      await assert.rejects(readSelections(results, COUNT), (e: Error) => {
        assert.ok(e.message.startsWith(`${selections}: `), e.message);
        assert.match(e.message, reason);
        assert.match(e.message, /; correct it, or delete the file to start with no named selections$/);
        return true;
      });
    });
  }

  it("refuses a file larger than a selections file can be, without reading it", async () => {
    writeFileSync(selections, "");
    truncateSync(selections, SELECTIONS_FILE_MAX_BYTES + 1);
    await assert.rejects(
      readSelections(results, COUNT),
      /ones-vs-sevens\.selections\.json: it is 67,108,865 bytes, more than the 67,108,864 bytes \(64 MB\) a selections file can be/,
    );
  });

  it("reads a file saved by an editor with a byte-order mark", async () => {
    writeFileSync(selections, `\uFEFF${JSON.stringify(valid)}`);
    assert.deepEqual(await readSelections(results, COUNT), valid.selections);
    assert.ok(existsSync(results));
  });
});
