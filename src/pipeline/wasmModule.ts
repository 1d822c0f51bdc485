// The pipeline's WebAssembly kernels (src/pipeline/*.wat: denseKernel, umapKernel), compiled once
// per process: loaded from dist/NAME.wasm, which esbuild.mjs assembles beside the bundles, or,
// running from src/ (tests and scripts on tsx), assembled from the text by wabt, a devDependency,
// as the build does.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const compiled = new Map<string, Promise<WebAssembly.Module>>();

async function kernelBytes(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const built = join(__dirname, `${name}.wasm`);
  if (existsSync(built)) return new Uint8Array(readFileSync(built));
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat(`${name}.wat`, readFileSync(join(__dirname, `${name}.wat`), "utf8"));
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The compiled kernel `name` (denseKernel, umapKernel). */
export function wasmModule(name: string): Promise<WebAssembly.Module> {
  let module = compiled.get(name);
  if (!module) {
    module = kernelBytes(name).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(name, module);
  }
  return module;
}

const WASM_PAGE = 65536;

/** A memory of at least `bytes`, which never grows: the kernels' callers keep typed-array views of it. */
export function wasmMemory(bytes: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) });
}
