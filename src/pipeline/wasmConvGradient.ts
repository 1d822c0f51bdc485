// TF.js's wasm backend can run convolutions but has no kernel for a 2-D convolution's filter
// gradient (Conv2DBackpropFilter), so a CNN could not train on it. It does have the 3-D one: a 2-D
// convolution is a 3-D one of depth 1, so the missing kernel is the 3-D kernel on reshaped inputs.
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "./tf";

const NAME = "Conv2DBackpropFilter";

interface Attrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | unknown;
  dataFormat: "NHWC" | "NCHW";
  filterShape: [number, number, number, number];
}

/** Registers the filter gradient on the wasm backend when it lacks one (a no-op elsewhere or once done). */
export function ensureWasmConvGradient(tf: Tf): void {
  if (tf.getBackend() !== "wasm" || tf.getKernel(NAME, "wasm")) return;
  const conv3d = tf.getKernel("Conv3DBackpropFilterV2", "wasm");
  tf.registerKernel({
    kernelName: NAME,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TF.TensorInfo; dy: TF.TensorInfo };
      const { strides, pad, dataFormat, filterShape } = attrs as unknown as Attrs;
      // Only what MTQ's CNNs use, and what matches the cpu backend's gradient: with strides > 1 the
      // 3-D kernel's result differs, so those are refused rather than trained wrongly.
      const [sh, sw] = typeof strides === "number" ? [strides, strides] : strides;
      if (dataFormat !== "NHWC" || (pad !== "same" && pad !== "valid") || sh !== 1 || sw !== 1) {
        throw new Error(`${NAME} on wasm supports NHWC data, stride 1 and 'same' or 'valid' padding only`);
      }
      const depth1 = (t: TF.TensorInfo): TF.TensorInfo => ({ ...t, shape: [t.shape[0], 1, ...t.shape.slice(1)] });
      const dw = conv3d.kernelFunc({
        inputs: { x: depth1(x), dy: depth1(dy) },
        backend,
        attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] },
      }) as TF.TensorInfo;
      // The 3-D kernel's [1, kh, kw, in, out] output holds the same values as the 2-D [kh, kw, in, out].
      return { ...dw, shape: filterShape };
    },
  });
}
