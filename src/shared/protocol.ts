// Messages between the extension host and the results webview: one discriminated union per
// direction (the model is microsoft/vscode-hexeditor's shared/protocol.ts).
import type { Comparison } from "./comparison";
import type { Results } from "./results";

/** A set of images picked in one view, shown in every other. */
export interface Selection {
  /** Indices into the results' images, ascending. */
  images: number[];
  /** What was picked, for labels ("cluster 2 of layer 1", "lasso on layer 2"). */
  label: string;
}

export type ExportFormat = "svg" | "png" | "csv";

export type HostToWebview =
  /** The results to show, and the selection to restore. `resultsFile` is kept in the webview's
   * state (WebviewState) so the panel serializer can reopen the same file after a reload. */
  | { type: "load"; results: Results; selection?: Selection; resultsFile?: string }
  /** Select images picked elsewhere (the sidebar tree). */
  | { type: "select"; selection: Selection | null }
  /** Show a comparison (MTQ: Compare Results) instead: `a` is its first results file, whose images
   * the view draws (selections are indices into them). `files` (A's and B's paths) are kept in the
   * webview's state (CompareState) so the comparison's panel serializer can reopen them after a reload. */
  | { type: "compare"; comparison: Comparison; a: Results; files: CompareState["compare"] }
  /** The panel cannot show its file or files (gone since it was opened, or unreadable): this message, in
   * its place. The webview keeps its state, so the next show or reload asks for them again. */
  | { type: "unavailable"; message: string };

export type WebviewToHost =
  /** The webview is ready to receive `load`. */
  | { type: "ready" }
  /** The user changed the selection in the view; null clears it. */
  | { type: "selectionChanged"; selection: Selection | null }
  /** Save an export: `data` is text for svg/csv and a base64 data URL for png. */
  | { type: "export"; format: ExportFormat; suggestedName: string; data: string }
  /** A message worth showing to the user (e.g. an export failed in the browser). */
  | { type: "error"; message: string }
  /** From the comparison view: select these images (indices into A's images) in A's or B's results view. */
  | { type: "showInResults"; side: "a" | "b"; selection: Selection };

/** Persisted with the webview's getState/setState and by the panel serializer. */
export interface WebviewState {
  /** The results file the panel shows. */
  resultsFile: string;
  selection: Selection | null;
  colorBy: "digit" | "cluster";
  /** With training snapshots: the epoch shown (the final one when absent). */
  epoch?: number;
}

/** The comparison view's state, persisted the same way: its panel serializer reopens the two files. */
export interface CompareState {
  /** The two results files compared, A first, as given to MTQ: Compare Results. */
  compare: { a: string; b: string };
  /** The images selected, as indices into A's images. */
  selection: Selection | null;
}
