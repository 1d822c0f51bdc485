// A saved model's files as the experiment names them: model.json (a TF.js Layers model, whose
// topology and weights manifest the checks read without loading it) and its weight files.
import { readFileSync, statSync } from "node:fs";
import { DataFileError } from "./dataFileError";
import { jsonDepth, MAX_JSON_DEPTH } from "./jsonDepth";

const CONVERT =
  "convert a Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 OUT/`, " +
  "or save a TF.js model with model.save()";

/** The parts of model.json MTQ reads (TF.js's `io.ModelJSON`, restated here so the data layer needs no TF.js). */
export interface ModelJson {
  modelTopology: object;
  format?: string;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/**
 * The largest model.json read: 64 MB. It holds the layers' topology and the weights' manifest (a
 * few KB to a few hundred for the largest Keras models), not the weights, which lie in the .bin
 * files beside it; parsing a larger one would hold it several times over.
 */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/** A model file's bytes; `what` names it in messages ("model.json", "weight file"). */
export function modelFileBytes(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      code === "ENOENT" ? `${what} not found` : `cannot read the ${what} (${code ?? String(e)})`,
      what === "model.json"
        ? "check `model.path`; relative paths are resolved from the experiment file's folder"
        : "keep the weight files named in model.json beside it",
    );
  }
}

/** model.json's content; throws DataFileError when it is missing or not a Layers model. Reads no weights. */
export function modelJsonOf(file: string): ModelJson {
  let json: unknown;
  try {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      // said by modelFileBytes below
    }
    if (size > MAX_MODEL_JSON_BYTES) {
      const mb = Math.ceil(size / 1024 ** 2);
      throw new DataFileError(
        file,
        `model.json holds ${mb} MB, above the ${MAX_MODEL_JSON_BYTES / 1024 ** 2} MB a topology takes`,
        CONVERT,
      );
    }
    const text = modelFileBytes(file, "model.json").toString("utf8");
    // The walks over the topology (ours, TF.js's) recurse once per level.
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      throw new DataFileError(
        file,
        `model.json nests objects and arrays more than ${MAX_JSON_DEPTH} deep`,
        `it is no TF.js model.json; ${CONVERT}`,
      );
    }
    json = JSON.parse(text);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(
      file,
      `not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      `point model.path at a TF.js model.json; ${CONVERT}`,
    );
  }
  const model = json as Partial<ModelJson>;
  if (typeof model !== "object" || model === null || typeof model.modelTopology !== "object" || model.modelTopology === null) {
    throw new DataFileError(file, "not a TF.js model.json (no modelTopology)", CONVERT);
  }
  if (model.format === "graph-model" || "node" in model.modelTopology) {
    throw new DataFileError(file, "this is a TF.js graph model; MTQ needs a Layers model, whose layers it can read", CONVERT);
  }
  return model as ModelJson;
}

/** The first `batch_input_shape` of model.json's layers (Keras and TF.js write it on the input layer), batch dimension dropped. */
export function inputShapeOf(json: ModelJson): (number | null)[] | undefined {
  const search = (node: unknown): (number | null)[] | undefined => {
    if (typeof node !== "object" || node === null) return undefined;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "batch_input_shape" || key === "batchInputShape") && Array.isArray(value)) return value.slice(1) as (number | null)[];
      const found = search(value);
      if (found) return found;
    }
    return undefined;
  };
  return search(json.modelTopology);
}
