// The convolutional network of `model.kind: "cnn"`: conv + max-pooling blocks, then dense layers,
// then the softmax. Each block's output (after pooling) and each dense layer is a signature layer.
import { ExperimentError, type Problem } from "../shared/problems";
import { seededDense, type ImageSize, type ModelOf, type Trained } from "./network";
import type { Tf } from "./tf";
import { ensureWasmConvGradient } from "./wasmConvGradient";

/** A problem when pooling would shrink the feature maps to nothing before the last block. */
function poolingProblem(spec: ModelOf<"cnn">, file: string, image: ImageSize): Problem | undefined {
  let [rows, cols] = [image.rows, image.cols];
  for (const [i, block] of spec.conv.entries()) {
    // 'same' convolutions keep the size; pooling divides it, rounding down.
    [rows, cols] = [Math.floor(rows / block.pool), Math.floor(cols / block.pool)];
    if (rows === 0 || cols === 0) {
      return {
        file,
        path: ["model", "conv", i, "pool"],
        message: `after block ${i + 1} the ${image.rows}x${image.cols} images would be pooled down to ${rows}x${cols}`,
        fix: "use fewer blocks, smaller pool sizes or larger images",
      };
    }
  }
  return undefined;
}

export function cnnNetwork(tf: Tf, spec: ModelOf<"cnn">, seed: number, file: string, image: ImageSize, classes: number): Trained {
  const problem = poolingProblem(spec, file, image);
  if (problem) throw new ExperimentError([problem]);
  ensureWasmConvGradient(tf);
  const inputShape = [image.rows, image.cols, 1];
  const model = tf.sequential();
  const hiddenLayers: string[] = [];
  let weighted = 0;
  const nextSeed = () => seed * 31 + weighted++;
  spec.conv.forEach((block, i) => {
    const conv = `conv_${i + 1}`;
    model.add(
      tf.layers.conv2d({
        name: conv,
        filters: block.filters,
        kernelSize: block.kernelSize,
        padding: "same",
        activation: spec.activation,
        inputShape: i === 0 ? inputShape : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
        biasInitializer: "zeros",
      }),
    );
    if (block.pool > 1) model.add(tf.layers.maxPooling2d({ name: `pool_${i + 1}`, poolSize: block.pool }));
    hiddenLayers.push(block.pool > 1 ? `pool_${i + 1}` : conv);
  });
  model.add(tf.layers.flatten({ name: "flatten" }));
  spec.dense.forEach((units, i) => {
    const name = `dense_${i + 1}`;
    hiddenLayers.push(name);
    model.add(seededDense(tf, nextSeed(), { name, units, activation: spec.activation }));
  });
  model.add(seededDense(tf, nextSeed(), { name: "output", units: classes, activation: "softmax" }));
  return { model, hiddenLayers, inputShape, convSignature: spec.convSignature, trainable: true };
}
