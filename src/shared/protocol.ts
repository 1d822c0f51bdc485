// Messages between the extension host and the webview (the model is microsoft/vscode-hexeditor's
// shared/protocol.ts): one discriminated union per view and direction, each handled by one
// exhaustive switch, so a message a view does not handle is a type error rather than dropped. The
// one webview bundle shows either a results view or a comparison view; the host keeps one panel
// class per view, each speaking only its own messages.
import type { Comparison } from "./comparison";
import type { Results } from "./results";
import type { NamedSelection } from "./selections";

/** A set of images picked in one view, shown in every other. */
export interface Selection {
  /** Indices into the results' images, ascending. */
  images: number[];
  /** What was picked, for labels ("cluster 2 of layer 1", "lasso on layer 2"). */
  label: string;
}

/**
 * A selection as a bitset: its label, and its images as base64 of the bitset's little-endian 32-bit
 * words (bit i: image i; selectionBits.ts's wordsToBase64). A million images' in 167 kB of text,
 * whatever is selected: listed, half of them are about 3.5 MB of JSON.
 */
export interface SelectionBits {
  label: string;
  bits: string;
}

/**
 * A selection as a message carries it, either way: listed, or as a bitset when that is shorter (a few
 * images of many are shorter listed): selectionBits.ts's postedSelection decides, for both sides.
 * The host reads one with src/host/postedSelection.ts's selectionOf, the view with its Bitset; a
 * bitset of another length than the results' image count is refused.
 */
export type PostedSelection = Selection | SelectionBits;

/** The view's picture exports; its table goes through `exportTable` (the host writes CSV or Parquet). */
export type ExportFormat = "svg" | "png";

/** The named selections saved beside a results file (NAME.selections.json), as the view and the tree list them. */
export interface SavedSelections {
  selections: NamedSelection[];
  /** Why the selections file cannot be read (its name, what is wrong, the fix); `selections` is then empty. */
  problem?: string;
}

/** The panel cannot show its file or files (gone since it was opened, or unreadable): this message, in
 * its place. The webview keeps its state, so the next show or reload asks for them again. */
interface Unavailable {
  type: "unavailable";
  message: string;
}

/**
 * A results file as posted to a webview: its JSON header (no per-image list in it) and the `.bin`'s
 * bytes up to the pixels, which the webview views as typed arrays (withColumns, src/shared/columns.ts).
 * VS Code hands an ArrayBuffer to the webview as bytes, not as JSON. The pixels come on demand (`pixels`).
 */
export interface ResultsColumns {
  header: Results;
  columns: ArrayBuffer;
}

/** Asks the host for these images' pixels (a thumbnail grid or tooltip about to show them). */
interface PixelsRequest {
  type: "pixels";
  images: number[];
}

/** The pixels of `images`, one image's rows*cols*channels bytes after another; only the asked images that are in the file. */
interface PixelsReply {
  type: "pixels";
  images: number[];
  pixels: Uint8Array;
}

/** Asks the host for one image's nearest neighbours in each layer's own space, as the run stored them, at `epoch` (the final model when absent). */
interface NeighboursRequest {
  type: "neighbours";
  image: number;
  epoch?: number;
}

/** One layer's stored neighbours of an image: nearest first, with their Euclidean distances in the layer. */
export interface LayerNeighbours {
  images: number[];
  distances: number[];
}

/**
 * The host's answer to a `neighbours` request: per layer of the state asked (the request's `image`
 * and `epoch` echoed), that image's stored neighbours, or null for a layer whose file stores none
 * (written before they were, or an image outside the file: then every layer's is null).
 */
interface NeighboursReply {
  type: "neighbours";
  image: number;
  epoch?: number;
  layers: (LayerNeighbours | null)[];
}

/** The most images one `pixels` request gets: a grid shows a few hundred; a hostile request does not make the host copy them all. */
export const MAX_PIXELS_REQUEST = 2000;

/** The webview's page has loaded: send what it shows. */
interface Ready {
  type: "ready";
}

/** A message worth showing to the user (e.g. an export failed in the browser). */
interface ErrorMessage {
  type: "error";
  message: string;
}

