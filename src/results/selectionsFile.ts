// The named-selections file beside a results file (`X.results.json` -> `X.selections.json`): found,
// read and checked against its results, and written atomically. The view and the tree save and
// restore through this; `mtq export` reads it for the table's `selections` column.
import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { z } from "zod";
import { writeFileAtomic } from "./atomicWrite";
import { selectionsFileFor } from "./path";
import { SELECTIONS_FILE_VERSION, selectionsFileSchema, type NamedSelection, type SelectionsFile } from "../shared/selections";

/**
 * A selections file's largest size: every image of all of MNIST (70,000) in a selection is about
 * 420 kB, so this holds some 150 such selections; past it the file is not one the view wrote.
 */
export const SELECTIONS_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** "selections[2].images[5]": a zod issue's path as a reader finds it in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}

function issueText(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const where = field ? ` in "${field}"` : "";
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${where}`;
  }
  return field ? `"${field}": ${issue.message}` : issue.message;
}

/**
 * Why `value` is not a selections file of the results file named `resultsName` with `imageCount`
 * images, or undefined when it is one: the schema's first issue, a name used twice, images not
 * ascending or past the last image, or the file naming other results.
 */
function problem(value: unknown, resultsName: string, imageCount: number): string | undefined {
  const parsed = selectionsFileSchema.safeParse(value);
  if (!parsed.success) return issueText(parsed.error.issues[0]);
  const file = parsed.data;
  if (file.results !== resultsName) {
    return `"results" names ${JSON.stringify(file.results)}, not ${JSON.stringify(resultsName)}: these selections belong to other results`;
  }
  const seen = new Map<string, number>();
  for (const [i, selection] of file.selections.entries()) {
    const earlier = seen.get(selection.name);
    if (earlier !== undefined) {
      return `"selections[${i}].name" ${JSON.stringify(selection.name)} is also selections[${earlier}]'s name; names are unique in a file`;
    }
    seen.set(selection.name, i);
    for (const [j, image] of selection.images.entries()) {
      if (image >= imageCount) {
        return `"selections[${i}].images[${j}]" is ${image}, past the results' last image (${imageCount - 1}): the results were run again since`;
      }
      if (j > 0 && image <= selection.images[j - 1]) {
        return `"selections[${i}].images[${j}]" is ${image}, after ${selection.images[j - 1]}: images are listed ascending, each once`;
      }
    }
  }
  return undefined;
}

/**
 * The named selections saved beside `resultsFile` (whose results hold `imageCount` images), in the
 * file's order; none when there is no selections file. A file that is not JSON, not of this
 * version, names other results or images they do not have is refused with an Error naming the
 * file, the field and the fix, never half-read.
 */
export async function readSelections(resultsFile: string, imageCount: number): Promise<NamedSelection[]> {
  const file = selectionsFileFor(resultsFile);
  const refuse = (why: string): never => {
    throw new Error(`${file}: ${why}; correct it, or delete the file to start with no named selections`);
  };
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  if (size > SELECTIONS_FILE_MAX_BYTES) {
    const bytes = (n: number) => `${n.toLocaleString("en")} bytes`;
    refuse(
      `it is ${bytes(size)}, more than the ${bytes(SELECTIONS_FILE_MAX_BYTES)} (${SELECTIONS_FILE_MAX_BYTES / 1024 / 1024} MB) a selections file can be`,
    );
  }
  const text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    refuse(`it is not JSON (${(e as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    refuse(`it is not a JSON object of named selections ({ "version": ${SELECTIONS_FILE_VERSION}, "results": ..., "selections": [...] })`);
  }
  const { version } = value as { version?: unknown };
  if (version !== SELECTIONS_FILE_VERSION) {
    refuse(`"version" is ${JSON.stringify(version) ?? "missing"}; this MTQ reads version ${SELECTIONS_FILE_VERSION}`);
  }
  const why = problem(value, basename(resultsFile), imageCount);
  if (why) refuse(why);
  return (value as SelectionsFile).selections;
}

/** The file's JSON with a selection a line: a diff or a reader sees which one changed. */
function fileText(content: SelectionsFile): string {
  const lines = content.selections.map((s) => JSON.stringify(s)).join(",\n  ");
  const head = `{"version": ${content.version}, "results": ${JSON.stringify(content.results)}, "selections": [`;
  return content.selections.length === 0 ? `${head}]}\n` : `${head}\n  ${lines}\n]}\n`;
}

/**
 * Writes `selections` to the selections file beside `resultsFile` and returns its path, whole or not
 * at all (atomicWrite.ts): a reader never sees half a file and a failed write keeps the old one. The
 * results file is never touched. Selections its reader would refuse are refused here, first.
 */
export async function writeSelections(resultsFile: string, selections: NamedSelection[], imageCount: number): Promise<string> {
  const file = selectionsFileFor(resultsFile);
  const content: SelectionsFile = { version: SELECTIONS_FILE_VERSION, results: basename(resultsFile), selections };
  const why = problem(content, content.results, imageCount);
  if (why) throw new Error(`${file} was not written: ${why}`);
  await writeFileAtomic(file, fileText(content));
  return file;
}
