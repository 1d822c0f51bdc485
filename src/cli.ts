// `mtq`: validate and run experiments from a terminal. Bad input prints the problems on stderr and
// exits 2, never a stack trace.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ExperimentError, formatProblem, type Problem } from "./shared/problems";
import { checkExperimentData } from "./pipeline/data/prepare";
import { readExperimentFile } from "./pipeline/validate";

const USAGE = `usage:
  mtq validate FILE                      check an experiment file (exit 0 valid, 2 invalid)`;

function fail(problems: Problem[]): number {
  for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  return 2;
}

function validate(file: string): number {
  const parsed = readExperimentFile(file);
  if (!parsed.experiment) return fail(parsed.problems);
  const problems = checkExperimentData(parsed.experiment, file);
  if (problems.length > 0) return fail(problems);
  process.stdout.write(`${file}: valid\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
  if (command === "validate" && positionals.length === 1) return validate(resolve(positionals[0]));
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
