// The fused dense trainer's inner loops in WebAssembly (denseKernel.wat): loaded from
// dist/denseKernel.wasm, which esbuild.mjs assembles beside the bundles, or, running from src/
// (tests and scripts on tsx), assembled from the text by wabt, a devDependency, as the build does.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** denseKernel.wat's exports: addresses are byte offsets into `memory`, sizes are counts. */
export interface DenseKernel {
  memory: WebAssembly.Memory;
  sparseRows(source: number, n: number, width: number, rowStart: number, index: number, value: number): void;
  byColumn(
    rowStart: number,
    index: number,
    value: number,
    rows: number,
    width: number,
    colStart: number,
    colRow: number,
    colValue: number,
  ): void;
  biasGradient(delta: number, n: number, units: number, grad: number): void;
  timesKernel(
    rowStart: number,
    index: number,
    value: number,
    n: number,
    kernel: number,
    bias: number,
    out: number,
    units: number,
    sums: number,
  ): void;
  adam(
    param: number,
    grad: number,
    m: number,
    v: number,
    length: number,
    beta1: number,
    beta2: number,
    rate: number,
    correction2: number,
    epsilon: number,
  ): void;
  kernelStep(
    colStart: number,
    colRow: number,
    colValue: number,
    inputs: number,
    seen: number,
    delta: number,
    units: number,
    kernel: number,
    m: number,
    v: number,
    sums: number,
    beta1: number,
    beta2: number,
    rate: number,
    correction2: number,
    epsilon: number,
  ): void;
  deltaBelow(
    delta: number,
    deltaT: number,
    n: number,
    units: number,
    kernel: number,
    belowOut: number,
    belowDelta: number,
    inputs: number,
    activation: number,
  ): void;
}

const WASM_PAGE = 65536;
let compiled: Promise<WebAssembly.Module> | undefined;

async function kernelBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const built = join(__dirname, "denseKernel.wasm");
  if (existsSync(built)) return new Uint8Array(readFileSync(built));
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat("denseKernel.wat", readFileSync(join(__dirname, "denseKernel.wat"), "utf8"));
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** A fresh instance of the kernel with `bytes` of memory (its arrays are views of it: the memory never grows). */
export async function denseKernel(bytes: number): Promise<DenseKernel> {
  compiled ??= kernelBytes().then((b) => WebAssembly.compile(b));
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) });
  const instance = await WebAssembly.instantiate(await compiled, { env: { memory } });
  return { memory, ...(instance.exports as unknown as Omit<DenseKernel, "memory">) };
}
