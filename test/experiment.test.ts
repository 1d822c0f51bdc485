import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkExperiment } from "../src/check";
import { parseExperiment } from "../src/check/experiment";
import { formatProblem } from "../src/shared/problems";
import { experimentSchemaText } from "../src/shared/schemaFile";
import { idxBytes, onesVsSevens, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "dist", "cli.js");

/** Every problem message for an experiment, schema and data checks together. */
async function problemsOf(value: unknown, file = "exp.mtq.json"): Promise<string[]> {
  const checked = await checkExperiment({ file, text: typeof value === "string" ? value : JSON.stringify(value) });
  return checked.problems.map(formatProblem);
}

// The experiment is edited as raw JSON, into shapes no type allows: that is what these tests feed the checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withChange(change: (e: any) => void): unknown {
  const copy = structuredClone(onesVsSevens);
  change(copy);
  return copy;
}

describe("the experiment format", () => {
  it("accepts the report's first experiment as written, and fills defaults", async () => {
    assert.deepEqual(await problemsOf(onesVsSevens), []);
    const parsed = parseExperiment(JSON.stringify({ name: "min", data: { digits: [1, 7], perDigit: 100 } }), "min.mtq.json");
    assert.ok(parsed.experiment);
    assert.deepEqual(parsed.experiment.model, { kind: "dense", hidden: [32, 64], activation: "relu" });
    assert.deepEqual(parsed.experiment.clustering, { kMin: 2, kMax: 10, restarts: 3 });
    assert.deepEqual(parsed.experiment.stability, { runs: 0 });
    assert.equal(parsed.experiment.data.source, "mnist");
    assert.equal(parsed.experiment.data.pick, "first");
  });

  it("accepts comments and trailing commas (the starter experiment is commented)", async () => {
    assert.deepEqual(await problemsOf(`// my test\n{ "name": "c", /* keep */ "data": { "digits": [1, 7], "perDigit": 10, }, }`), []);
  });

  it("reads a file saved with a UTF-8 byte-order mark, as Windows Notepad writes it", async () => {
    assert.deepEqual(await problemsOf(`\uFEFF${JSON.stringify(onesVsSevens)}`), []);
  });

  it("refuses a key written twice, on its second writing, instead of keeping the last silently", async () => {
    const text = `{ "name": "twice", "data": { "digits": [1, 7], "perDigit": 10 },\n "training": { "epochs": 2, "epochs": 3 } }`;
    assert.deepEqual(await problemsOf(text), [
      `exp.mtq.json: training.epochs: "epochs" is written again on line 2; JSON keeps only the last one, so the earlier one is ` +
        `ignored. Fix: keep one "epochs" with the value wanted`,
    ]);
  });

  it("the checked-in JSON schema is the one the zod definition gives", async () => {
    const file = readFileSync(join(root, "schema", "mtq.schema.json"), "utf8");
    assert.equal(file, experimentSchemaText(), "schema/mtq.schema.json is stale: run `npm run schema`");
    const schema = JSON.parse(file);
    assert.equal(schema.additionalProperties, false);
    assert.match(schema.properties.training.properties.epochs.description, /Passes over the training images/);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      "a typo'd field",
      withChange((e) => (e.training.epocs = 3)),
      /exp\.mtq\.json: training\.epocs: unknown field "epocs"\. Fix: did you mean "epochs"\?/,
    ],
    [
      "an unknown top-level field",
      withChange((e) => (e.colour = "red")),
      /colour: unknown field "colour"\. Fix: remove it; the fields allowed here are/,
    ],
    ["a malformed JSON", '{ "name": "x", ', /\(document\): invalid JSON at line 1, column 16: PropertyNameExpected/],
    ["a wrong type", withChange((e) => (e.training.epochs = "10")), /training\.epochs: expected number, got "10"\. Fix: give a number/],
    [
      "a value of none of a union's types",
      withChange((e) => (e.data.perDigit = "100")),
      /data\.perDigit: expected number or "all", got "100"\. Fix: give a number or "all"/,
    ],
    ["a missing field", withChange((e) => delete e.data.digits), /data\.digits: this required field is missing\. Fix: add it/],
    [
      "a digit MNIST lacks",
      withChange((e) => (e.data.digits = [1, 12])),
      /data\.digits\[1\]: digit 12 is not in MNIST\. Fix: keep only labels the data has \(MNIST has the labels 0, 1, 2/,
    ],
    [
      "an injected digit MNIST lacks",
      withChange((e) => (e.inject[0].digit = 42)),
      /inject\[0\]\.digit: digit 42 is not in MNIST, so it cannot be injected/,
    ],
    [
      "perDigit larger than what exists",
      withChange((e) => (e.data.perDigit = 7000)),
      /data\.perDigit: perDigit is 7000 but MNIST has only 6742 images of digit 1\. Fix: lower perDigit to at most 6742/,
    ],
    [
      "kMin > kMax",
      withChange((e) => (e.clustering = { kMin: 6, kMax: 4 })),
      /clustering\.kMin: kMin \(6\) is larger than kMax \(4\)\. Fix: make kMin <= kMax/,
    ],
    [
      "kMax >= number of images",
      withChange((e) => (e.data.perDigit = 4)),
      /clustering\.kMax: kMax \(10\) must be below the number of images \(2 digits x 4 = 8\)\. Fix: lower kMax below 8/,
    ],
    [
      "a hidden layer of size 0",
      withChange((e) => (e.model.hidden = [32, 0])),
      /model\.hidden\[1\]: Too small: expected number to be >=1\. Fix: use at least 1/,
    ],
    [
      "an injected digit that is trained on",
      withChange((e) => (e.inject[0].digit = 7)),
      /inject\[0\]\.digit: digit 7 is one of the trained digits/,
    ],
    ["an unknown model kind", withChange((e) => (e.model.kind = "rnn")), /model\.kind: /],
  ];
  for (const [name, value, message] of cases) {
    it(`explains ${name}`, async () => {
      const problems = await problemsOf(value);
      assert.ok(
        problems.some((p) => message.test(p)),
        `expected ${message}, got:\n${problems.join("\n")}`,
      );
    });
  }

  describe("with the user's own files", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "labels.idx"), idxBytes([4], Uint8Array.from([1, 7, 1, 7])));
    writeFileSync(join(dir, "images.idx"), idxBytes([4, 2, 2], new Uint8Array(16)));
    writeFileSync(join(dir, "short.idx"), idxBytes([4], Uint8Array.from([1, 7, 1, 7])).subarray(0, 10));
    const idxExp = (labels: string) => ({
      name: "own",
      data: { source: { idx: { images: "images.idx", labels } }, digits: [1, 7], perDigit: 2 },
      clustering: { kMin: 2, kMax: 3 },
    });

    it("names the missing file and the field that points at it", async () => {
      const problems = await problemsOf(idxExp("missing-labels.idx"), join(dir, "own.mtq.json"));
      assert.match(
        problems.join("\n"),
        /missing-labels\.idx: data\.source\.idx\.labels: file not found\. Fix: check the path; relative paths are resolved from the experiment file's folder \(named by .*own\.mtq\.json\)/,
      );
    });

    it("names a truncated label file", async () => {
      const problems = await problemsOf(idxExp("short.idx"), join(dir, "own.mtq.json"));
      assert.match(problems.join("\n"), /short\.idx: data\.source\.idx\.labels: truncated IDX file/);
    });

    it("says when a user's file lacks an injected digit", async () => {
      const problems = await problemsOf({ ...idxExp("labels.idx"), inject: [{ digit: 4, count: 1 }] }, join(dir, "own.mtq.json"));
      assert.match(
        problems.join("\n"),
        /inject\[0\]\.digit: digit 4 is not in the data file, so it cannot be injected\. Fix: inject a label the data has \(the data has the labels 1, 7\)/,
      );
    });
  });
});

