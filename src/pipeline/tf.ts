// TensorFlow.js, loaded lazily (never at extension activation): tfjs-node when it is installed
// (an optional accelerator), else the wasm backend, else cpu.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import type { Backend } from "../shared/backends";

export type Tf = typeof TF;

export interface LoadedTf {
  tf: Tf;
  /** The backend that runs: "tensorflow" (tfjs-node), "wasm" or "cpu". */
  backend: string;
}

let loaded: Promise<LoadedTf> | undefined;

/** Folder holding TF.js's .wasm files: beside the bundle in dist/, else the package's own. */
function wasmDir(): string {
  if (existsSync(join(__dirname, "tfjs-backend-wasm-simd.wasm"))) return __dirname;
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
}

async function load(preference: Backend): Promise<LoadedTf> {
  if (preference === "auto" || preference === "tensorflow") {
    try {
      // External in the bundles (esbuild.mjs): resolved at run time, only where it installed.
      const tf = require("@tensorflow/tfjs-node") as Tf;
      return { tf, backend: tf.getBackend() };
    } catch {
      // Not installed (or its native library is missing): fall through to wasm.
    }
  }
  const tf = await import("@tensorflow/tfjs");
  if (preference !== "cpu") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(`${wasmDir()}/`);
    // setBackend resolves false (it does not throw) when wasm cannot start.
    if (await tf.setBackend("wasm")) return { tf, backend: "wasm" };
  }
  await tf.setBackend("cpu");
  return { tf, backend: "cpu" };
}

/** The loaded TF.js; the first call's preference wins for the process. */
export function loadTf(preference: Backend = "auto"): Promise<LoadedTf> {
  loaded ??= load(preference);
  return loaded;
}
