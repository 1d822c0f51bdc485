// Chooses the Parquet writer of the tidy table (src/results/tableFiles.ts) by measuring the candidates
// on the largest table MTQ makes: all 70,000 MNIST digits (examples/all-of-mnist.mtq.json), the
// results made once by the CLI from the pipeline and cached under .tmp/bench/ (as bench:tree does),
// so the table's columns, their types and their values are a real run's, not invented ones.
//   hyparquet-writer: plain JavaScript, writes the table's columns as they are.
//   parquet-wasm: Rust's parquet crate in WebAssembly; it writes an Arrow table, so the columns are
//     first built with apache-arrow (which writes no Parquet itself) and handed over as Arrow IPC.
// For each: the median time to turn the table's columns into Parquet bytes (of RUNS runs, after one
// warm-up that also loads the WebAssembly), the file's size, what npm installs (the package and its
// dependencies) and what a bundle of it adds to the extension (esbuild, minified, plus the .wasm).
// Both files are read back with hyparquet and checked equal to the table. Prints figures; not a test.
// `npm run bench:parquet -- FILE` measures another results file.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import * as esbuild from "esbuild";
import { parquetReadObjects } from "hyparquet";
import * as parquetWasm from "parquet-wasm/node";
import { readResultsFile } from "../src/results/read";
import { tidyTable, type ColumnType, type TidyTable } from "../src/results/table";
import { tableCsv, tableParquet } from "../src/results/tableFiles";
import { allOfMnistResults } from "./allOfMnistResults";
import { median } from "./median";

const root = join(__dirname, "..");
const RUNS = 5;

const ARROW_TYPES: Record<ColumnType, () => arrow.DataType> = {
  int: () => new arrow.Int32(),
  float: () => new arrow.Float64(),
  bool: () => new arrow.Bool(),
  text: () => new arrow.Utf8(),
};

/** parquet-wasm's way: the columns as an Arrow table (same types, nullable), through IPC into WebAssembly, written with snappy as hyparquet-writer does. */
function parquetWasmBytes(table: TidyTable): Uint8Array {
  const vectors = Object.fromEntries(table.columns.map((c) => [c.name, arrow.vectorFromArray(c.values, ARROW_TYPES[c.type]())]));
  const ipc = arrow.tableToIPC(new arrow.Table(vectors), "stream");
  const wasmTable = parquetWasm.Table.fromIPCStream(ipc);
  const properties = new parquetWasm.WriterPropertiesBuilder().setCompression(parquetWasm.Compression.SNAPPY).build();
  return parquetWasm.writeParquet(wasmTable, properties);
}

function timed<T>(make: () => T): { value: T; ms: number[] } {
  let value = make();
  const ms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    value = make();
    ms.push(performance.now() - start);
  }
  return { value, ms };
}

/** Bytes under a folder (a package as npm installed it). */
function folderBytes(folder: string): number {
  return readdirSync(folder, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(entry.parentPath, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(path) : statSync(path).size);
  }, 0);
}

/** Bytes npm installs for `name` (found from `from`, as Node resolves it): its folder and its dependencies', each once. */
function installedBytes(name: string, from = root, seen = new Set<string>()): number {
  const nested = join(from, "node_modules", name);
  const folder = existsSync(nested) ? nested : join(root, "node_modules", name);
  if (seen.has(folder)) return 0;
  seen.add(folder);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { dependencies?: object };
  // A dependency nested in the folder is counted with it.
  const deps = Object.keys(manifest.dependencies ?? {}).filter((dep) => !existsSync(join(folder, "node_modules", dep)));
  return folderBytes(folder) + deps.reduce((sum, dep) => sum + installedBytes(dep, folder, seen), 0);
}

/** Bytes a minified node bundle of `source` comes to. */
async function bundleBytes(source: string): Promise<number> {
  const built = await esbuild.build({
    stdin: { contents: source, resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "cjs",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return built.outputFiles.reduce((sum, f) => sum + f.contents.length, 0);
}

/** Fails unless the Parquet bytes read back as the table, value for value. */
async function assertSame(bytes: Uint8Array, table: TidyTable, who: string): Promise<void> {
  const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer });
  if (rows.length !== table.rowCount) throw new Error(`${who}: ${rows.length} rows read back, not ${table.rowCount}`);
  for (const column of table.columns) {
    column.values.forEach((value, i) => {
      if (rows[i][column.name] !== value)
        throw new Error(`${who}: row ${i}'s ${column.name} read back as ${rows[i][column.name]}, not ${value}`);
    });
  }
}

async function main(): Promise<void> {
  const file = allOfMnistResults();
  const { results } = await readResultsFile(file);
  const built = timed(() => tidyTable(results));
  const table = built.value;
  const csv = timed(() => tableCsv(table));
  const hyparquet = timed(() => tableParquet(table));
  const wasm = timed(() => parquetWasmBytes(table));
  await assertSame(hyparquet.value, table, "hyparquet-writer");
  await assertSame(wasm.value, table, "parquet-wasm");

  const wasmFile = statSync(join(root, "node_modules", "parquet-wasm", "node", "parquet_wasm_bg.wasm")).size;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  const rows = [
    {
      writer: "hyparquet-writer",
      time: ms(hyparquet.ms),
      file: mb(hyparquet.value.length),
      installed: mb(installedBytes("hyparquet-writer")),
      bundle: mb(await bundleBytes('export { parquetWriteBuffer } from "hyparquet-writer";')),
    },
    {
      writer: "parquet-wasm + apache-arrow",
      time: ms(wasm.ms),
      file: mb(wasm.value.length),
      installed: mb(installedBytes("parquet-wasm") + installedBytes("apache-arrow")),
      bundle: `${mb(
        (await bundleBytes('export { tableToIPC, vectorFromArray, Table } from "apache-arrow"; export * from "parquet-wasm/node";')) +
          wasmFile,
      )} (with the ${mb(wasmFile)} .wasm)`,
    },
  ];
  process.stdout.write(
    `${file}: ${table.rowCount.toLocaleString("en")} rows, ${table.columns.length} columns; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(", ")} (1, 5, 15 min); node ${process.version}\n` +
      `the table from the results: ${ms(built.ms)}; as CSV: ${ms(csv.ms)}, ${mb(Buffer.byteLength(csv.value))}\n` +
      `median of ${RUNS} runs after a warm-up (min-max); both files read back with hyparquet equal to the table\n`,
  );
  console.table(rows);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:parquet: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
