import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkExperimentData } from "../src/pipeline/data/prepare";
import { parseExperiment } from "../src/pipeline/validate";
import { problemRange, problemText } from "../src/host/problemDiagnostic";
import type { Problem } from "../src/shared/problems";
import { tempDir, writeJson } from "./helpers";

const cli = join(__dirname, "..", "dist", "cli.js");

/** The experiment's problems, schema and data checks, as the editor runs them. */
function problemsOf(text: string, file: string): Problem[] {
  const parsed = parseExperiment(text, file);
  return parsed.experiment ? checkExperimentData(parsed.experiment, file) : parsed.problems;
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
  it("underlines an unknown field, key and value, past comments", () => {
    const text = base(`,\n  /* typo */ "training": { "epocs": 3 }`);
    const [p] = problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual(p.path, ["training", "epocs"]);
    assert.equal(underlined(text, p), `"epocs": 3`);
  });

  it("underlines perDigit when real MNIST has too few images, with the CLI's text minus the file", () => {
    const dir = tempDir();
    const text = base("").replace(`"perDigit": 100`, `"perDigit": 7000`);
    const file = writeJson(dir, "t.mtq.json", text);
    const problems = problemsOf(text, file);
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

  it("underlines an array element by its index", () => {
    const text = base("").replace("[1, 7]", "[1, 7, 1]");
    const [p] = problemsOf(text, "/x/t.mtq.json");
    assert.deepEqual(p.path, ["data", "digits", 2]);
    const { offset } = problemRange(text, p.path);
    assert.equal(offset, text.indexOf("1]"));
  });

  it("points a missing field at its closest existing parent's key, or the document start", () => {
    const noDigits = base("").replace(`"digits": [1, 7], `, "");
    const [missing] = problemsOf(noDigits, "/x/t.mtq.json");
    assert.deepEqual(missing.path, ["data", "digits"]);
    assert.equal(underlined(noDigits, missing), `"data"`);
    const noName = base("").replace(`"name": "t",`, "");
    const [nameless] = problemsOf(noName, "/x/t.mtq.json");
    assert.deepEqual(nameless.path, ["name"]);
    assert.deepEqual(problemRange(noName, nameless.path), { offset: 0, length: 1 });
  });

  it("puts bad JSON at the document start, and keeps a data file's name in the text", () => {
    const broken = `{ "name": "t", "data": `;
    const [syntax] = problemsOf(broken, "/x/t.mtq.json");
    assert.deepEqual(problemRange(broken, syntax.path), { offset: 0, length: 1 });
    const dir = tempDir();
    const text = base("").replace(`"source": "mnist"`, `"source": { "csv": "missing.csv" }`);
    const file = writeJson(dir, "t.mtq.json", text);
    const [p] = problemsOf(text, file);
    assert.equal(underlined(text, p), `"csv": "missing.csv"`);
    assert.ok(problemText(p, file).startsWith(join(dir, "missing.csv")), problemText(p, file));
  });
});
