// What the checks learnt of each data file, kept until the file changes (its size or mtime): the
// editor checks on every save, and reading a large file's header and labels again each time
// would cost as much as the first.
import { stat } from "node:fs/promises";
import { DataFileError } from "../data/dataFileError";
import { directReaders, type FactReaders } from "../data/source";

const remembered = new Map<string, { version: string; answer: Promise<unknown> }>();

/** `read(file)`, answered from memory while the file keeps its size and mtime; a failure that is the file's own (a DataFileError) is remembered too. */
async function cached<T>(kind: string, file: string, read: (file: string) => Promise<T>): Promise<T> {
  let version: string;
  try {
    const s = await stat(file);
    version = `${s.size}:${s.mtimeMs}`;
  } catch {
    // Missing or unreadable: the reader says so in its own words.
    return read(file);
  }
  const id = `${kind}:${file}`;
  const known = remembered.get(id);
  if (known?.version === version) return known.answer as Promise<T>;
  const answer = read(file);
  remembered.set(id, { version, answer });
  answer.catch((e: unknown) => {
    if (!(e instanceof DataFileError) && remembered.get(id)?.answer === answer) remembered.delete(id);
  });
  return answer;
}

export const cachedReaders: FactReaders = {
  idxDims: (file) => cached("idxDims", file, directReaders.idxDims),
  idxLabels: (file) => cached("idxLabels", file, directReaders.idxLabels),
  csvFacts: (file) => cached("csvFacts", file, directReaders.csvFacts),
  imageHeader: (file) => cached("imageHeader", file, directReaders.imageHeader),
};
