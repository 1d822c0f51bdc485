// A source file as it was at a commit, loadable beside today's code: for a bench's `--against
// COMMIT`, which times the old code against today's in one process rather than keeping a copy of it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

const root = join(__dirname, "..");

/**
 * The module `file` (a path from the repository's root, e.g. "src/pipeline/distances.ts") as it
 * was at `commit`, imported: its relative imports name today's files, so what it imports must
 * still exist under the same names.
 */
export async function moduleAt<T>(commit: string, file: string): Promise<T> {
  const source = execFileSync("git", ["show", `${commit}:${file}`], { cwd: root, encoding: "utf8" });
  const from = dirname(join(root, file));
  const rewritten = source.replace(
    /(from\s+")(\.{1,2}\/[^"]+)(")/g,
    (_, a: string, path: string, b: string) => a + resolve(from, path) + b,
  );
  const copy = join(mkdtempSync(join(tmpdir(), "mtq-at-")), `${commit.slice(0, 12)}-${basename(file)}`);
  writeFileSync(copy, rewritten);
  return (await import(copy)) as T;
}
