// What every kind of model gives the pipeline, and the seeded layers the trained kinds share.
import type * as TF from "@tensorflow/tfjs";
import type { ConvSignature, Experiment } from "../shared/experiment";
import type { Tf } from "./tf";

export interface ImageSize {
  rows: number;
  cols: number;
  /** 3: colour (interleaved red, green, blue per pixel); 1 or absent: grey. */
  channels?: 1 | 3;
}

export interface Trained {
  model: TF.LayersModel;
  /** Names of the hidden layers whose outputs are the signatures, input side first. */
  hiddenLayers: string[];
  /** One input's shape, e.g. [784] or [28, 28, 1] ([2352] or [28, 28, 3] in colour): how the flat pixel rows are fed to the model. */
  inputShape: number[];
  /** How a hidden layer with feature maps (rank > 2) becomes a signature. */
  convSignature: ConvSignature;
  /** False for a saved model: it is analysed as it is, never trained. */
  trainable: boolean;
}

/** A dense layer with the seeded initialiser every trained layer uses. */
export function seededDense(
  tf: Tf,
  seed: number,
  config: Omit<Parameters<Tf["layers"]["dense"]>[0], "kernelInitializer">,
): TF.layers.Layer {
  return tf.layers.dense({ ...config, kernelInitializer: tf.initializers.glorotUniform({ seed }), biasInitializer: "zeros" });
}

export type ModelOf<K extends Experiment["model"]["kind"]> = Extract<Experiment["model"], { kind: K }>;
