// The one channel to the extension host: VS Code's webview API, acquired once per page.
import type { CompareState, WebviewState, WebviewToHost } from "../src/shared/protocol";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A results view's state, or a comparison view's (which has `compare`). */
export type PanelState = WebviewState | CompareState;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export function savedState(): PanelState | undefined {
  return api.getState();
}

export function saveState(state: PanelState): void {
  api.setState(state);
}
