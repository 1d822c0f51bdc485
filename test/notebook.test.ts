// The notebook beside a results file (src/results/notebook.ts), for a real small run: its nbformat 4.5
// structure, its relative file names, hostile text kept as text, and, with Debian's Python
// (MTQ_REQUIRE_PYTHON=1 makes a missing one a failure, as CI sets it), nbformat's validation and a
// run of every cell with nbclient in a moved copy of its folder, whose figures must be the results';
// then a second run with named classes (commas, quotes, "007"), one hidden layer and nothing injected.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { before, describe, it } from "node:test";
import { readResultsFile } from "../src/results/read";
import { notebookFileFor, notebookText, runNotebook, writeNotebookFiles, type Notebook } from "../src/results/notebook";
import { TABLE_COLUMNS, tidyTable } from "../src/results/table";
import { DIGIT_COLORS } from "../src/shared/digitColors";
import type { Results } from "../src/shared/results";
import type { NamedSelection } from "../src/shared/selections";
import { runExperimentFile, tempDir } from "./helpers";
import { seedResults } from "./seedResults";

/** Debian's Python: the one apt's python3-pandas, -matplotlib, -nbformat, -nbclient and -ipykernel install into (a pyenv python3 may come first on PATH). */
const PYTHON = "/usr/bin/python3";

/** Why `modules` cannot be imported by Debian's Python, or undefined when they can; with MTQ_REQUIRE_PYTHON=1 a missing one is an error. */
function pythonMissing(modules: string[]): string | undefined {
  try {
    execFileSync(PYTHON, ["-c", `import ${modules.join(", ")}`], { stdio: "pipe" });
    return undefined;
  } catch {
    const why =
      `${PYTHON} cannot import ${modules.join(", ")}: install them with ` +
      "`apt-get install -y python3-pandas python3-matplotlib python3-nbformat python3-nbclient python3-ipykernel`";
    if (process.env.MTQ_REQUIRE_PYTHON === "1") throw new Error(`${why} (MTQ_REQUIRE_PYTHON=1)`);
    return why;
  }
}

const PYTHON_STACK = ["pandas", "matplotlib", "nbformat", "nbclient", "ipykernel"];

type Outputs = Record<string, { type: string; text: string; mimes: string[] }[]>;

/**
 * Copies the notebook and its tables alone into another folder (no results file to fall back on),
 * runs every cell there with nbclient (test/notebook-run.py), then `check` in the same kernel; each
 * cell's outputs by cell id, none of them an error.
 */
