// The scripts' command-line options, as `--name value`.

/** The value after `name` on the command line, or undefined when `name` is not there. */
export function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