/** To a results view. */
export type ToResultsView =
  /** The results to show, the selection to restore and the named selections saved beside them.
   * `resultsFile` is kept in the webview's state (WebviewState) so the panel serializer can reopen
   * the same file after a reload. */
  | ({ type: "load"; selection?: PostedSelection; resultsFile?: string; saved: SavedSelections } & ResultsColumns)
  /** Select images picked elsewhere (the sidebar tree, a comparison's Show in A/B); null clears. */
  | { type: "select"; selection: PostedSelection | null }
  /** The named selections changed (saved, deleted, or their file edited, deleted or broken on disk). */
  | { type: "saved"; saved: SavedSelections }
  /** Put the keyboard in the search box (MTQ: Find Images). */
  | { type: "focusSearch" }
  | PixelsReply
  | NeighboursReply
  | Unavailable;

/** From a results view. */
export type FromResultsView =
  | Ready
  /** The user changed the selection in the view; null clears it. */
  | { type: "selectionChanged"; selection: PostedSelection | null }
  /** Save an export: `data` is text for svg and a base64 data URL for png. */
  | { type: "export"; format: ExportFormat; suggestedName: string; data: string }
  /** Save the tidy table (the host asks CSV or Parquet, and the selection or every image when `selection` is set),
   * at `epoch` (the training snapshot the view shows; the final model when absent). */
  | { type: "exportTable"; selection: PostedSelection | null; epoch?: number }
  /** Save `selection` under a name the host asks for (replacing one of that name once the user agrees). */
  | { type: "saveSelection"; selection: PostedSelection }
  /** Delete the named selection `name`, once the user confirms. */
  | { type: "deleteSelection"; name: string }
  | PixelsRequest
  | NeighboursRequest
  | ErrorMessage;

/** To a comparison view (MTQ: Compare Results). */
export type ToCompareView =
  /** The comparison: `a` is its first results file (header and columns), whose images the view draws (selections are
   * indices into them). `files` (A's and B's paths) are kept in the webview's state (CompareState)
   * so the comparison's panel serializer can reopen them after a reload. */
  { type: "compare"; comparison: Comparison; a: ResultsColumns; files: CompareState["compare"] } | PixelsReply | Unavailable;

/** From a comparison view. */
export type FromCompareView =
  | Ready
  /** Select these images (indices into A's images) in A's or B's results view. */
  | { type: "showInResults"; side: "a" | "b"; selection: PostedSelection }
  | PixelsRequest
  | ErrorMessage;

/** What the webview bundle receives: it becomes whichever view the first message makes it. */
export type HostToWebview = ToResultsView | ToCompareView;

/** What the webview bundle sends, from either view. */
export type WebviewToHost = FromResultsView | FromCompareView;

/** A results view's state, persisted with the webview's getState/setState and by the panel serializer. */
export interface WebviewState {
  /** The results file the panel shows. */
  resultsFile: string;
  /** The selection, listed; or null with it in `selectionBits`. */
  selection: Selection | null;
  /** A selection shorter kept as a bitset than listed (webview/main.ts). */
  selectionBits?: SelectionBits;
  /** The points' colouring: by digit (or class), cluster, or the neighbours each keeps on the map drawn. */
  colorBy: "digit" | "cluster" | "kept";
  /** With training snapshots: the epoch shown (the final one when absent). */
  epoch?: number;
  /** The search box's query (none when absent). */
  search?: string;
  /** Which map each layer is drawn on (UMAP when absent, or when the results have no PCA maps). */
  mapKind?: MapKind;
}

/** A layer's map: its UMAP projection, or its first two principal components. */
export type MapKind = "umap" | "pca";

/** The comparison view's state, persisted the same way: its panel serializer reopens the two files. */
export interface CompareState {
  /** The two results files compared, A first, as given to MTQ: Compare Results. */
  compare: { a: string; b: string };
  /** The images selected, as indices into A's images. */
  selection: Selection | null;
}

/** What a panel's webview saves: a results view's state, or a comparison view's (which has `compare`). */
export type PanelState = WebviewState | CompareState;

/**
 * The default of an exhaustive switch over messages: a type error when a case is missing; at run
 * time (a webview or host of another version) the message is refused with its type.
 */
export function unhandledMessage(message: never): never {
  throw new Error(`unexpected message ${JSON.stringify((message as { type?: unknown } | null)?.type)}`);
}
