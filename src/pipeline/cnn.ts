// The convolutional network of `model.kind: "cnn"`: conv + max-pooling blocks, then dense layers,
// then the softmax. Each block's output (after pooling) and each dense layer is a signature layer.
import { seededDense, type ImageSize, type ModelOf, type Trained } from "./network";
import type { Tf } from "./tf";
import { ensureWasmConvGradient } from "./wasmConvGradient";

/** The network; src/check/model.ts made sure its pooling leaves something of the images. */
export function cnnNetwork(tf: Tf, spec: ModelOf<"cnn">, seed: number, image: ImageSize, classes: number): Trained {
  ensureWasmConvGradient(tf);
  const inputShape = [image.rows, image.cols, image.channels ?? 1];
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