describe("mtq validate", () => {
  const dir = tempDir();
  it("exits 0 on the built-in example", async () => {
    const out = execFileSync("node", [cli, "validate", join(root, "examples", "ones-vs-sevens.mtq.json")], { encoding: "utf8" });
    assert.match(out, /valid/);
  });

  it("prints the problems on stderr and exits 2, without a stack trace", async () => {
    const file = writeJson(
      dir,
      "bad.mtq.json",
      withChange((e) => (e.training.epocs = 1)),
    );
    const r = spawnSync("node", [cli, "validate", file], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.mtq\.json: training\.epocs: unknown field "epocs"/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("exits 2 on a missing experiment file", async () => {
    const r = spawnSync("node", [cli, "validate", join(dir, "nope.mtq.json")], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /nope\.mtq\.json: \(document\): file not found/);
  });
});

describe("every problem at once, with its Quick Fix", () => {
  const file = "/ws/all.mtq.json";
  const check = (value: unknown, data = true) => checkExperiment({ file, text: JSON.stringify(value), data });

  it("shows a misspelt section, a digit the data lacks and a perDigit too large on one save", async () => {
    const checked = await check({
      name: "all",
      data: { digits: [1, 12], perDigit: 100000 },
      trainig: { epochs: 20 },
      snapshots: [12],
    });
    assert.deepEqual(checked.problems.map(formatProblem), [
      `${file}: trainig: unknown field "trainig". Fix: did you mean "training"? Rename the field`,
      `${file}: data.perDigit: perDigit is 100000 but MNIST has only 6742 images of digit 1. Fix: lower perDigit to at most 6742`,
      `${file}: data.digits[1]: digit 12 is not in MNIST. Fix: keep only labels the data has (MNIST has the labels 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)`,
    ]);
    // "snapshots": [12] is not judged against the default 10 epochs: the training meant is the misspelt one.
    assert.deepEqual(
      checked.problems.map((p) => p.edit),
      [
        { title: 'Rename to "training"', target: "key", newText: '"training"' },
        { title: "Set perDigit to 6742", target: "value", newText: "6742" },
        undefined,
      ],
    );
  });

  it("checks a section that parsed beside one that did not, and skips the rules that need the broken one", async () => {
    const checked = await check({
      name: "x",
      data: { digits: [1, 7], perDigit: 2 },
      clustering: { kMax: "ten" },
      model: {
        kind: "cnn",
        conv: [
          { filters: 2, pool: 8 },
          { filters: 2, pool: 8 },
        ],
      },
    });
    assert.deepEqual(
      checked.problems.map((p) => formatProblem(p).replace(/\. Fix:.*/, "")),
      [
        `${file}: clustering.kMax: expected number, got "ten"`,
        `${file}: model.conv[1].pool: after block 2 the 28x28 images would be pooled down to 0x0`,
      ],
    );
  });

  it("offers the value the data allows: an injected count, kMax, k", async () => {
    const inject = await check({ name: "x", data: { digits: [1, 7], perDigit: 10 }, inject: [{ digit: 4, count: 9000 }] });
    assert.deepEqual(inject.problems[0].edit, { title: "Set count to 5842", target: "value", newText: "5842" });
    const kMax = await check({ name: "x", data: { digits: [1, 7], perDigit: 3 } });
    assert.match(
      formatProblem(kMax.problems[0]),
      /clustering\.kMax: kMax \(10\) must be below the number of images \(2 digits x 3 = 6\)\. Fix: lower kMax below 6 or raise data\.perDigit/,
    );
    assert.deepEqual(kMax.problems[0].edit, { title: "Set kMax to 5", target: "value", newText: "5" });
    const k = await check({ name: "x", data: { digits: [1, 7], perDigit: 3 }, clustering: { k: 8 } });
    assert.deepEqual(k.problems[0].edit, { title: "Set k to 5", target: "value", newText: "5" });
  });

  it("with data: false reads no file: an experiment fine on its own is unread, not valid", async () => {
    const checked = await check(
      { name: "x", data: { source: { csv: "nowhere.csv" }, digits: [1, 7], perDigit: 3 }, clustering: { kMax: 4 } },
      false,
    );
    assert.equal(checked.ok, false);
    assert.ok(checked.unread);
    assert.deepEqual(checked.problems, []);
    assert.equal(checked.parsed.name, "x");
    const wrong = await check({ name: "x", data: { source: { csv: "nowhere.csv" }, digits: [1, 7], perDigit: 3 } }, false);
    assert.match(formatProblem(wrong.problems[0]), /clustering\.kMax: kMax \(10\) must be below/);
  });
});
