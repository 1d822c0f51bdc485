// The `mtq.*` settings (declared in package.json's contributes.configuration).
import * as vscode from "vscode";
import type { Backend, MtqSettings } from "./runOptions";

/** The settings that apply to `resource` (folder settings win over user settings). */
export function settingsFor(resource: vscode.Uri): MtqSettings {
  const config = vscode.workspace.getConfiguration("mtq", resource);
  const seed = config.get<number | null>("defaultSeed", null);
  return {
    resultsFolder: config.get<string>("resultsFolder", ""),
    backend: config.get<Backend>("backend", "auto"),
    defaultSeed: typeof seed === "number" && Number.isInteger(seed) ? seed : null,
  };
}
