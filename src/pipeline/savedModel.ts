// The user's own trained model (`model.kind: "saved"`): loaded from disk, its layers listed, the
// hidden layers picked, and its input and output checked against the experiment's data.
import { resolve, dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { ExperimentError, type Problem } from "../shared/problems";
import { DataFileError } from "./data/dataFileError";
import { modelFileHandler, modelJsonOf } from "./modelFiles";
import type { Experiment } from "../shared/experiment";
import type { ImageSize, ModelOf, Trained } from "./network";
import type { Tf } from "./tf";

/** Layer classes whose outputs are signatures by default. */
const SIGNATURE_CLASSES = new Set(["Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv2D", "DepthwiseConv2D", "Flatten"]);

const shapeText = (shape: readonly (number | null)[]) => shape.map((d) => d ?? "any").join("x");

/** "conv2d_1 (Conv2D, 26x26x8)": how a layer is listed to the user. */
export function layerDescription(layer: TF.layers.Layer): string {
  return `${layer.name} (${layer.getClassName()}, ${shapeText((layer.outputShape as (number | null)[]).slice(1))})`;
}

/** Default hidden layers: every Dense, Conv and Flatten layer but the last one, the classifier. */
export function defaultHiddenLayers(model: TF.LayersModel): string[] {
  return model.layers
    .filter((l) => SIGNATURE_CLASSES.has(l.getClassName()))
    .slice(0, -1)
    .map((l) => l.name);
}

/** How the flat rows x cols pixels feed the model's input: [rows*cols], [rows, cols] or [rows, cols, 1]. */
function feedShape(input: readonly (number | null)[], image: ImageSize): number[] | undefined {
  const { rows, cols } = image;
  const candidates = [[rows * cols], [rows, cols], [rows, cols, 1]];
  return candidates.find((c) => c.length === input.length && c.every((d, i) => d === input[i]));
}

function inputProblem(file: string, modelFile: string, input: readonly (number | null)[], image: ImageSize): Problem {
  const { rows, cols } = image;
  const channels = input.length === 3 ? input[2] : 1;
  const channelHint = channels !== 1 ? `; MTQ feeds one grey channel and this model takes ${channels ?? "any number"}` : "";
  const size = input.length >= 2 ? `${input[0] ?? "any"}x${input[1] ?? "any"}` : `${input[0]} pixels`;
  return {
    file,
    path: ["model", "path"],
    message: `the model ${modelFile} takes inputs of shape ${shapeText(input)} but the images are ${rows}x${cols} grey (${rows}x${cols}x1, or ${rows * cols} values flattened)${channelHint}`,
    fix: `use a model whose input is ${rows}x${cols}x1, ${rows}x${cols} or ${rows * cols}, or images of its size (${size}: an image folder's "size")`,
  };
}

function modelFileProblem(e: DataFileError, file: string): Problem {
  return { file: e.file, path: ["model", "path"], message: e.message, fix: `${e.fix} (named by ${file})` };
}

/** A missing or unusable model.json, found without loading the model: cheap enough for every save in the editor. */
export function savedModelFileProblems(exp: Pick<Experiment, "model">, file: string): Problem[] {
  if (exp.model.kind !== "saved") return [];
  try {
    modelJsonOf(resolve(dirname(file), exp.model.path));
    return [];
  } catch (e) {
    if (e instanceof DataFileError) return [modelFileProblem(e, file)];
    throw e;
  }
}

/** The saved model, ready to analyse; throws ExperimentError naming the field at fault. */
export async function loadSavedModel(tf: Tf, spec: ModelOf<"saved">, file: string, image: ImageSize, classes: number): Promise<Trained> {
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
  const problems: Problem[] = [];
  let inputShape: number[] | undefined;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    problems.push({
      file,
      path: ["model", "path"],
      message: `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs`,
      fix: "use a classifier with one image input and one softmax output",
    });
  } else {
    const input = (model.inputs[0].shape as (number | null)[]).slice(1);
    inputShape = feedShape(input, image);
    if (!inputShape) problems.push(inputProblem(file, spec.path, input, image));
    const output = model.outputs[0].shape as (number | null)[];
    if (output.length !== 2 || output[1] !== classes) {
      problems.push({
        file,
        path: ["data", "digits"],
        message: `the model has ${shapeText(output.slice(1))} outputs but the experiment keeps ${classes} classes`,
        fix:
          output.length === 2
            ? `keep exactly the ${output[1]} labels the model was trained on, in data.digits (their sorted order is the output units' order)`
            : "use a model whose output is one softmax over the classes",
      });
    }
  }
  const hiddenLayers = spec.layers ?? defaultHiddenLayers(model);
  const listing = model.layers.map(layerDescription).join(", ");
  spec.layers?.forEach((name, i) => {
    if (!model.layers.some((l) => l.name === name)) {
      problems.push({
        file,
        path: ["model", "layers", i],
        message: `the model has no layer "${name}"`,
        fix: `name one of its layers: ${listing}`,
      });
    }
  });
  if (hiddenLayers.length === 0) {
    problems.push({
      file,
      path: ["model", "layers"],
      message: "the model has no Dense, Conv or Flatten layer before its output",
      fix: `list the layers to analyse in model.layers: ${listing}`,
    });
  }
  if (problems.length > 0 || !inputShape) {
    model.dispose();
    throw new ExperimentError(problems);
  }
  return { model, hiddenLayers, inputShape, convSignature: spec.convSignature, trainable: false };
}
