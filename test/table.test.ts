// The tidy table: a real MNIST run (1 vs 7 with unseen 4s, training snapshots, class names holding
// commas, quotes and a line break) exported by the built CLI, read back with hyparquet and parquet-wasm
// (Parquet) and Python's csv module (CSV), and every column checked against the results; a cluster, the outliers
// and a snapshot tabled; bad input refused with exit 2; the README's column table against the code.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as arrow from "apache-arrow";
import { parquetMetadata } from "hyparquet";
import * as parquetWasm from "parquet-wasm/node";
import { readResultsFile } from "../src/results/read";
import { writeSelections } from "../src/results/selectionsFile";
import { silhouetteOf } from "../src/shared/columns";
import { recordedEpochs } from "../src/shared/epochs";
import { clusterImages } from "../src/host/treeModel";
import { LIST_SEPARATOR, NEIGHBOUR_COLUMNS, neighboursTable, pathIds, TABLE_COLUMNS, tidyTable } from "../src/results/table";
import { CSV_FORMULA_START, tableCsv } from "../src/results/tableFiles";
import { className } from "../src/shared/classNames";
import { imageSource } from "../src/shared/imageSource";
import type { ModelState, Results } from "../src/shared/results";
import { parquetRows, runExperimentFile, tempDir, writeJson } from "./helpers";

const root = join(__dirname, "..");
const cli = join(root, "dist", "cli.js");

/** MNIST's ten labels, 1 and 7 named with what a CSV must quote (a folder or the experiment may name a class anything). */
const CLASS_NAMES = ["zero", 'one, "thin"', "two", "three", '=HYPERLINK("four")', "five", "six", "seven\ncrossed", "eight", "nine"];

const SELECTIONS = [
  { name: 'odd 7s, "thin"', images: [0, 5, 61], label: "lasso on layer 2" },
  { name: "fours", images: [120, 121, 149], label: "cluster 1 of layer 1" },
  { name: "first", images: [0], label: "lasso on layer 1" },
];

