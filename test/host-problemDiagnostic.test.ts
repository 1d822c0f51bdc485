import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkExperiment } from "../src/check/index";
import { editRange, problemRange, problemText } from "../src/host/problemDiagnostic";
import type { Problem, ProblemEdit } from "../src/shared/problems";
import { tempDir, writeJson } from "./helpers";

const cli = join(__dirname, "..", "dist", "cli.js");

/** The experiment's problems, schema and data checks, as the editor runs them. */
async function problemsOf(text: string, file: string): Promise<Problem[]> {
  return (await checkExperiment({ file, text })).problems;
}

/** The text a problem's range covers. */
function underlined(text: string, p: Problem): string {
  const { offset, length } = problemRange(text, p.path);
  return text.slice(offset, offset + length);
}

const base = (fields: string) => `// a commented experiment
{
  "name": "t",
  "data": { "source": "mnist", "digits": [1, 7], "perDigit": 100 }${fields}
}
`;

describe("problems as diagnostics", () => {
  it("underlines an unknown field, key and value, past comments", async () => {
    const text = base(`,\n  /* typo */ "training": { "epocs": 3 }`);
    const [p] = await problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual(p.path, ["training", "epocs"]);
    assert.equal(underlined(text, p), `"epocs": 3`);
  });

  it("underlines perDigit when real MNIST has too few images, with the CLI's text minus the file", async () => {
    const dir = tempDir();
    const text = base("").replace(`"perDigit": 100`, `"perDigit": 7000`);
    const file = writeJson(dir, "t.mtq.json", text);
    const problems = await problemsOf(text, file);
    assert.ok(problems.length > 0);
    for (const p of problems) assert.equal(underlined(text, p), `"perDigit": 7000`);
    const cliLines = spawnSync(process.execPath, [cli, "validate", file], { encoding: "utf8" }).stderr.trim().split("\n");
    assert.deepEqual(
      problems.map((p) => `${file}: ${problemText(p, file)}`),
      cliLines,
    );
    assert.match(
      problemText(problems[0], file),
      /^data\.perDigit: perDigit is 7000 but MNIST has only \d+ images of digit 1\. Fix: lower perDigit to at most \d+$/,
    );
  });

  it("underlines an array element by its index", async () => {
    const text = base("").replace("[1, 7]", "[1, 7, 1]");
    const [p] = await problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual(p.path, ["data", "digits", 2]);
    const { offset } = problemRange(text, p.path);
    assert.equal(offset, text.indexOf("1]"));
  });

  it("underlines the second writing of a key written twice", async () => {
    const text = base(`,\n  "training": { "epochs": 2, "epochs": 3 }`);
    const [p] = await problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual([p.path, p.occurrence], [["training", "epochs"], 1]);
    const { offset, length } = problemRange(text, p.path, p.occurrence);
    assert.equal(offset, text.indexOf(`"epochs": 3`));
    assert.equal(text.slice(offset, offset + length), `"epochs": 3`);
  });

  it("points a missing field at its closest existing parent's key, or the document start", async () => {
    const noDigits = base("").replace(`"digits": [1, 7], `, "");
    const [missing] = await problemsOf(noDigits, "/x/t.mtq.json");
    assert.deepEqual(missing.path, ["data", "digits"]);
    assert.equal(underlined(noDigits, missing), `"data"`);
    const noName = base("").replace(`"name": "t",`, "");
    const [nameless] = await problemsOf(noName, "/x/t.mtq.json");
    assert.deepEqual(nameless.path, ["name"]);
    assert.deepEqual(problemRange(noName, nameless.path), { offset: 0, length: 1 });
  });

  it("puts bad JSON at the document start, and keeps a data file's name in the text", async () => {
    const broken = `{ "name": "t", "data": `;
    const [syntax] = await problemsOf(broken, "/x/t.mtq.json");
    assert.deepEqual(problemRange(broken, syntax.path), { offset: 0, length: 1 });
    const dir = tempDir();
    const text = base("").replace(`"source": "mnist"`, `"source": { "csv": "missing.csv" }`);
    const file = writeJson(dir, "t.mtq.json", text);
    const [p] = await problemsOf(text, file);
    assert.equal(underlined(text, p), `"csv": "missing.csv"`);
    assert.ok(problemText(p, file).startsWith(join(dir, "missing.csv")), problemText(p, file));
  });
});

/** The text with `edit` applied at `path`, as the Quick Fix applies it; undefined when it cannot be. */
function fixed(text: string, path: Problem["path"], edit: ProblemEdit): string | undefined {
  const at = editRange(text, path, edit.target);
  return at && text.slice(0, at.offset) + edit.newText + text.slice(at.offset + at.length);
}

describe("problems' edits as Quick Fixes", () => {
  it("renames a misspelt field's key, keeping its value and comments, and the experiment then checks clean", async () => {
    const text = base(`,\n  /* typo */ "training": { "epoch": 3 }`);
    const edit: ProblemEdit = { title: 'Rename to "epochs"', target: "key", newText: '"epochs"' };
    const at = editRange(text, ["training", "epoch"], "key");
    assert.equal(at && text.slice(at.offset, at.offset + at.length), '"epoch"');
    const after = fixed(text, ["training", "epoch"], edit);
    assert.equal(after, base(`,\n  /* typo */ "training": { "epochs": 3 }`));
    assert.deepEqual(await problemsOf(after!, "/x/t.mtq.json"), []);
  });

  it("offers the check's own rename for a misspelt field", async () => {
    const text = base(`,\n  "training": { "epoch": 3 }`);
    const [p] = await problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual(p.path, ["training", "epoch"]);
    assert.ok(p.edit, `no edit on ${JSON.stringify(p)}`);
    assert.deepEqual(await problemsOf(fixed(text, p.path, p.edit)!, "/x/t.mtq.json"), []);
  });

  it("replaces a value, a whole object or an array element; the value of the field as it is now", async () => {
    const text = base("").replace(`"perDigit": 100`, `"perDigit": 7000`);
    const lowered = fixed(text, ["data", "perDigit"], { title: "Set perDigit to 6742", target: "value", newText: "6742" });
    assert.equal(lowered, base("").replace(`"perDigit": 100`, `"perDigit": 6742`));
    // Edited since the check (7000 became 9000 on another line): the fix still lands on the value.
    const moved = `\n\n${text.replace("7000", "9000")}`;
    assert.equal(fixed(moved, ["data", "perDigit"], { title: "", target: "value", newText: "6742" }), `\n\n${lowered}`);
    const element = fixed(text, ["data", "digits", 1], { title: 'Use "seven"', target: "value", newText: '"seven"' });
    assert.ok(element?.includes(`"digits": [1, "seven"]`), element);
    const source = fixed(text, ["data", "source"], { title: "", target: "value", newText: '{ "csv": "a.csv" }' });
    assert.ok(source?.includes(`"source": { "csv": "a.csv" },`), source);
  });

  it("offers nothing where the field is gone, for the whole document, or for an array element's key", () => {
    const text = base("");
    assert.equal(editRange(text, ["training", "epoch"], "key"), undefined);
    assert.equal(editRange(text, [], "value"), undefined);
    assert.equal(editRange(text, ["data", "digits", 0], "key"), undefined);
    assert.equal(editRange("{ broken", ["name"], "value"), undefined);
  });
});
