// What the comparison view keeps across a window reload, read without VS Code: the two results
// files named in its webview state (CompareState), its title, and the message shown in its place
// when a file is gone since.
import { basename } from "node:path";
import type { CompareState } from "../shared/protocol";

/** The two results files a comparison shows, A first. */
export type ComparedFiles = CompareState["compare"];

/**
 * The files a restored panel's saved state names, or undefined when the state is not a
 * comparison's (none saved: the panel never received its comparison; or from another version).
 */
export function comparedFilesOf(state: unknown): ComparedFiles | undefined {
  if (typeof state !== "object" || state === null || !("compare" in state)) return undefined;
  const files = state.compare;
  if (typeof files !== "object" || files === null || !("a" in files) || !("b" in files)) return undefined;
  const { a, b } = files;
  return typeof a === "string" && typeof b === "string" && a !== "" && b !== "" ? { a, b } : undefined;
}

const shortName = (file: string) => basename(file).replace(/\.results\.json$/, "");

/** The panel's title: "MTQ: A vs B" by the files' names. */
export function compareTitle(files: ComparedFiles): string {
  return `MTQ: ${shortName(files.a)} vs ${shortName(files.b)}`;
}

/**
 * When a compared file is gone (deleted, moved, or its folder renamed since the comparison was
 * opened): what to tell the user, naming each missing file and the fix; undefined when both exist.
 */
export function missingFilesMessage(files: ComparedFiles, exists: (file: string) => boolean): string | undefined {
  const missing = [...new Set([files.a, files.b])].filter((f) => !exists(f));
  if (missing.length === 0) return undefined;
  const gone = missing.length === 1 ? `${missing[0]} is gone` : `${missing.join(" and ")} are gone`;
  const experiments = missing.map(shortName).join(" and ");
  const fix =
    missing.length === 1
      ? `Run its experiment (${experiments}) again with MTQ: Train and Analyze, or put the file back`
      : `Run their experiments (${experiments}) again with MTQ: Train and Analyze, or put the files back`;
  return `MTQ cannot reopen the comparison of ${shortName(files.a)} with ${shortName(files.b)}: ${gone} (deleted or moved since it was opened). ${fix}, then compare them again with MTQ: Compare Results.`;
}