function mtq(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

/** The CSV's records as Python's csv module parses them (an RFC 4180 reader that is not ours). */
function csvRecords(file: string): string[][] {
  const script = "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))";
  return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" })) as string[][];
}

/** What each column must hold for image `i` at `state`, straight from the results. */
function expected(results: Results, state: ModelState, i: number): Record<string, unknown> {
  const outlier = state.findings.outliers.find((o) => o.image === i);
  const row: Record<string, unknown> = {
    id: i,
    split: results.images.split[i],
    source_index: results.images.sourceIndex[i],
    source: imageSource(results, i),
    label: results.images.labels[i],
    label_name: className(results, results.images.labels[i]),
    injected: Boolean(results.images.injected[i]),
    prediction: state.predictions[i],
    prediction_name: className(results, state.predictions[i]),
    confidence: state.confidence![i],
    outlier_score: outlier?.score ?? null,
    outlier_reasons: outlier?.reasons.join("; ") ?? null,
    selections:
      SELECTIONS.filter((s) => s.images.includes(i))
        .map((s) => s.name)
        .join("; ") || null,
  };
  state.layers.forEach((layer, n) => {
    row[`l${n + 1}_cluster`] = layer.assignments[i];
    row[`l${n + 1}_silhouette`] = silhouetteOf(layer, i);
    row[`l${n + 1}_x`] = layer.umap[2 * i];
    row[`l${n + 1}_y`] = layer.umap[2 * i + 1];
    row[`l${n + 1}_pca_x`] = layer.pca![2 * i];
    row[`l${n + 1}_pca_y`] = layer.pca![2 * i + 1];
    row[`l${n + 1}_umap_kept`] = layer.umapKept![i];
    row[`l${n + 1}_pca_kept`] = layer.pcaKept![i];
  });
  return row;
}

/** The path ids: one per distinct tuple of clusters, ranked by how many images take it (ties: the first image). */
function assertPaths(state: ModelState, paths: number[]): void {
  const tuple = (i: number) => state.layers.map((l) => l.assignments[i]).join(",");
  const idOf = new Map<string, number>();
  const count = new Map<number, number>();
  const first = new Map<number, number>();
  paths.forEach((path, i) => {
    const known = idOf.get(tuple(i));
    assert.ok(known === undefined || known === path, `image ${i}: its clusters ${tuple(i)} have two path ids`);
    idOf.set(tuple(i), path);
    count.set(path, (count.get(path) ?? 0) + 1);
    if (!first.has(path)) first.set(path, i);
  });
  assert.equal(new Set(idOf.values()).size, idOf.size, "two cluster tuples share a path id");
  assert.deepEqual(
    [...count.keys()].sort((a, b) => a - b),
    Array.from({ length: count.size }, (_, k) => k),
  );
  for (let k = 1; k < count.size; k++) {
    const [a, b] = [count.get(k - 1)!, count.get(k)!];
    assert.ok(a > b || (a === b && first.get(k - 1)! < first.get(k)!), `path ${k - 1} (${a} images) ranks before path ${k} (${b})`);
  }
}

describe("the tidy table of a real run", () => {
  const dir = tempDir();
  const file = join(dir, "tidy.results.json");
  let results: Results;

  before(async () => {
    runExperimentFile(dir, "tidy", {
      name: "tidy",
      seed: 24,
      data: { source: "mnist", digits: [1, 7], perDigit: 60, classNames: CLASS_NAMES },
      training: { epochs: 3 },
      snapshots: [1, 2],
      inject: [{ digit: 4, count: 30 }],
    });
    results = (await readResultsFile(file)).results;
    await writeSelections(file, SELECTIONS, results.images.count);
  });

  it("exports Parquet through the CLI, every column read back equal to the results", async () => {
    const run = mtq("export", file);
    assert.equal(run.status, 0, run.stderr);
    const out = join(dir, "tidy.table.parquet");
    assert.equal(run.stdout, `wrote ${out}: 150 rows, 30 columns\n`);
    const rows = await parquetRows(out);
    assert.equal(rows.length, results.images.count);
    assert.ok(
      results.findings.outliers.length > 0 && Array.from(results.images.injected).some(Boolean),
      "the run has outliers and injected images",
    );
    rows.forEach((row, i) => {
      const { path, ...rest } = row;
      assert.deepEqual(rest, expected(results, results, i), `row ${i}`);
      assert.equal(typeof path, "number");
    });
    assertPaths(
      results,
      rows.map((r) => r.path as number),
    );
    const names = rows.map((r) => Object.keys(r));
    assert.deepEqual(names[0], [
      "id",
      "split",
      "source_index",
      "source",
      "label",
      "label_name",
      "injected",
      "prediction",
      "prediction_name",
      "confidence",
      "path",
      "l1_cluster",
      "l1_silhouette",
      "l1_x",
      "l1_y",
      "l1_pca_x",
      "l1_pca_y",
      "l1_umap_kept",
      "l1_pca_kept",
      "l2_cluster",
      "l2_silhouette",
      "l2_x",
      "l2_y",
      "l2_pca_x",
      "l2_pca_y",
      "l2_umap_kept",
      "l2_pca_kept",
      "outlier_score",
      "outlier_reasons",
      "selections",
    ]);
  });

  it("types the Parquet columns (INT32, DOUBLE, BOOLEAN, UTF-8, nullable) and names the layers and the epoch in its metadata", () => {
    const bytes = readFileSync(join(dir, "tidy.table.parquet"));
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    const types = Object.fromEntries(
      metadata.schema.slice(1).map((s) => [s.name, [s.type, s.converted_type, s.repetition_type].join(" ")]),
    );
    assert.equal(types.id, "INT32  OPTIONAL");
    assert.equal(types.l2_cluster, "INT32  OPTIONAL");
    assert.equal(types.l1_silhouette, "DOUBLE  OPTIONAL");
    assert.equal(types.injected, "BOOLEAN  OPTIONAL");
    assert.equal(types.source, "BYTE_ARRAY UTF8 OPTIONAL");
    const kv = Object.fromEntries((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    assert.deepEqual(
      JSON.parse(kv["mtq.layers"]!),
      results.layers.map((l) => l.name),
    );
    assert.equal(kv["mtq.epoch"], "3");
    // Each layer's map figures, as the results hold them.
    assert.deepEqual(
      JSON.parse(kv["mtq.maps"]!),
      results.layers.map((l) => ({
        neighbourCount: l.neighbourCount,
        pcaExplained: l.pcaExplained,
        umapNeighboursKept: l.umapNeighboursKept,
        pcaNeighboursKept: l.pcaNeighboursKept,
      })),
    );
    assert.equal(results.layers[0].neighbourCount, 14);
    assert.equal(types.l1_umap_kept, "INT32  OPTIONAL");
    assert.equal(types.l2_pca_x, "DOUBLE  OPTIONAL");
    assert.equal(JSON.parse(kv["mtq.columns"]!).l2_x, "Its x on layer 2's UMAP map.");
  });

  it("is read by another Parquet implementation (parquet-wasm: Rust's parquet crate, into Arrow) with the same types and values", () => {
    const read = parquetWasm.readParquet(new Uint8Array(readFileSync(join(dir, "tidy.table.parquet"))));
    const table = arrow.tableFromIPC(read.intoIPCStream());
    const ours = tidyTable(results, { selections: SELECTIONS });
    const arrowTypes = { int: "Int32", float: "Float64", bool: "Bool", text: "Utf8" };
    assert.deepEqual(
      table.schema.fields.map((f) => `${f.name} ${String(f.type)} ${f.nullable}`),
      ours.columns.map((c) => `${c.name} ${arrowTypes[c.type]} true`),
    );
    for (const column of ours.columns) {
      assert.deepEqual(
        Array.from({ length: table.numRows }, (_, i) => table.getChild(column.name)!.get(i) as unknown),
        column.values,
        column.name,
      );
    }
  });

  it("exports the stored neighbours as a long table (--neighbours): a row per image, layer and neighbour, in Parquet and CSV", async () => {
    const run = mtq("export", file, "--neighbours");
    assert.equal(run.status, 0, run.stderr);
    const out = join(dir, "tidy.neighbours.parquet");
    const count = results.layers[0].neighbourCount!;
    const total = results.layers.length * results.images.count * count;
    assert.equal(run.stdout, `wrote ${out}: ${total.toLocaleString("en")} rows, 5 columns\n`);
    const rows = await parquetRows(out);
    assert.equal(rows.length, total);
    assert.deepEqual(Object.keys(rows[0]), ["layer", "id", "rank", "neighbour", "distance"]);
    let at = 0;
    for (const [n, layer] of results.layers.entries()) {
      for (let i = 0; i < results.images.count; i++) {
        for (let k = 0; k < count; k++, at++) {
          const want = {
            layer: n + 1,
            id: i,
            rank: k + 1,
            neighbour: layer.neighbours![i * count + k],
            distance: layer.neighbourDistances![i * count + k],
          };
          assert.deepEqual(rows[at], want, `row ${at}`);
        }
        // Nearest first, never the image itself.
        const mine = rows.slice(at - count, at);
        assert.ok(
          mine.every((r, k) => r.neighbour !== i && (k === 0 || (r.distance as number) >= (mine[k - 1].distance as number))),
          `image ${i}`,
        );
      }
    }
    const csv = join(dir, "tidy.neighbours.csv");
    assert.equal(mtq("export", file, "--neighbours", "--format", "csv").status, 0);
    const [header, ...records] = csvRecords(csv);
    assert.deepEqual(header, ["layer", "id", "rank", "neighbour", "distance"]);
    assert.deepEqual(
      records.slice(0, 3),
      rows.slice(0, 3).map((r) => header.map((h) => String(r[h]))),
    );
    assert.equal(records.length, total);
    // A cluster's rows: its images' neighbours only.
    const images = clusterImages(results, 1, 0);
    const some = neighboursTable(results, { images });
    assert.equal(some.rowCount, results.layers.length * images.length * count);
    assert.deepEqual([...new Set(some.columns[1].values)], images);
  });

  it("refuses results without stored neighbours, and a path it cannot write before reading the results", () => {
    const edited = JSON.parse(readFileSync(file, "utf8")) as Results;
    edited.columns!.columns = edited.columns!.columns.filter((c) => !c.name.startsWith("layers[1].neighbour"));
    const older = writeJson(dir, "older.results.json", edited);
    writeFileSync(join(dir, "older.results.bin"), readFileSync(join(dir, "tidy.results.bin")));
    const run = mtq("export", older, "--neighbours");
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /^mtq export: \S+older\.results\.json: layer 2 holds no stored neighbours \(results written before them\); run its experiment again\n$/,
    );
    // The output path is checked first: a missing results file is not read before it is refused.
    const nowhere = mtq("export", join(dir, "missing.results.json"), "--out", join(dir, "no", "t.parquet"));
    assert.equal(nowhere.status, 2);
    assert.match(nowhere.stderr, /^mtq export: could not write \S+t\.parquet: its folder does not exist; choose another --out\n$/);
    mkdirSync(join(dir, "tables-folder"));
    const isFolder = mtq("export", file, "--out", join(dir, "tables-folder"));
    assert.equal(isFolder.status, 2, isFolder.stderr);
    assert.match(isFolder.stderr, /could not write \S+tables-folder: it is a folder; choose another --out\n$/);
  });

  it("exports CSV that an RFC 4180 reader parses back to the same values, quoted names and all", () => {
    const out = join(dir, "tables", "tidy.csv");
    mkdirSync(join(dir, "tables"));
    const run = mtq("export", file, "--format", "csv", "--out", out);
    assert.equal(run.status, 0, run.stderr);
    const [header, ...records] = csvRecords(out);
    const table = tidyTable(results, { selections: SELECTIONS });
    assert.deepEqual(
      header,
      table.columns.map((c) => c.name),
    );
    assert.equal(records.length, results.images.count);
    const textColumns = new Set(table.columns.filter((c) => c.type === "text").map((c) => c.name));
    const text = (v: unknown, name: string) =>
      v === null ? "" : textColumns.has(name) && CSV_FORMULA_START.test(String(v)) ? `'${String(v)}` : String(v);
    records.forEach((record, i) => {
      const want: Record<string, unknown> = {
        ...expected(results, results, i),
        path: table.columns.find((c) => c.name === "path")!.values[i],
      };
      assert.deepEqual(
        record,
        header.map((name) => text(want[name], name)),
        `record ${i}`,
      );
    });
    assert.ok(
      records.some((r) => r[header.indexOf("label_name")] === CLASS_NAMES[7]),
      "a class name with a line break",
    );
    assert.ok(records[0][header.indexOf("selections")].startsWith('odd 7s, "thin"; '), "selection names joined by '; '");
    assert.ok(readFileSync(out, "utf8").includes('"one, ""thin"""'), "quotes doubled inside a quoted field");
    assert.ok(
      records.some((r) => r[header.indexOf("label_name")] === `'${CLASS_NAMES[4]}`),
      "a class name a spreadsheet would run as a formula starts with a quote mark",
    );
    assert.deepEqual(readdirSync(join(dir, "tables")), ["tidy.csv"]);
  });

  it("tables a training snapshot's model at its epoch", async () => {
    assert.deepEqual(recordedEpochs(results), [1, 2, 3]);
    const run = mtq("export", file, "--epoch", "1", "--out", join(dir, "epoch-1.parquet"));
    assert.equal(run.status, 0, run.stderr);
    const rows = await parquetRows(join(dir, "epoch-1.parquet"));
    const snapshot = results.snapshots![0];
    assert.equal(snapshot.epoch, 1);
    rows.forEach((row, i) => {
      const { path, ...rest } = row;
      assert.deepEqual(rest, expected(results, snapshot, i), `row ${i}`);
      assert.equal(path, pathIds(snapshot, results.images.count)[i]);
    });
    assert.notDeepEqual(
      rows.map((r) => r.l1_x),
      Array.from(results.layers[0].umap).filter((_, k) => k % 2 === 0),
    );
  });

  it("tables a cluster, the outliers or a selection: those rows, with the paths numbered over all the images", () => {
    const all = tidyTable(results);
    const column = (table: ReturnType<typeof tidyTable>, name: string) => table.columns.find((c) => c.name === name)!.values;
    for (const images of [clusterImages(results, 1, 0), results.findings.outliers.map((o) => o.image), SELECTIONS[1].images]) {
      const table = tidyTable(results, { images, selections: SELECTIONS });
      assert.equal(table.rowCount, images.length);
      assert.deepEqual(column(table, "id"), images);
      assert.deepEqual(
        column(table, "path"),
        images.map((i) => column(all, "path")[i]),
      );
      for (const c of table.columns) assert.equal(c.values.length, images.length, c.name);
    }
    assert.ok(clusterImages(results, 1, 0).every((i) => results.layers[1].assignments[i] === 0));
    assert.deepEqual(
      column(tidyTable(results, { images: results.findings.outliers.map((o) => o.image) }), "outlier_score"),
      results.findings.outliers.map((o) => o.score),
    );
    assert.throws(
      () => tidyTable(results, { images: [results.images.count] }),
      /image 150 is not one of the results' 150 images \(0 to 149\)/,
    );
    assert.throws(() => tidyTable(results, { epoch: 5 }), /no model was recorded at epoch 5; choose one of the recorded epochs: 1, 2, 3/);
    assert.equal(tableCsv(tidyTable(results, { images: [] })).split("\r\n").length, 2);
  });

  it("refuses bad input with exit 2 and one line naming the file and the fix, writing nothing", () => {
    const cut = join(dir, "cut.results.json");
    writeFileSync(cut, readFileSync(file, "utf8").slice(0, 5000));
    const other = join(dir, "other.results.json");
    writeFileSync(other, readFileSync(file));
    writeFileSync(join(dir, "other.selections.json"), JSON.stringify({ version: 1, results: "tidy.results.json", selections: [] }));
    const edited = JSON.parse(readFileSync(file, "utf8")) as Results;
    edited.columns!.columns.find((c) => c.name === "layers[1].umap")!.length -= 1;
    const short = writeJson(dir, "short.results.json", edited);
    const cases: [string[], RegExp][] = [
      [
        ["export", short],
        /^mtq export: \S+short\.results\.json: is not a complete MTQ results file: the column "layers\[1\]\.umap" holds 299 values, not 300; run its experiment again\n$/,
      ],
      [["export", file, "--format", "xlsx"], /^mtq export: --format must be parquet or csv, not "xlsx"\nusage:\n[^]*mtq export RESULTS/],
      [["export", join(dir, "missing.results.json")], /^mtq export: \S+missing\.results\.json: file not found\n$/],
      [
        ["export", cut],
        /^mtq export: \S+cut\.results\.json: is incomplete: it stops after 5,000 characters, before its end; run its experiment again\n$/,
      ],
      [
        ["export", file, "--epoch", "4"],
        /^mtq export: \S+tidy\.results\.json: no model was recorded at epoch 4; choose one of the recorded epochs: 1, 2, 3\n$/,
      ],
      [["export", file, "--epoch", "last"], /^mtq export: --epoch must be a whole number \(a recorded epoch\), not "last"\n$/],
      [
        ["export", other],
        /^mtq export: \S+other\.selections\.json: "results" names "tidy\.results\.json", not "other\.results\.json"[^\n]*delete the file[^\n]*\n$/,
      ],
      [
        ["export", file, "--out", join(dir, "no", "such", "t.parquet")],
        /^mtq export: could not write \S+t\.parquet: its folder does not exist; choose another --out\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = mtq(...args);
      assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    }
    for (const name of ["cut", "other", "short"]) assert.ok(!existsSync(join(dir, `${name}.table.parquet`)), name);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });
});

describe("the README's column table", () => {
  it('lists exactly TABLE_COLUMNS, in order, with their types and docs ("Exporting a table")', () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const start = readme.indexOf("\n### Exporting a table\n");
    assert.ok(start >= 0, 'README.md has no "### Exporting a table" section');
    const section = readme.slice(start + 1, readme.indexOf("\n#", start + 1));
    const rows = section
      .slice(0, section.indexOf("| neighbours column |"))
      .split("\n")
      .filter((line) => /^\| `/.test(line))
      .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, "")));
    assert.deepEqual(
      rows,
      TABLE_COLUMNS.map((c) => [`\`${c.name}\``, c.type, c.doc]),
    );
    assert.ok(section.includes(`"${LIST_SEPARATOR}"`));
  });

  it("lists exactly NEIGHBOUR_COLUMNS for the neighbours table", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const start = readme.indexOf("\n### Exporting a table\n");
    const section = readme.slice(start + 1, readme.indexOf("\n#", start + 1));
    const rows = section
      .slice(section.indexOf("| neighbours column |"))
      .split("\n")
      .filter((line) => /^\| `/.test(line))
      .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, "")));
    assert.deepEqual(
      rows,
      NEIGHBOUR_COLUMNS.map((c) => [`\`${c.name}\``, c.type, c.doc]),
    );
  });
});
