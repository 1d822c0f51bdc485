// A data file's error as a Problem of the experiment that names the file: the checks and the
// pipeline (a run that meets a broken image) word it the same way.
import type { SourceFileError } from "../data/source";
import type { Problem } from "../shared/problems";

export function sourceProblem(file: string, e: SourceFileError): Problem {
  return { file: e.cause.file, path: e.path, message: e.cause.message, fix: `${e.cause.fix} (named by ${file})` };
}
