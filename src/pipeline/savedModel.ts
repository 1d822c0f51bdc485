// The user's own trained model (`model.kind: "saved"`): loaded from disk with its weights, its
// hidden layers picked. src/check/model.ts checked it against the data before the run started.
import { resolve, dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { defaultHiddenLayers, feedShape, modelFileProblem } from "../check/model";
import { DataFileError } from "../data/dataFileError";
import { ExperimentError } from "../shared/problems";
import { modelFileHandler } from "./modelFiles";
import type { ImageSize, ModelOf, Trained } from "./network";
import type { Tf } from "./tf";

/** The saved model, ready to analyse; throws ExperimentError when its files changed since they were checked. */
export async function loadSavedModel(tf: Tf, spec: ModelOf<"saved">, file: string, image: ImageSize): Promise<Trained> {
  const modelFile = resolve(dirname(file), spec.path);
  let model: TF.LayersModel;
  try {
    model = await tf.loadLayersModel(modelFileHandler(tf, modelFile));
  } catch (e) {
    if (e instanceof DataFileError) throw new ExperimentError([modelFileProblem(e, file)]);
    const message = `cannot rebuild the model from ${modelFile}: ${e instanceof Error ? e.message : String(e)}`;
    throw new ExperimentError([
      {
        file,
        path: ["model", "path"],
        message,
        fix: "save it as a TF.js Layers model using built-in layers only (custom layers cannot be loaded)",
      },
    ]);
  }
  const inputShape = feedShape((model.inputs[0].shape as (number | null)[]).slice(1), image)!;
  const hiddenLayers = spec.layers ?? defaultHiddenLayers(model);
  return { model, hiddenLayers, inputShape, convSignature: spec.convSignature, trainable: false };
}
