// The `mtq.*` settings (declared in package.json's contributes.configuration).
import * as vscode from "vscode";
import { isBackend } from "../shared/backends";
import type { MtqSettings } from "./runOptions";

/** The settings that apply to `resource` (folder settings win over user settings). */
export function settingsFor(resource: vscode.Uri): MtqSettings {
  const config = vscode.workspace.getConfiguration("mtq", resource);
  const seed = config.get<number | null>("defaultSeed", null);
  // settings.json is not held to the enum: a value it does not list runs as "auto".
  const backend = config.get<unknown>("backend");
  return {
    resultsFolder: config.get<string>("resultsFolder", ""),
    backend: isBackend(backend) ? backend : "auto",
    defaultSeed: typeof seed === "number" && Number.isInteger(seed) ? seed : null,
  };
}
