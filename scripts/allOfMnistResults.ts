// The results file the benches of the results' readers measure (bench:tree, bench:parquet): the
// script's argument, or all 70,000 MNIST digits (examples/all-of-mnist.mtq.json) run once by the
// built CLI and cached under .tmp/bench/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = join(__dirname, "..");

export function allOfMnistResults(file = process.argv[2]): string {
  if (file) return resolve(file);
  const out = join(root, ".tmp", "bench", "all-of-mnist.results.json");
  if (existsSync(out)) return out;
  if (!existsSync(join(root, "dist", "cli.js"))) throw new Error(`${out} is missing: run npm run build first, to make it with the CLI`);
  mkdirSync(dirname(out), { recursive: true });
  process.stdout.write("making the 70,000-image results with the pipeline (once, a few minutes)...\n");
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "run", join(root, "examples", "all-of-mnist.mtq.json"), "--out", out], {
    stdio: "inherit",
  });
  return out;
}
