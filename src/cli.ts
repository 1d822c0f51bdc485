// `mtq`: validate and run experiments, compare and export their results, from a terminal. Bad input prints the problems on stderr and
// exits 2, never a stack trace.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkExperiment } from "./check";
import { progressPrinter } from "./cliProgress";
import { BACKEND_DESCRIPTIONS, BACKENDS, isBackend, type Backend } from "./shared/backends";
import { ExperimentError, formatProblem, type Problem } from "./shared/problems";
import { runExperiment } from "./pipeline/run";
import { summaryText } from "./pipeline/summary";
import { compareResults } from "./results/compare";
import { comparisonText } from "./results/comparisonSummary";
import { defaultResultsFile } from "./results/path";
import { readResultsFile } from "./results/read";
import { readSelections } from "./results/selectionsFile";
import { neighboursTable, tidyTable } from "./results/table";
import { defaultTableFile, isTableFormat, TABLE_FORMATS, tableFileProblem, writeTable } from "./results/tableFiles";
import { resultsFileProblem, writeResults } from "./results/write";

const USAGE = `usage:
  mtq validate FILE                      check an experiment file (exit 0 valid, 2 invalid)
  mtq run FILE [--out RESULTS] [--json] [--backend ${BACKENDS.join("|")}]
                                         train and analyse; writes NAME.results.json beside FILE
  mtq compare A.results.json B.results.json [--json]
                                         clusters, paths and findings of two results side by side
  mtq export RESULTS [--format ${TABLE_FORMATS.join("|")}] [--out FILE] [--epoch E] [--neighbours]
                                         the tidy table, a row per image (README: Exporting a table);
                                         writes NAME.table.parquet (or .csv) beside RESULTS; with
                                         --neighbours, each image's nearest in each layer, a row per
                                         neighbour: NAME.neighbours.parquet
backends (default auto; the results record the one that ran):
${BACKENDS.map((b) => `  ${b.padEnd(39)}${BACKEND_DESCRIPTIONS[b]}`).join("\n")}`;

function fail(problems: Problem[]): number {
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  return 2;
}

// validate and run refuse on the same check, so that a valid experiment is one that runs.
async function validate(file: string): Promise<number> {
  const checked = await checkExperiment({ file });
  if (!checked.ok) return fail(checked.problems);
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

async function run(file: string, out: string | undefined, json: boolean, backend: Backend): Promise<number> {
  const checked = await checkExperiment({ file });
  if (!checked.ok) return fail(checked.problems);
  const { parsed } = checked;
  const target = out ? resolve(out) : defaultResultsFile(parsed.name, file);
  const unwritable = resultsFileProblem(target);
  if (unwritable) {
    process.stderr.write(`mtq run: ${out ? "--out: " : ""}${unwritable}; nothing was run\n`);
    return 2;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const progress = progressPrinter(process.stderr);
  const results = await runExperiment({
    experiment: parsed,
    experimentFile: file,
    backend,
    signal: controller.signal,
    onProgress: progress.onProgress,
  })
    .catch((e: unknown) => {
      if (controller.signal.aborted) return undefined;
      throw e;
    })
    .finally(progress.end);
  if (!results) {
    process.stderr.write("mtq: cancelled; nothing was written\n");
    return 130;
  }
  await writeResults(results, target);
  process.stderr.write(`wrote ${target}\n`);
  process.stdout.write(json ? `${JSON.stringify(results.findings)}\n` : `${summaryText(results)}\n`);
  return 0;
}

/** A results file, or a one-line reason on stderr. */
async function resultsOrReason(file: string, command: "compare" | "export") {
  try {
    return (await readResultsFile(file)).results;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : (e as Error).message.replace(`${file} `, "");
    process.stderr.write(`mtq ${command}: ${file}: ${reason}\n`);
    return undefined;
  }
}

async function compare(fileA: string, fileB: string, json: boolean): Promise<number> {
  const [a, b] = await Promise.all([resultsOrReason(fileA, "compare"), resultsOrReason(fileB, "compare")]);
  if (!a || !b) return 2;
  const comparison = compareResults(a, b, fileA, fileB);
  process.stdout.write(json ? `${JSON.stringify(comparison)}\n` : `${comparisonText(comparison)}\n`);
  return 0;
}

/**
 * The results' tidy table (at a snapshot's `epoch` when given), with the named selections saved
 * beside them, or with `neighbours` their neighbours table, written atomically to `out` or
 * NAME.table.FORMAT (NAME.neighbours.FORMAT) beside the results. A path it cannot write is refused
 * before the results are read.
 */
async function exportTable(
  file: string,
  format: string,
  out: string | undefined,
  epoch: string | undefined,
  neighbours: boolean,
): Promise<number> {
  const refuse = (why: string) => (process.stderr.write(`mtq export: ${why}\n`), 2);
  if (!isTableFormat(format)) return refuse(`--format must be ${TABLE_FORMATS.join(" or ")}, not "${format}"\n${USAGE}`);
  if (epoch !== undefined && !/^\d+$/.test(epoch)) return refuse(`--epoch must be a whole number (a recorded epoch), not "${epoch}"`);
  const target = out ? resolve(out) : defaultTableFile(file, format, neighbours ? "neighbours" : "table");
  const unwritable = await tableFileProblem(target);
  if (unwritable) return refuse(`could not write ${target}: ${unwritable}; choose another --out`);
  const results = await resultsOrReason(file, "export");
  if (!results) return 2;
  let table;
  try {
    const options = { epoch: epoch === undefined ? undefined : Number(epoch) };
    if (neighbours) table = neighboursTable(results, options);
    else {
      const selections = await readSelections(file, results.images.count).catch((e: Error) => e);
      if (selections instanceof Error) return refuse(selections.message);
      table = tidyTable(results, { ...options, selections });
    }
  } catch (e) {
    return refuse(`${file}: ${(e as Error).message}`);
  }
  try {
    await writeTable(table, format, target);
  } catch (e) {
    return refuse(`could not write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; choose another --out`);
  }
  process.stdout.write(`wrote ${target}: ${table.rowCount.toLocaleString("en")} rows, ${table.columns.length} columns\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let args;
  try {
    args = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        json: { type: "boolean" },
        backend: { type: "string" },
        format: { type: "string" },
        epoch: { type: "string" },
        neighbours: { type: "boolean" },
      },
    });
  } catch (e) {
    process.stderr.write(`mtq: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = args;
  const backend = values.backend ?? "auto";
  if (!isBackend(backend)) {
    process.stderr.write(`mtq: --backend must be one of ${BACKENDS.join(", ")}\n`);
    return 2;
  }
  if (positionals.length === 1) {
    const file = resolve(positionals[0]);
    if (command === "validate") return validate(file);
    if (command === "export") return exportTable(file, values.format ?? "parquet", values.out, values.epoch, values.neighbours ?? false);
    if (command === "run") return run(file, values.out, values.json ?? false, backend);
  }
  if (command === "compare" && positionals.length === 2)
    return compare(resolve(positionals[0]), resolve(positionals[1]), values.json ?? false);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof ExperimentError) process.exitCode = fail(e.problems);
    else {
      process.stderr.write(`mtq: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
