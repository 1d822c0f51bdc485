// A file written whole or not at all: a reader (VS Code, pandas, Jupyter) never sees half of it, and
// a failed write leaves the file as it was.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Writes `data` to `file` through a temp file beside it renamed over it; the temp file is removed if anything fails. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // Two writers of one process may overlap: each has its own temp file.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
