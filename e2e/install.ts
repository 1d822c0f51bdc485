// Installs what the end-to-end suite drives: code-server (VS Code 1.100.3 served to a browser) into
// `.e2e-cache/`, and checks Debian's chromium is there. Idempotent: a working install is kept.
//
// `npm install code-server` cannot simply run its postinstall here: it downloads ripgrep from
// GitHub, and npm 11 blocks dependency install scripts by default. So the postinstall's steps
// are replayed one by one, with Debian's `rg` and explicit `npm rebuild`s.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CHROMIUM } from "../test/browser/browser";

/** The last code-server release that runs on Node 20 (later ones need Node 22+). */
export const CODE_SERVER_VERSION = "4.100.3";

export const cacheDir = resolve(__dirname, "..", ".e2e-cache");

const manifest = JSON.parse(readFileSync(resolve(__dirname, "..", "package.json"), "utf8")) as { name: string; version: string };
/** What `npm run package` writes and every suite installs: NAME-VERSION.vsix at the root. */
export const packedVsix = resolve(__dirname, "..", `${manifest.name}-${manifest.version}.vsix`);
const prefix = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const packageDir = join(prefix, "node_modules", "code-server");
const vscodeDir = join(packageDir, "lib", "vscode");
export const codeServerEntry = join(packageDir, "out", "node", "entry.js");

/** Native modules code-server loads: where to rebuild each, and the file the build produces. */
const nativeModules: { cwd: string; name: string; built: string }[] = [
  { cwd: prefix, name: "argon2", built: "lib/binding/napi-v3/argon2.node" },
  { cwd: vscodeDir, name: "kerberos", built: "build/Release/kerberos.node" },
  { cwd: vscodeDir, name: "@vscode/spdlog", built: "build/Release/spdlog.node" },
  { cwd: vscodeDir, name: "native-watchdog", built: "build/Release/watchdog.node" },
  { cwd: vscodeDir, name: "node-pty", built: "build/Release/pty.node" },
];

const DEBIAN_PACKAGES = "chromium ripgrep libkrb5-dev build-essential python3";

/** What a run needs from the system: the browser, and the `rg` code-server's search links to. */
const RUN_NEEDS = [
  [CHROMIUM, "chromium"],
  ["/usr/bin/rg", "ripgrep"],
];
/** What building code-server's native modules needs besides. */
const BUILD_NEEDS = [
  ["/usr/include/krb5.h", "libkrb5-dev"],
  ["/usr/bin/g++", "build-essential"],
  ["/usr/bin/make", "build-essential"],
];

/** Throws with the apt-get line to run when a system prerequisite of a run is missing. */
export function checkSystem(needs = RUN_NEEDS): void {
  const missing = needs.filter(([file]) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.map(([file, pkg]) => `${file} (Debian package ${pkg})`).join(", ")}. ` +
        `Install them with: apt-get update && apt-get install -y ${DEBIAN_PACKAGES}`,
    );
  }
}

/** The code-server install in the cache, installed first if it is missing or broken. */
export function ensureCodeServer(): string {
  checkSystem();
  if (works()) return codeServerEntry;
  checkSystem(BUILD_NEEDS);
  const started = Date.now();
  console.log(`e2e: installing code-server ${CODE_SERVER_VERSION} into ${prefix}`);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // A package.json of its own, so npm installs here and never touches the project's lockfile.
  writeFileSync(join(prefix, "package.json"), JSON.stringify({ private: true }));
  npm(prefix, ["install", "--ignore-scripts", `code-server@${CODE_SERVER_VERSION}`]);

  // What code-server's postinstall.sh does, minus its downloads.
  npm(vscodeDir, ["install", "--omit=dev", "--ignore-scripts"]);
  const rgBin = join(vscodeDir, "node_modules", "@vscode", "ripgrep", "bin");
  mkdirSync(rgBin, { recursive: true });
  symlinkSync("/usr/bin/rg", join(rgBin, "rg"));
  for (const { cwd, name, built } of nativeModules) {
    // node-pty's install script exits 1 (it calls `npx node-gyp`) after building pty.node:
    // the built file is the verdict, not the exit code; the output only matters without it.
    const output = npm(cwd, ["rebuild", name], { quiet: true });
    if (!existsSync(join(cwd, "node_modules", name, built))) console.error(output);
  }
  symlinkSync("node_modules", join(vscodeDir, "node_modules.asar"));
  symlinkSync("code-linux.sh", join(vscodeDir, "bin", "remote-cli", "code-server"));
  symlinkSync("browser-linux.sh", join(vscodeDir, "bin", "helpers", "browser.sh"));
  const extensionsDir = join(vscodeDir, "extensions");
  npm(extensionsDir, ["install", "--omit=dev", "--ignore-scripts"]);
  execFileSync(process.execPath, ["postinstall.mjs"], { cwd: extensionsDir, stdio: "ignore" });

  if (!works({ explain: true })) throw new Error("e2e: code-server installed but does not start; see the messages above");
  console.log(`e2e: code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerEntry;
}

/** True when every native module is built and `code-server --version` answers. */
function works({ explain = false } = {}): boolean {
  const unbuilt = nativeModules.filter(({ cwd, name, built }) => !existsSync(join(cwd, "node_modules", name, built)));
  if (unbuilt.length > 0) {
    if (explain) console.error(`e2e: not built: ${unbuilt.map((m) => m.name).join(", ")}`);
    return false;
  }
  if (!existsSync(codeServerEntry)) return false;
  const run = spawnSync(process.execPath, [codeServerEntry, "--version"], {
    encoding: "utf8",
    // code-server writes a default config under $XDG_CONFIG_HOME on any start: keep it in the cache.
    env: { ...process.env, XDG_CONFIG_HOME: join(prefix, "config"), XDG_DATA_HOME: join(prefix, "data") },
  });
  if (explain && run.status !== 0) console.error(run.stderr);
  return run.status === 0 && run.stdout.includes(`${CODE_SERVER_VERSION} `);
}

/** Runs npm; `quiet` captures its output and returns it instead of failing on a non-zero exit. */
function npm(cwd: string, args: string[], { quiet = false } = {}): string {
  const env = {
    ...process.env,
    // code-server refuses to install as root without it.
    npm_config_unsafe_perm: "true",
    // node-pre-gyp (argon2) would try GitHub for a prebuilt binary first.
    npm_config_build_from_source: "true",
    // node-gyp would download Node's headers; Debian's nodejs ships them beside the binary.
    ...(existsSync(resolve(dirname(process.execPath), "..", "include", "node", "common.gypi"))
      ? { npm_config_nodedir: resolve(dirname(process.execPath), "..") }
      : {}),
  };
  const run = spawnSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    env,
    encoding: "utf8",
    stdio: quiet ? "pipe" : "inherit",
  });
  if (quiet) return `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`e2e: npm ${args.join(" ")} failed in ${cwd}`);
  return "";
}

if (require.main === module) {
  try {
    console.log(`e2e: code-server ready: ${ensureCodeServer()}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
