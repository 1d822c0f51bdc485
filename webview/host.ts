// The one channel to the extension host: VS Code's webview API, acquired once per page.
import type { WebviewState, WebviewToHost } from "../src/shared/protocol";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): WebviewState | undefined;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export function savedState(): WebviewState | undefined {
  return api.getState();
}

export function saveState(state: WebviewState): void {
  api.setState(state);
}
