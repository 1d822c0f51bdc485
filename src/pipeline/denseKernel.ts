// The fused dense trainer's inner loops in WebAssembly (denseKernel.wat), loaded by wasmModule.ts.
import { wasmMemory, wasmModule } from "./wasmModule";

/** denseKernel.wat's exports: addresses are byte offsets into `memory`, sizes are counts. */
export interface DenseKernel {
  memory: WebAssembly.Memory;
  gatherRows(
    images: number,
    n: number,
    xStart: number,
    xIndex: number,
    xValue: number,
    wide: number,
    rowStart: number,
    index: number,
    value: number,
  ): void;
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

/** A fresh instance of the kernel with `bytes` of memory (its arrays are views of it: the memory never grows). */
export async function denseKernel(bytes: number): Promise<DenseKernel> {
  const memory = wasmMemory(bytes);
  const instance = await WebAssembly.instantiate(await wasmModule("denseKernel"), { env: { memory } });
  return { memory, ...(instance.exports as unknown as Omit<DenseKernel, "memory">) };
}
