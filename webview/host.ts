// The one channel to the extension host: VS Code's webview API, acquired once per page.
import type { PanelState, WebviewToHost } from "../src/shared/protocol";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

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
