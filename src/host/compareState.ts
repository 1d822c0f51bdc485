// What the comparison view keeps across a window reload, read without VS Code: the two results
// files named in its webview state (CompareState), its title, and the message shown in its place
// when a file is gone since.
import type { CompareState } from "../shared/protocol";
import { missingFilesMessage, resultsName } from "./unavailable";

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

/** The panel's title: "MTQ: A vs B" by the files' names. */
export function compareTitle(files: ComparedFiles): string {
  return `MTQ: ${resultsName(files.a)} vs ${resultsName(files.b)}`;
}

/**
 * When a compared file is gone (deleted, moved, or its folder renamed since the comparison was
 * opened): what to tell the user, naming each missing file and the fix; undefined when both exist.
 */
export function missingComparedMessage(files: ComparedFiles, exists: (file: string) => boolean): string | undefined {
  const action = `reopen the comparison of ${resultsName(files.a)} with ${resultsName(files.b)}`;
  return missingFilesMessage(action, [files.a, files.b], exists, ", then compare them again with MTQ: Compare Results");
}
