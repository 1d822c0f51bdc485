// The tidy table (table.ts) as a file: CSV text or Parquet bytes, and the file written atomically.
// Parquet is written by hyparquet-writer: `npm run bench:parquet` (scripts/bench-parquet.ts)
// measured it against parquet-wasm on all 70,000 MNIST images (README, "Exporting a table").
import { access, constants, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { parquetWriteBuffer, type BasicType } from "hyparquet-writer";
import { writeFileAtomic } from "./atomicWrite";
import { siblingFile } from "./path";
import type { Cell, ColumnType, TidyTable } from "./table";

export type TableFormat = "csv" | "parquet";

export const TABLE_FORMATS: readonly TableFormat[] = ["parquet", "csv"];

export function isTableFormat(format: string): format is TableFormat {
  return (TABLE_FORMATS as readonly string[]).includes(format);
}

/** `X.table.parquet` or `X.table.csv` beside `X.results.json`; `X.neighbours.parquet` (or `.csv`) for the neighbours table. */
export function defaultTableFile(resultsFile: string, format: TableFormat, kind: "table" | "neighbours" = "table"): string {
  return siblingFile(resultsFile, `${kind}.${format}`);
}

/**
 * A text cell a spreadsheet would run as a formula (OWASP's "CSV injection": a class, file or
 * selection name such as `=HYPERLINK(...)` or `@SUM(...)`) starts with a quote mark, which Excel,
 * LibreOffice and Sheets show as text; the notebook strips it again (notebook.ts).
 */
export const CSV_FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled (class and file names may hold any). */
function csvField(cell: Cell, type: ColumnType | "header"): string {
  if (cell === null) return "";
  const raw = String(cell);
  const text = type === "text" && CSV_FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The table as CSV (RFC 4180, CRLF line ends): a header of the column names, a line per row; empty
 * cells for nulls; a text cell that would start a formula after a quote mark (CSV_FORMULA_START).
 */
export function tableCsv(table: TidyTable): string {
  const lines = [table.columns.map((c) => csvField(c.name, "header")).join(",")];
  for (let row = 0; row < table.rowCount; row++) lines.push(table.columns.map((c) => csvField(c.values[row], c.type)).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

const PARQUET_TYPES: Record<ColumnType, BasicType> = { int: "INT32", float: "DOUBLE", bool: "BOOLEAN", text: "STRING" };

/**
 * The table as a Parquet file (nullable INT32, DOUBLE, BOOLEAN and UTF-8 columns, snappy-compressed);
 * its key-value metadata names the layers (`mtq.layers`, a JSON list: `l1_` is its first), the epoch
 * tabled (`mtq.epoch`), each layer's map figures (`mtq.maps`, a JSON list beside `mtq.layers`) and
 * each column's one-line doc (`mtq.columns`, a JSON object).
 */
export function tableParquet(table: TidyTable): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: table.columns.map((c) => ({ name: c.name, data: c.values, type: PARQUET_TYPES[c.type] })),
    kvMetadata: [
      { key: "mtq.layers", value: JSON.stringify(table.layers) },
      { key: "mtq.epoch", value: String(table.epoch) },
      { key: "mtq.maps", value: JSON.stringify(table.maps) },
      { key: "mtq.columns", value: JSON.stringify(Object.fromEntries(table.columns.map((c) => [c.name, c.doc]))) },
    ],
    createdBy: "MTQ Signatures (hyparquet-writer)",
  });
  return new Uint8Array(buffer);
}

/**
 * Why a table cannot be written to `file` ("its folder does not exist", "it is a folder", "its folder
 * cannot be written (EACCES)"), or undefined: asked before the table is built, so that a bad path is
 * said at once rather than after reading and tabling a large results file.
 */
export async function tableFileProblem(file: string): Promise<string | undefined> {
  const folder = dirname(file);
  const isFolder = (path: string) =>
    stat(path).then(
      (s) => s.isDirectory(),
      () => undefined,
    );
  const folderIs = await isFolder(folder);
  if (folderIs === undefined) return "its folder does not exist";
  if (!folderIs) return `${folder} is not a folder`;
  if (await isFolder(file)) return "it is a folder";
  return access(folder, constants.W_OK).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => `its folder cannot be written (${e.code ?? e.message})`,
  );
}

/** The table in `format`, written to `file` whole or not at all (atomicWrite.ts): a reader never sees half a table. */
export async function writeTable(table: TidyTable, format: TableFormat, file: string): Promise<void> {
  await writeFileAtomic(file, format === "csv" ? tableCsv(table) : tableParquet(table));
}
