// What a view says in its place when it cannot read its results files, read without VS Code: a
// file gone since the view was opened (deleted, moved, its folder renamed) is named with the fix,
// in the results view as in the comparison view.
import { basename } from "node:path";

/** A results file as the views name it: its experiment ("seed-7" for .../seed-7.results.json). */
export function resultsName(file: string): string {
  return basename(file).replace(/\.results\.json$/, "");
}

/**
 * When any of `files` is gone: "MTQ cannot `action`: ", each missing file (once), the fix, then
 * `afterFix`; undefined when all exist.
 */
export function missingFilesMessage(
  action: string,
  files: readonly string[],
  exists: (file: string) => boolean,
  afterFix = "",
): string | undefined {
  const missing = [...new Set(files)].filter((f) => !exists(f));
  if (missing.length === 0) return undefined;
  const gone = missing.length === 1 ? `${missing[0]} is gone` : `${missing.join(" and ")} are gone`;
  const experiments = missing.map(resultsName).join(" and ");
  const fix =
    missing.length === 1
      ? `Run its experiment (${experiments}) again with MTQ: Train and Analyze, or put the file back`
      : `Run their experiments (${experiments}) again with MTQ: Train and Analyze, or put the files back`;
  return `MTQ cannot ${action}: ${gone} (deleted or moved since it was opened). ${fix}${afterFix}.`;
}

/**
 * Why a results view cannot show `file`, whose read failed with `reason`: a file gone is named with
 * the fix; any other error (another version's file, invalid JSON) keeps its own message.
 */
export function resultsUnavailableMessage(file: string, reason: string, exists: (file: string) => boolean): string {
  return missingFilesMessage(`show the results of ${resultsName(file)}`, [file], exists) ?? `Cannot show ${file}: ${reason}`;
}
