// The "MTQ" output channel, and errors shown as a notification whose "Show Log" opens it.
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

export function createLog(): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel("MTQ", { log: true });
  return channel;
}

export function log(): vscode.LogOutputChannel {
  if (!channel) throw new Error("the MTQ log is used before activation");
  return channel;
}

/** Logs `message` with its details (an error's stack, a worker's) and shows it with "Show Log". */
export async function showError(message: string, detail?: unknown): Promise<void> {
  const more = detail instanceof Error ? (detail.stack ?? detail.message) : detail;
  log().error(more === undefined ? message : `${message}\n${String(more)}`);
  const choice = await vscode.window.showErrorMessage(message, "Show Log");
  if (choice === "Show Log") log().show();
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
