// A source file as it was at a commit, loadable beside today's code: for a bench's `--against
// COMMIT`, which times the old code against today's in one process rather than keeping a copy of it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const root = join(__dirname, "..");

/** `file` (a path from the repository's root) at `commit`, or undefined where it did not exist. */
function sourceAt(commit: string, file: string): string | undefined {
  try {
    return execFileSync("git", ["show", `${commit}:${file}`], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/**
 * The module `file` (a path from the repository's root, e.g. "src/pipeline/distances.ts") as it
 * was at `commit`, imported: its relative imports name today's files, so what it imports must
 * still exist under the same names; but for the files `beside` (paths from the root, e.g. a
 * WebAssembly kernel's .ts and .wat) that existed at `commit`, written beside it as they were then,
 * so that what it imports of them, and what they read beside themselves, is the commit's too.
 */
export async function moduleAt<T>(commit: string, file: string, beside: string[] = []): Promise<T> {
  // Under the repository (its .cache/, ignored by git) rather than the system's temporary folder:
  // the copies' own imports of packages (wabt's, say) resolve to its node_modules.
  mkdirSync(join(root, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(root, ".cache", "at-"));
  // The files beside that existed at `commit`, by absolute path, with their source then.
  const old = new Map<string, string>();
  for (const path of beside) {
    const source = sourceAt(commit, path);
    if (source !== undefined) old.set(join(root, path), source);
  }
  const write = (path: string, source: string, name: string) => {
    const rewritten = source.replace(/(from\s+")(\.{1,2}\/[^"]+)(")/g, (_, a: string, imported: string, b: string) => {
      const today = resolve(dirname(path), imported);
      return a + (old.has(`${today}.ts`) ? `./${basename(today)}` : today) + b;
    });
    writeFileSync(join(dir, name), rewritten);
  };
  for (const [path, source] of old) write(path, source, basename(path));
  const source = sourceAt(commit, file);
  if (source === undefined) throw new Error(`${file} does not exist at ${commit}`);
  const copy = `${commit.slice(0, 12)}-${basename(file)}`;
  write(join(root, file), source, copy);
  return (await import(join(dir, copy))) as T;
}
