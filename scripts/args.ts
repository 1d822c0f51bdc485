// The scripts' command lines, read by Node's own parseArgs (strict: an unknown option or a missing
// value is refused), so a mistyped option ends the script with what is wrong and its usage line
// rather than being ignored or ending in a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Ends the script with `problem` and its usage line (exit code 2, as a command-line misuse). */
export function usageError(problem: string, usage: string): never {
  console.error(`${problem}\nusage: ${usage}`);
  process.exit(2);
}

/** The command line parsed by `config` (strict, parseArgs's default); a wrong one ends the script through usageError. */
export function commandLine<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e), usage);
  }
}

/** The option's value as a whole number of at least `min`, `fallback` when absent; else the script ends through usageError. */
export function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, usage: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min ? n : usageError(`${name} must be a whole number of at least ${min}, not "${value}"`, usage);
}