function runMoved(notebookFile: string, check: string): Outputs {
  const moved = join(tempDir(), "moved");
  mkdirSync(moved);
  const stem = basename(notebookFile, ".ipynb");
  for (const name of [`${stem}.ipynb`, `${stem}.table.parquet`, `${stem}.table.csv`])
    copyFileSync(join(dirname(notebookFile), name), join(moved, name));
  const run = JSON.parse(
    execFileSync(PYTHON, [join(__dirname, "notebook-run.py"), join(moved, `${stem}.ipynb`), check], {
      encoding: "utf8",
      env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1", MPLCONFIGDIR: tempDir() },
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as { seconds: number; cells: Outputs };
  console.log(`${stem}.ipynb: its cells ran in ${run.seconds.toFixed(1)} s`);
  for (const [id, shown] of Object.entries(run.cells)) assert.ok(!shown.some((o) => o.type === "error"), id);
  assert.ok(
    run.cells.map.some((o) => o.mimes.includes("image/png")),
    "the map cell drew no figure",
  );
  return run.cells;
}

const SELECTIONS: NamedSelection[] = [
  { name: "first three", images: [0, 1, 2], label: "lasso on layer 1" },
  { name: "the 4s", images: [], label: "cluster 1 of layer 2" },
];

function cellText(cell: Notebook["cells"][number]): string {
  return cell.source.join("");
}

describe("the notebook beside a results file", () => {
  const dir = tempDir();
  let file: string;
  let results: Results;
  let notebookFile: string;
  let notebook: Notebook;

  before(async () => {
    ({ file, results } = await seedResults(dir, 7));
    const injected = Array.from(results.images.injected).flatMap((inj, i) => (inj ? [i] : []));
    SELECTIONS[1].images = injected.slice(0, 10);
    const written = await writeNotebookFiles(file, results, SELECTIONS, { notebook: true });
    assert.equal(written.notebook, join(dir, "seed-7.ipynb"));
    notebookFile = written.notebook;
    notebook = JSON.parse(readFileSync(notebookFile, "utf8")) as Notebook;
  });

  it("is written beside the results with the table as Parquet and CSV, and no temp file left", () => {
    assert.equal(notebookFileFor("/w/out/ones-vs-sevens.results.json"), "/w/out/ones-vs-sevens.ipynb");
    const names = readdirSync(dir).filter((n) => n.startsWith("seed-7."));
    assert.deepEqual(names.sort(), [
      "seed-7.ipynb",
      "seed-7.mtq.json",
      "seed-7.results.bin",
      "seed-7.results.json",
      "seed-7.table.csv",
      "seed-7.table.parquet",
    ]);
    assert.ok(!readdirSync(dir).some((n) => n.endsWith(".tmp")));
    const csv = readFileSync(join(dir, "seed-7.table.csv"), "utf8").trimEnd().split("\r\n");
    assert.equal(csv.length, 1 + results.images.count);
  });

  it("is nbformat 4.5: a python3 kernel, cells with unique ids, sources as lines, code cells not run", () => {
    assert.equal(notebook.nbformat, 4);
    assert.equal(notebook.nbformat_minor, 5);
    assert.equal(notebook.metadata.kernelspec.name, "python3");
    assert.equal(notebook.metadata.language_info.name, "python");
    const ids = notebook.cells.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const cell of notebook.cells) {
      assert.match(cell.id, /^[a-zA-Z0-9_-]{1,64}$/);
      assert.ok(cell.source.length > 0);
      cell.source.forEach((line, i) =>
        assert.equal(line.endsWith("\n"), i < cell.source.length - 1, `${cell.id}: ${JSON.stringify(line)}`),
      );
      if (cell.cell_type === "code") {
        assert.equal(cell.execution_count, null);
        assert.deepEqual(cell.outputs, []);
      }
    }
    assert.deepEqual(
      notebook.cells.filter((c) => c.cell_type === "code").map((c) => c.id),
      ["load", "map", "clusters", "paths", "outliers", "selections"],
    );
  });

  it("states the run as the results do, and lists every column of the table in its last cell", () => {
    const intro = cellText(notebook.cells[0]);
    assert.match(intro, /^# seed-7\n/);
    assert.match(intro, /seed 7, backend \w+, 3 epochs\. 150 images: 120 kept \(1 and 7\) and 30 injected \(4\)\./);
    const train = (100 * results.findings.accuracy.train).toFixed(1);
    assert.ok(intro.includes(`Accuracy ${train}% on the kept images`), intro);
    for (const [n, layer] of results.layers.entries()) {
      const share = (v: number) => `${(100 * v).toFixed(1)}%`;
      const maps = `${share(layer.umapNeighboursKept!)} | ${share(layer.pcaNeighboursKept!)} | ${layer.pcaExplained!.map(share).join(" + ")} |`;
      assert.ok(
        intro.includes(`| ${n + 1} | `) && intro.includes(` | ${layer.size} | ${layer.k} | ${layer.silhouette.toFixed(4)} | ${maps}`),
        intro,
      );
    }
    const columns = cellText(notebook.cells.at(-1)!);
    assert.match(columns, /^## The table's columns\n/);
    for (const column of TABLE_COLUMNS) assert.ok(columns.includes(`- \`${column.name}\`: ${column.doc}`), column.name);
  });

  it("names its files relative to its folder, and only columns the table has", () => {
    const text = readFileSync(notebookFile, "utf8");
    assert.ok(!text.includes(dir), "an absolute path in the notebook");
    assert.match(cellText(notebook.cells[1]), /PARQUET, CSV = "seed-7\.table\.parquet", "seed-7\.table\.csv"/);
    // The map draws each label in the results view's colour.
    const colors = [1, 4, 7].map((l) => `${l}: "${DIGIT_COLORS[l]}"`).join(", ");
    assert.ok(cellText(notebook.cells[3]).includes(`COLORS = {${colors}}`), cellText(notebook.cells[3]));
    // The layers' neighbour counts and PCA shares, as the results hold them; the map draws either map.
    const load = cellText(notebook.cells[1]);
    assert.ok(load.includes(`NEIGHBOURS = [${results.layers.map((l) => l.neighbourCount).join(", ")}]`), load);
    assert.ok(load.includes(`PCA_EXPLAINED = [${results.layers.map((l) => `(${l.pcaExplained!.join(", ")})`).join(", ")}]`), load);
    assert.match(cellText(notebook.cells[3]), /^MAP = "UMAP" {2}# or "PCA"/m);
    const columns = new Set(tidyTable(results).columns.map((c) => c.name));
    const code = notebook.cells.filter((c) => c.cell_type === "code").map(cellText);
    // table["label"], kept[...], rows[...], injected[...], and the outlier list's columns.
    const quoted = code.flatMap((c) => [
      ...[...c.matchAll(/\b(?:table|kept|rows|injected)\["(\w+)"\]/g)].map((m) => m[1]),
      ...[...c.matchAll(/outliers\[\[(.*)\]\]/g)].flatMap((m) => JSON.parse(`[${m[1]}]`) as string[]),
    ]);
    const layered = code.flatMap((c) => [...c.matchAll(/f"l\{\w+\}_(\w+)"/g)].map((m) => `l1_${m[1]}`));
    assert.ok(quoted.length > 10 && layered.length > 5);
    for (const name of [...quoted, ...layered]) assert.ok(columns.has(name), `the notebook reads a column "${name}" the table has not`);
  });

  it("is the same notebook for the same results, wherever they are", async () => {
    const elsewhere = join(tempDir(), "seed-7.results.json");
    const written = await writeNotebookFiles(elsewhere, results, SELECTIONS, { notebook: true });
    assert.equal(readFileSync(written.notebook!, "utf8"), readFileSync(notebookFile, "utf8"));
  });

  it("keeps a notebook it is told to keep, writing only the table", async () => {
    const other = tempDir();
    const results2 = join(other, "seed-7.results.json");
    writeFileSync(join(other, "seed-7.ipynb"), "my own notebook");
    const written = await writeNotebookFiles(results2, results, [], { notebook: false });
    assert.equal(written.notebook, undefined);
    assert.equal(readFileSync(join(other, "seed-7.ipynb"), "utf8"), "my own notebook");
    assert.ok(existsSync(written.parquet) && existsSync(written.csv));
  });

  it("says which file it could not write and what to do", async () => {
    const missing = join(dir, "no-such-folder", "seed-7.results.json");
    await assert.rejects(writeNotebookFiles(missing, results, [], { notebook: true }), (e: Error) =>
      e.message.startsWith(`${join(dir, "no-such-folder", "seed-7.table.parquet")} could not be written (ENOENT); `),
    );
  });

  it("shows text from the files as text: a description or layer name cannot become a link, markup or HTML", () => {
    const hostile: Results = {
      ...results,
      experiment: { ...results.experiment, description: "# <img src=x onerror=alert(1)> [click](http://example.com) *bold* | cell" },
      layers: results.layers.map((l, n) => ({ ...l, name: n === 0 ? "a|b\n# heading <b>x</b>" : l.name })),
    };
    const nb = runNotebook(hostile, { results: "r`x.results.json", parquet: "p.parquet", csv: "c.csv" });
    const intro = cellText(nb.cells[0]);
    // Every "<" and "[" escaped: no HTML, no link.
    assert.ok(!/(?<!\\)[<[]/.test(intro), intro);
    assert.ok(intro.includes("\\# \\<img src=x onerror=alert(1)\\> \\[click\\](http://example.com) \\*bold\\* \\| cell"), intro);
    assert.ok(intro.includes("| 1 | a\\|b # heading \\<b\\>x\\</b\\> |"), intro);
    assert.ok(intro.includes("``r`x.results.json``"), intro);
    // The layer's name is in a comment of the map cell: on one line, so the code after it stays code.
    assert.match(cellText(nb.cells[3]), /^LAYER = 2 {2}# the hidden layer to draw: 1 a\|b # heading <b>x<\/b>, 2 .*$/m);
    assert.ok(notebookText(nb).endsWith("}\n"));
  });

  describe("with Debian's Python", () => {
    it("is valid nbformat 4 (nbformat.validate)", { skip: pythonMissing(["nbformat"]) }, () => {
      const script = "import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print(nb.nbformat_minor)";
      assert.equal(execFileSync(PYTHON, ["-c", script, notebookFile], { encoding: "utf8" }).trim(), "5");
    });

    it(
      "runs every cell in a moved copy of its folder, and finds the results' figures in the table",
      { skip: pythonMissing(PYTHON_STACK), timeout: 300_000 },
      () => {
        const check = `import json
print(json.dumps({
    "accuracy": float((kept["prediction"] == kept["label"]).mean()),
    "summary": json.loads(summary.to_json(orient="index")),
    "follows": json.loads(pd.DataFrame(follows).groupby(injected["label"]).mean().to_json(orient="index")),
    "paths": json.loads(paths.to_json(orient="records")),
    "outliers": outliers["id"].tolist(),
}))`;
        const outputs = runMoved(notebookFile, check);
        const parquetEngine = /from seed-7\.table\.parquet$/m.test(outputs.load[0].text);
        assert.match(outputs.load[0].text, /^150 images \(120 kept, 30 injected\) read from seed-7\.table\.(parquet|csv)\n$/);
        console.log(`the table was read from its ${parquetEngine ? "Parquet" : "CSV"} file`);
        assert.match(outputs.clusters[0].text, /^accuracy on the kept images: \d+\.\d\d%\n/);

        const figures = JSON.parse(outputs["test-check"][0].text) as {
          accuracy: number;
          summary: Record<string, Record<string, number | string | boolean>>;
          follows: Record<string, Record<string, number>>;
          paths: { injected: boolean; label: number; prediction: number; images: number; [cluster: string]: number | boolean }[];
          outliers: number[];
        };
        const { findings } = results;
        // The results hold figures to 4 decimals.
        assert.ok(Math.abs(figures.accuracy - findings.accuracy.train) < 5e-5);
        for (const [n, layer] of results.layers.entries()) {
          const row = figures.summary[String(n + 1)];
          assert.equal(row.name, layer.name);
          assert.equal(row.k, layer.k);
          assert.ok(Math.abs((row["mean silhouette"] as number) - layer.silhouette) < 1e-4, `layer ${n + 1}'s silhouette`);
          for (const [digit, purity] of Object.entries(findings.layers[n].purity)) {
            assert.ok(Math.abs((row[`purity ${digit}`] as number) - purity) < 1e-4, `layer ${n + 1}'s purity of ${digit}`);
          }
          assert.equal(row.separates, findings.separationLayer !== null && n + 1 >= findings.separationLayer);
          // Each map's neighbours kept, from the table's per-image counts, is the results' figure.
          for (const [kind, figure] of [
            ["UMAP", layer.umapNeighboursKept],
            ["PCA", layer.pcaNeighboursKept],
          ] as const) {
            assert.ok(
              figure !== undefined && Math.abs((row[`neighbours kept, ${kind}`] as number) - figure) < 1e-4,
              `layer ${n + 1}'s ${kind}`,
            );
          }
        }
        for (const [digit, finding] of Object.entries(findings.injected)) {
          for (const [kept, share] of Object.entries(finding.followsPathOf)) {
            assert.ok(Math.abs(figures.follows[digit][kept] - share) < 1e-4, `${digit}s following the ${kept}s`);
          }
        }
        assert.deepEqual(
          figures.outliers,
          findings.outliers.map((o) => o.image),
        );
        assert.match(outputs.outliers[0].text, new RegExp(`^${findings.outliers.length} outliers of 120 kept images\\n$`));

        // The paths add up to every link of the Sankey: digit -> layer 1's cluster -> ... -> prediction.
        assert.equal(
          figures.paths.reduce((sum, p) => sum + p.images, 0),
          results.images.count,
        );
        const steps = ["label", ...results.layers.map((_, n) => `l${n + 1}_cluster`), "prediction"];
        const nodes = new Map(results.flows.nodes.map((node) => [node.id, node]));
        for (const link of results.flows.links) {
          const [from, to] = [nodes.get(link.source)!, nodes.get(link.target)!];
          const count = figures.paths
            .filter((p) => p[steps[from.column]] === from.value && p[steps[to.column]] === to.value)
            .reduce((sum, p) => sum + p.images, 0);
          assert.equal(count, link.count, `${link.source} -> ${link.target}`);
        }

        const selections = outputs.selections[0].text;
        assert.match(selections, /first three\s+3\n/);
        assert.match(selections, /the 4s\s+10\n/);
      },
    );

    it(
      "runs on named classes, one hidden layer and no injected images, the CSV keeping the names as text",
      { skip: pythonMissing(PYTHON_STACK), timeout: 300_000 },
      async () => {
        const named = tempDir();
        const resultsFile = runExperimentFile(named, "named", {
          name: "named",
          seed: 3,
          data: {
            source: "mnist",
            digits: [1, 7, 3],
            perDigit: 40,
            classNames: ["zero", 'one, the "I"', "two", "007", "four", "five", "six", "=seven", "eight", "nine"],
          },
          model: { kind: "dense", hidden: [16] },
          training: { epochs: 2 },
        });
        const { results: run } = await readResultsFile(resultsFile);
        const written = await writeNotebookFiles(resultsFile, run, [], { notebook: true });
        const outputs = runMoved(written.notebook!, 'import json\nprint(json.dumps(json.loads(summary.to_json(orient="index"))))');
        assert.match(outputs.load[0].text, /^120 images \(120 kept, 0 injected\) read from named\.table\.(parquet|csv)\n$/);
        assert.equal(outputs.paths.at(-1)!.text, "no injected images\n");
        const [layer] = Object.values(JSON.parse(outputs["test-check"][0].text) as Record<string, Record<string, number>>);
        for (const [label, purity] of Object.entries(run.findings.layers[0].purity)) {
          const name = run.classNames![label];
          assert.ok(Math.abs(layer[`purity ${name}`] - purity) < 1e-4, `the purity of ${name}`);
        }
        assert.ok("purity 007" in layer && 'purity one, the "I"' in layer && "purity =seven" in layer, JSON.stringify(layer));
      },
    );
  });
});
