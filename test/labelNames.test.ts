import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { problemRange } from "../src/host/problemDiagnostic";
import { checkExperiment } from "../src/check";
import { classNamesOf } from "../src/check/data";
import { resolveLabels } from "../src/check/labels";
import { prepareData } from "../src/pipeline/prepare";
import { runExperiment } from "../src/pipeline/run";
import { parseExperiment, readExperimentFile } from "../src/check/experiment";
import { experimentJsonSchema } from "../src/shared/experiment";
import { formatProblem, type Problem } from "../src/shared/problems";
import type { Results } from "../src/shared/results";
import { tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "dist", "cli.js");
const images = join(root, "examples", "images");
const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

function parsed(value: unknown, file: string) {
  const p = parseExperiment(typeof value === "string" ? value : JSON.stringify(value), file);
  assert.ok(p.experiment, p.problems.map(formatProblem).join("\n"));
  return p.experiment;
}

/** Every problem, schema then data checks, as `mtq validate` and the editor run them. */
async function problemsOf(value: unknown, file: string): Promise<Problem[]> {
  return (await checkExperiment({ file, text: JSON.stringify(value) })).problems;
}

const texts = (problems: Problem[]) => problems.map(formatProblem);

/** `mtq validate` on `value` written to `dir/name`: its exit code and stderr. */
function validate(dir: string, name: string, value: unknown) {
  const r = spawnSync(process.execPath, [cli, "validate", writeJson(dir, name, value)], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

describe("class names in data.digits and inject[].digit", () => {
  const dir = tempDir();
  const file = join(dir, "names.mtq.json");
  const folder = (data: object, inject: object[] = []) => ({
    name: "names",
    data: { source: { folder: { path: images } }, perDigit: 40, holdout: { from: "rest", perDigit: 20 }, ...data },
    inject,
    clustering: { kMax: 4 },
  });
  const mnist = (data: object, inject: object[] = []) => ({
    name: "names",
    data: { perDigit: 50, ...data },
    inject,
    clustering: { kMax: 4 },
  });

  describe("the image-folder example, written with its subfolders' names", () => {
    const example = join(root, "examples", "image-folder.mtq.json");
    let named: Results;
    let numbered: Results;

    before(async () => {
      const written = readFileSync(example, "utf8");
      assert.match(written, /"digits": \["one", "seven"\]/);
      assert.match(written, /"digit": "four"/);
      const numeric = written.replace('["one", "seven"]', "[1, 2]").replace('"digit": "four"', '"digit": 0');
      named = await runExperiment({ experiment: parsed(written, example), experimentFile: example, backend: "cpu" });
      numbered = await runExperiment({ experiment: parsed(numeric, example), experimentFile: example, backend: "cpu" });
    });

    it("gives the results of the numeric form, labels and all", async () => {
      assert.deepEqual({ ...named, timings: {} }, { ...numbered, timings: {} });
      assert.deepEqual(named.classes, [1, 2]);
      assert.deepEqual(named.classNames, { "0": "four", "1": "one", "2": "seven" });
      assert.equal(Array.from(named.images.labels).filter((l, i) => named.images.injected[i] && l === 0).length, 40);
    });

    it("records the resolved, numeric experiment: the views never see a name there", async () => {
      assert.deepEqual(named.experiment.data.digits, [1, 2]);
      assert.deepEqual(named.experiment.inject, [{ digit: 0, count: 40 }]);
      assert.deepEqual(named.experiment, numbered.experiment);
    });
  });

  it("resolves data.classNames on MNIST, names and numbers mixed, to the numeric form's images", async () => {
    const numeric = prepareData(parsed(mnist({ digits: [1, 7] }, [{ digit: 4, count: 20 }]), file), file);
    for (const digits of [
      ["one", "seven"],
      ["one", 7],
      [1, "seven"],
    ]) {
      const named = prepareData(parsed(mnist({ digits, classNames: words }, [{ digit: "four", count: 20 }]), file), file);
      assert.deepEqual(named.experiment.data.digits, [1, 7]);
      assert.deepEqual(named.experiment.inject, [{ digit: 4, count: 20 }]);
      for (const part of ["kept", "injected", "holdout"] as const)
        assert.deepEqual(named[part], numeric[part], `${part} with digits ${JSON.stringify(digits)}`);
      assert.equal(named.classNames?.["4"], "four");
    }
    assert.deepEqual(
      await problemsOf(mnist({ digits: ["Trouser", "Dress"], classNames: fashion }, [{ digit: "Ankle boot", count: 5 }]), file),
      [],
    );
  });

  it("resolves an image folder's names without reading its images", async () => {
    const exp = parsed(folder({ digits: ["seven", "four"] }, [{ digit: "one", count: 3 }]), file);
    const resolved = resolveLabels(exp, file, classNamesOf(exp.data, file));
    assert.ok(resolved.experiment);
    assert.deepEqual(resolved.experiment.data.digits, [2, 0], "as written; the output units are sorted later");
    assert.equal(resolved.experiment.inject[0].digit, 1);
  });

  it("names the known classes and the fix for an unknown name", async () => {
    const problems = await problemsOf(folder({ digits: ["one", "sevn"] }, [{ digit: "five", count: 10 }]), file);
    assert.deepEqual(texts(problems), [
      `${file}: data.digits[1]: no class is named "sevn" in the image folder's subfolders. Fix: did you ` +
        `mean "seven"? Else use one of the classes, by name or by label: 0 (four), 1 (one), 2 (seven)`,
      `${file}: inject[0].digit: no class is named "five" in the image folder's subfolders. Fix: use one ` +
        `of the classes, by name or by label: 0 (four), 1 (one), 2 (seven)`,
    ]);
    // The editor's Quick Fix for the near miss; none where no name is near.
    assert.deepEqual(
      problems.map((p) => p.edit),
      [{ title: 'Use "seven"', target: "value", newText: '"seven"' }, undefined],
    );
    // data.classNames is in the experiment itself: its names are checked without the data (an untrusted workspace's diagnostics).
    const schemaOnly = parseExperiment(JSON.stringify(mnist({ digits: ["one", "Seven"], classNames: words })), file).problems;
    assert.deepEqual(texts(schemaOnly), [
      `${file}: data.digits[1]: no class is named "Seven" in data.classNames. Fix: did you mean "seven"? ` +
        `Else use one of the classes, by name or by label: 0 (zero), 1 (one), 2 (two), 3 (three), 4 (four), ` +
        `5 (five), 6 (six), 7 (seven), 8 (eight), 9 (nine)`,
    ]);
  });

  it("says to use a number or add data.classNames where the classes have no names", async () => {
    assert.deepEqual(texts(await problemsOf(mnist({ digits: ["one", 7] }, [{ digit: "3", count: 5 }]), file)), [
      `${file}: data.digits[0]: "one" is a class name, but MNIST's classes have no names. Fix: use the ` +
        `label's number, or add data.classNames (classNames[i] names label i)`,
      `${file}: inject[0].digit: "3" is a class name, but MNIST's classes have no names. Fix: use the ` +
        `label's number (a label is written without quotes: 3), or add data.classNames (classNames[i] names ` +
        `label i)`,
    ]);
    writeFileSync(join(dir, "pets.csv"), "label,p\n0,1\n1,2\n0,3\n1,4\n");
    assert.match(
      texts(
        await problemsOf(
          { name: "csv", data: { source: { csv: "pets.csv" }, digits: ["cat", 1], perDigit: 2 }, clustering: { kMax: 3 } },
          file,
        ),
      ).join("\n"),
      /data\.digits\[0\]: "cat" is a class name, but the data file's classes have no names\. Fix: use the label's number, or add data\.classNames/,
    );
    // Subfolders named 0-255 are labels, not names.
    for (const [label, from] of [
      ["1", "one"],
      ["7", "seven"],
    ]) {
      mkdirSync(join(dir, "numeric", label), { recursive: true });
      for (const png of readdirSync(join(images, from)).slice(0, 3))
        copyFileSync(join(images, from, png), join(dir, "numeric", label, png));
    }
    const numericFolder = {
      name: "n",
      data: { source: { folder: { path: "numeric" } }, digits: [1, "seven"], perDigit: 3 },
      clustering: { kMax: 3 },
    };
    assert.match(
      texts(await problemsOf(numericFolder, file)).join("\n"),
      /data\.digits\[1\]: "seven" is a class name, but the image folder's subfolders are named by their labels \(0-255\), so its classes have no other names\. Fix: use the label's number/,
    );
    assert.deepEqual(await problemsOf({ ...numericFolder, data: { ...numericFolder.data, digits: [1, 7] } }, file), []);
  });

  it("finds a class listed twice once the names are resolved", async () => {
    assert.deepEqual(texts(parseExperiment(JSON.stringify(mnist({ digits: [3, "Dress", 1], classNames: fashion })), file).problems), [
      `${file}: data.digits[1]: class 3 (Dress) is listed twice (as 3 and "Dress"). Fix: list each class once`,
    ]);
    assert.deepEqual(texts(await problemsOf(folder({ digits: [1, "one", "seven"] }), file)), [
      `${file}: data.digits[1]: class 1 (one) is listed twice (as 1 and "one"). Fix: list each class once`,
    ]);
    // A name repeated as written is found before the image folder is read.
    assert.match(
      texts(parseExperiment(JSON.stringify(folder({ digits: ["one", "one"] })), file).problems).join("\n"),
      /data\.digits\[1\]: class "one" is listed twice\. Fix: list each class once/,
    );
    assert.match(
      texts(parseExperiment(JSON.stringify(mnist({ digits: [1, 7, 1] })), file).problems).join("\n"),
      /data\.digits\[2\]: digit 1 is listed twice\. Fix: list each digit once/,
    );
  });

  it("finds an injected class that is kept, however either is written", async () => {
    assert.deepEqual(
      texts(
        await problemsOf(
          folder({ digits: ["one", "seven"] }, [
            { digit: 0, count: 5 },
            { digit: 2, count: 5 },
          ]),
          file,
        ),
      ),
      [
        `${file}: inject[1].digit: class 2 (seven) is one of the trained classes (data.digits has it as ` +
          `"seven"), so it is not unseen. Fix: inject a class not in data.digits (1 (one), 2 (seven))`,
      ],
    );
    assert.match(
      texts(await problemsOf(mnist({ digits: [1, 7], classNames: words }, [{ digit: "one", count: 5 }]), file)).join("\n"),
      /inject\[0\]\.digit: class 1 \(one\) is one of the trained classes \(data\.digits has it as 1\), so it is not unseen/,
    );
  });

  it("finds a class injected twice, however either entry is written: both would pass the same images", async () => {
    assert.deepEqual(
      texts(
        await problemsOf(
          mnist({ digits: [1, 7], classNames: words }, [
            { digit: 4, count: 5 },
            { digit: 3, count: 5 },
            { digit: "four", count: 10 },
          ]),
          file,
        ),
      ),
      [
        `${file}: inject[2].digit: class 4 (four) is injected twice (as 4 and "four"): inject[0] picks the ` +
          `same images. Fix: inject each class once, with the count wanted in one entry`,
      ],
    );
    assert.match(
      texts(
        parseExperiment(
          JSON.stringify(
            mnist({ digits: [1, 7] }, [
              { digit: 4, count: 5 },
              { digit: 4, count: 5 },
            ]),
          ),
          file,
        ).problems,
      ).join("\n"),
      /inject\[1\]\.digit: digit 4 is injected twice: inject\[0\] picks the same images\. Fix: inject each digit once/,
    );
    assert.deepEqual(
      texts(
        await problemsOf(
          folder({ digits: ["one", "seven"] }, [
            { digit: "four", count: 5 },
            { digit: 0, count: 5 },
          ]),
          file,
        ),
      ),
      [
        `${file}: inject[1].digit: class 0 (four) is injected twice (as "four" and 0): inject[0] picks the ` +
          `same images. Fix: inject each class once, with the count wanted in one entry`,
      ],
    );
  });

  it("says which labels a name shared by several classes stands for", async () => {
    const classNames = ["a", "b", "a"];
    assert.match(
      texts(await problemsOf(mnist({ digits: ["a", 1], classNames }), file)).join("\n"),
      /data\.digits\[0\]: "a" names 2 classes in data\.classNames \(labels 0, 2\)\. Fix: use the label's number, or give each class its own name in data\.classNames/,
    );
  });

  it("underlines the name in the editor", async () => {
    const text = JSON.stringify(folder({ digits: ["one", "sevn"] }), null, 2);
    const [p] = (await checkExperiment({ file, text })).problems;
    const { offset, length } = problemRange(text, p.path);
    assert.equal(text.slice(offset, offset + length), '"sevn"');
  });

  it("mtq validate prints each name problem with its field and fix, and exits 2", async () => {
    const cases: [string, unknown, RegExp][] = [
      [
        "unknown.mtq.json",
        folder({ digits: ["one", "sevn"] }),
        /unknown\.mtq\.json: data\.digits\[1\]: no class is named "sevn" in the image folder's subfolders\. Fix: did you mean "seven"\?/,
      ],
      [
        "unnamed.mtq.json",
        mnist({ digits: ["one", 7] }),
        /unnamed\.mtq\.json: data\.digits\[0\]: "one" is a class name, but MNIST's classes have no names\. Fix: use the label's number, or add data\.classNames/,
      ],
      [
        "twice.mtq.json",
        mnist({ digits: [3, "Dress"], classNames: fashion }),
        /twice\.mtq\.json: data\.digits\[1\]: class 3 \(Dress\) is listed twice \(as 3 and "Dress"\)\. Fix: list each class once/,
      ],
      [
        "kept.mtq.json",
        folder({ digits: ["one", "seven"] }, [{ digit: 2, count: 5 }]),
        /kept\.mtq\.json: inject\[0\]\.digit: class 2 \(seven\) is one of the trained classes .*Fix: inject a class not in data\.digits/,
      ],
    ];
    for (const [name, value, message] of cases) {
      const { status, stderr } = validate(dir, name, value);
      assert.equal(status, 2, `${name}: ${stderr}`);
      assert.match(stderr, message);
    }
    const ok = validate(dir, "ok.mtq.json", folder({ digits: ["one", "seven"] }, [{ digit: "four", count: 40 }]));
    assert.equal(ok.status, 0, ok.stderr);
  });

  it("the JSON schema takes a number or a name there", async () => {
    interface SchemaNode {
      properties: Record<string, SchemaNode>;
      items: SchemaNode;
      anyOf: { type: string }[];
      description: string;
    }
    const schema = experimentJsonSchema() as SchemaNode;
    const digit = schema.properties.data.properties.digits.items;
    const injected = schema.properties.inject.items.properties.digit;
    for (const node of [digit, injected]) {
      assert.deepEqual(
        node.anyOf.map((b) => b.type),
        ["integer", "string"],
      );
      assert.match(node.description, /a class name from data\.classNames \/ the image folder's subfolders/);
    }
    assert.ok(readExperimentFile(join(root, "examples", "image-folder.mtq.json")).experiment);
  });
});
