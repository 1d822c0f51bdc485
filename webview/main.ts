// Entry point of the results webview: says `ready`, then shows what the host sends (one results
// file, or a comparison of two). State (results file, selection, colouring, map kind, epoch; or the two
// compared files and the selection) is kept with setState so hide/show and reload restore a view;
// the named selections are the host's, sent with every `load` and again when their file changes.
import {
  unhandledMessage,
  type CompareState,
  type HostToWebview,
  type PostedSelection,
  type SavedSelections,
  type WebviewState,
} from "../src/shared/protocol";
import { pixelBytes, withColumns } from "../src/shared/columns";
import type { Results } from "../src/shared/results";
import type { Selection } from "../src/shared/protocol";
import { postedSelection } from "../src/shared/selectionBits";
import { Bitset } from "./bitset";
import { post, savedState, saveState } from "./host";
import { CompareView } from "./compare";
import { el } from "./dom";
import { epochStops, stateAt } from "./epochs";
import { NeighbourStore } from "./neighbours";
import { PixelStore } from "./pixels";
import "./theme.css";
import { ResultsView, type LabelledBits } from "./view";

const root = document.getElementById("mtq-root") ?? document.body.appendChild(document.createElement("div"));
const saved = savedState();
let state: WebviewState = saved && !("compare" in saved) ? saved : { resultsFile: "", selection: null, colorBy: "digit" };
/** In a comparison view, its state instead (saved in place of `state`). */
let compared: CompareState | null = saved && "compare" in saved ? saved : null;
let view: ResultsView | CompareView | null = null;

function update(patch: Partial<WebviewState>): void {
  state = { ...state, ...patch };
  saveState(state);
}

/**
 * The selection shown, as the view last said it; `keptBits`, the bitset whose encoding the state
 * holds: a view rebuilt (another epoch, Play, the same file again) restores the one and does not
 * encode it again, where the state's base64 was decoded, listed, made a bitset and encoded anew.
 */
let shown: LabelledBits | null = null;
let keptBits: Bitset | null = null;

/** The loaded results with every snapshot; the view shows them at `state.epoch`. */
let loaded: Results | null = null;
/** The shown results' pixels (the results view's or the comparison's A), as far as asked of the host. */
let pixels: PixelStore | null = null;
const askPixels = (images: number[]) => post({ type: "pixels", images });
/** The shown results' neighbours, as far as asked of the host (an image selected alone lists its own). */
let neighbours: NeighbourStore | null = null;
/** The named selections saved beside them, as the host last sent them. */
let named: SavedSelections = { selections: [] };
/** While Play replays the epochs: its timer. */
let player: number | undefined;
const PLAY_STEP_MS = 1200;

function load(message: Extract<HostToWebview, { type: "load" }>): void {
  const start = performance.now();
  const resultsFile = message.resultsFile ?? state.resultsFile;
  const sameFile = resultsFile === state.resultsFile;
  const count = message.header.images.count;
  // The host's selection; else, for the same file, the one shown (or, after a reload, the state's).
  let selection: LabelledBits | null = null;
  if (message.selection) selection = selectionIn(message.selection, count);
  else if (sameFile) selection = shown && shown.bits.size === count ? shown : selectionIn(state.selection ?? state.selectionBits, count);
  keptBits = selection && !message.selection ? selection.bits : null;
  shown = selection;
  const results = withColumns(message.header, message.columns);
  const stops = epochStops(results);
  const epoch = sameFile && state.epoch !== undefined && stops.includes(state.epoch) ? state.epoch : stops.at(-1);
  stopPlaying();
  // Another file, or this one written again: nothing carries over from the view shown.
  dropView();
  loaded = results;
  pixels = new PixelStore(pixelBytes(results.images), askPixels);
  neighbours = new NeighbourStore((image, epoch) => post({ type: "neighbours", image, ...(epoch !== undefined && { epoch }) }));
  named = message.saved;
  // A selection is kept by the view's first onSelection (none: none now, whatever the view does).
  update({
    resultsFile,
    epoch,
    search: sameFile ? state.search : undefined,
    ...(!selection && { selection: null, selectionBits: undefined }),
  });
  render();
  // Read by the benchmark: building and drawing every view for one results file (the last only, kept).
  performance.clearMeasures("mtq-render");
  performance.measure("mtq-render", { start });
}

/** (Re)builds the view at the current epoch, keeping the selection and the colouring (and, from another epoch, the tool and zooms). */
function render(): void {
  if (!loaded) return;
  const carried = view instanceof ResultsView ? view.carried() : undefined;
  const stops = epochStops(loaded);
  const epoch = state.epoch;
  dropView();
  view = new ResultsView(root, loaded, stateAt(loaded, epoch), {
    colorBy: state.colorBy,
    selection: shown,
    saved: named,
    onSelection: (next, byUser, bits) => {
      shown = next ? { bits, label: next.label } : null;
      // As the state keeps it, so the host too: a lasso of half a million images as 167 kB of base64, not about 3.5 MB of JSON.
      const kept = bits !== keptBits || byUser ? keptSelection(next, bits) : null;
      if (kept && bits !== keptBits) update(kept);
      keptBits = bits;
      if (kept && byUser) post({ type: "selectionChanged", selection: kept.selection ?? kept.selectionBits ?? null });
    },
    onColorBy: (colorBy) => update({ colorBy }),
    mapKind: state.mapKind ?? "umap",
    onMapKind: (mapKind) => update({ mapKind }),
    search: state.search ?? "",
    onSearch: (search) => update({ search }),
    epochs: epoch === undefined ? undefined : { stops, current: epoch, show: showEpoch, playing: player !== undefined, togglePlay },
    carried,
    pixels: pixels!,
    neighbours: neighbours!,
  });
}

