// One code-server per test run: its own HOME, XDG folders, user data and extensions, so a run
// neither reads nor leaves anything outside its temp folder.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { codeServerEntry } from "./install";

export interface CodeServer {
  /** The workbench's address, with the workspace folder open. */
  url: string;
  /** Everything code-server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** The folders of one run under `root`, and the environment pointing code-server at them. */
function layout(root: string) {
  const dirs = {
    home: join(root, "home"),
    userData: join(root, "user-data"),
    extensions: join(root, "extensions"),
    config: join(root, "xdg-config"),
    data: join(root, "xdg-data"),
    cache: join(root, "xdg-cache"),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
  };
  const common = ["--extensions-dir", dirs.extensions, "--user-data-dir", dirs.userData];
  return { dirs, env, common };
}

/** Installs a .vsix the way a user would, with `code-server --install-extension`. */
export function installExtension(root: string, vsix: string): void {
  const { env, common } = layout(root);
  const run = spawnSync(process.execPath, [codeServerEntry, ...common, "--install-extension", vsix], { env, encoding: "utf8" });
  if (run.status !== 0 || !/was successfully installed/.test(run.stdout)) {
    throw new Error(`installing ${vsix} failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
}

/** `trust`: VS Code's workspace trust on, so the window asks whether to trust the folder (the other suites turn it off). */
export async function startCodeServer(root: string, workspace: string, { trust = false } = {}): Promise<CodeServer> {
  const { dirs, env, common } = layout(root);
  mkdirSync(join(dirs.userData, "User"), { recursive: true });
  writeFileSync(
    join(dirs.userData, "User", "settings.json"),
    JSON.stringify({
      // Nothing opens by itself, so every editor and panel on screen is one the test opened.
      "workbench.startupEditor": "none",
      "extensions.autoCheckUpdates": false,
      "extensions.ignoreRecommendations": true,
      "workbench.tips.enabled": false,
      "telemetry.telemetryLevel": "off",
    }),
  );
  const args = [
    codeServerEntry,
    ...common,
    "--auth",
    "none",
    // Port 0: the system picks a free one, read back from the log; no race with other runs.
    "--bind-addr",
    "127.0.0.1:0",
    "--disable-telemetry",
    "--disable-update-check",
    ...(trust ? [] : ["--disable-workspace-trust"]),
    workspace,
  ];
  // Detached: the server and its extension host form one process group, stopped as a whole.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`code-server exited (${code}) before listening:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // The group may be gone already (code-server exited by itself): nothing left to signal then.
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const base = await withTimeout(listening, 60_000, () => `code-server did not listen within 60 s:\n${output}`);
    await waitForHealth(base);
    return { url: `${base}/?folder=${encodeURIComponent(workspace)}`, log: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitForHealth(base: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${base}/healthz did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]).finally(
    () => clearTimeout(timer),
  );
}
