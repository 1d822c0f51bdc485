// Entry point of the results webview: says `ready`, then shows what the host sends (one results
// file, or a comparison of two). State (results file, selection, colouring) is kept with setState
// so hide/show and reload restore a results view.
import type { HostToWebview, WebviewState } from "../src/shared/protocol";
import { post, savedState, saveState } from "./host";
import { CompareView } from "./compare";
import "./theme.css";
import { ResultsView } from "./view";

const root = document.getElementById("mtq-root") ?? document.body.appendChild(document.createElement("div"));
let state: WebviewState = savedState() ?? { resultsFile: "", selection: null, colorBy: "digit" };
let view: ResultsView | CompareView | null = null;

function update(patch: Partial<WebviewState>): void {
  state = { ...state, ...patch };
  saveState(state);
}

function load(message: Extract<HostToWebview, { type: "load" }>): void {
  const start = performance.now();
  const resultsFile = message.resultsFile ?? state.resultsFile;
  const sameFile = resultsFile === state.resultsFile;
  const selection = message.selection ?? (sameFile ? state.selection : null);
  update({ resultsFile, selection });
  view = new ResultsView(root, message.results, {
    colorBy: state.colorBy,
    selection,
    onSelection: (next, byUser) => {
      update({ selection: next });
      if (byUser) post({ type: "selectionChanged", selection: next });
    },
    onColorBy: (colorBy) => update({ colorBy }),
  });
  // Read by the benchmark: building and drawing every view for one results file.
  performance.measure("mtq-render", { start });
}

window.addEventListener("message", (event: MessageEvent<HostToWebview>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case "load":
        load(message);
        break;
      case "select":
        view?.selection.set(message.selection, false);
        break;
      case "compare":
        view = new CompareView(root, message.comparison, message.a);
        break;
    }
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    root.textContent = `The results view failed: ${text}`;
    post({ type: "error", message: `The results view failed: ${text}` });
  }
});

window.addEventListener("keydown", (e) => {
  if (e.key === "Escape") view?.escape();
});

// VS Code switches the theme by changing the body's classes; canvases must be redrawn then.
new MutationObserver(() => view?.redraw()).observe(document.body, { attributes: true, attributeFilter: ["class"] });

post({ type: "ready" });