/**
 * A selection as the state keeps it and the host is posted it: as a list or as a bitset, whichever
 * is shorter (src/shared/selectionBits.ts). VS Code writes the state and the message as JSON at every
 * change: a lasso of 514,487 of a million images was about 3.5 MB of it as a list (more than the
 * harness's sessionStorage takes), 167 kB as a bitset, whatever is selected.
 */
function keptSelection(selection: Selection | null, bits: Bitset): Pick<WebviewState, "selection" | "selectionBits"> {
  const posted = selection && postedSelection(selection, bits.size, bits.words);
  return posted && "bits" in posted ? { selection: null, selectionBits: posted } : { selection: posted, selectionBits: undefined };
}

/**
 * The selection `kept` (the state's, or the host's) holds, for results of `count` images: none when
 * it is not one of theirs (a bitset of another length or not base64, a list of other things; a list's
 * images past the count are left out).
 */
function selectionIn(kept: PostedSelection | null | undefined, count: number): LabelledBits | null {
  if (!kept || typeof kept !== "object" || typeof kept.label !== "string") return null;
  if (!("bits" in kept)) return Array.isArray(kept.images) ? { bits: Bitset.of(count, kept.images), label: kept.label } : null;
  const bits = Bitset.fromBase64(count, kept.bits);
  return bits && bits.count > 0 ? { bits, label: kept.label } : null;
}

/** The host's `select`: a selection it cannot be (another file's bitset, not base64) is ignored, the one shown kept. */
function selectFromHost(selection: PostedSelection | null): void {
  if (!view) return;
  if (selection === null) return view.selection.set(null, false);
  const picked = selectionIn(selection, view.selection.imageCount);
  if (picked) view.selection.restore(picked.bits, picked.label);
}

/** A comparison: the selection carries over when the same two files come again (hide/show, reload). */
function compare(message: Extract<HostToWebview, { type: "compare" }>): void {
  stopPlaying();
  loaded = null;
  dropView();
  const { files } = message;
  const kept = compared && compared.compare.a === files.a && compared.compare.b === files.b ? compared.selection : null;
  const a = withColumns(message.a.header, message.a.columns);
  pixels = new PixelStore(pixelBytes(a.images), askPixels);
  const shown = new CompareView(root, message.comparison, a, pixels, kept);
  view = shown;
  const save = () => {
    compared = { compare: files, selection: shown.selection.current };
    saveState(compared);
  };
  shown.selection.onChange(save);
  save();
}

/** The panel's file cannot be shown (gone since, or unreadable): why, in its place; the state stays for the next reload. */
function unavailable(message: string): void {
  stopPlaying();
  loaded = null;
  dropView();
  root.replaceChildren(el("p", "mtq-note mtq-unavailable", message));
}

/** The view shown goes: its WebGL layers are freed at once (browsers keep only a few contexts alive). */
function dropView(): void {
  if (view instanceof ResultsView) view.dispose();
  view = null;
}

function showEpoch(epoch: number): void {
  // The slider is rebuilt with the view: keep the keyboard on it.
  const onSlider = document.activeElement?.classList.contains("mtq-epoch-slider") ?? false;
  update({ epoch });
  render();
  if (onSlider) root.querySelector<HTMLInputElement>(".mtq-epoch-slider")?.focus();
}

function stopPlaying(): void {
  window.clearInterval(player);
  player = undefined;
}

/** Play steps through the recorded epochs (from the first when at the last), then stops. */
function togglePlay(): void {
  if (!loaded) return;
  const stops = epochStops(loaded);
  if (player !== undefined) {
    stopPlaying();
    return render();
  }
  const step = () => {
    const next = stops[stops.indexOf(state.epoch ?? stops[0]) + 1];
    if (next === undefined) stopPlaying();
    showEpoch(next ?? stops[stops.length - 1]);
  };
  player = window.setInterval(step, PLAY_STEP_MS);
  if (state.epoch === stops[stops.length - 1]) showEpoch(stops[0]);
  else render();
}

window.addEventListener("message", (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case "load":
        load(message);
        break;
      case "select":
        selectFromHost(message.selection);
        break;
      case "saved":
        named = message.saved;
        if (view instanceof ResultsView) view.showSaved(named);
        break;
      case "focusSearch":
        if (view instanceof ResultsView) view.focusSearch();
        break;
      case "compare":
        compare(message);
        break;
      case "pixels":
        pixels?.receive(message.images, message.pixels);
        break;
      case "neighbours":
        neighbours?.receive(message.image, message.epoch, message.layers);
        break;
      case "unavailable":
        unavailable(message.message);
        break;
      default:
        unhandledMessage(message);
    }
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    root.textContent = `The results view failed: ${text}`;
    post({ type: "error", message: `The results view failed: ${text}` });
  }
});

window.addEventListener("keydown", (e) => {
  if (e.key === "Escape") view?.escape();
  // Ctrl+F (Cmd+F) finds images, as it finds text in an editor: at once here, and through MTQ: Find Images in VS Code.
  if (e.key.toLowerCase() === "f" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && view instanceof ResultsView) {
    e.preventDefault();
    view.focusSearch();
  }
});

// VS Code switches the theme by changing the body's classes; canvases must be redrawn then.
new MutationObserver(() => view?.redraw()).observe(document.body, { attributes: true, attributeFilter: ["class"] });

post({ type: "ready" });
