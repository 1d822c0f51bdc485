// Reads a TF.js Layers model from disk (model.json + its weight shards) with node:fs, so that a
// user's model loads on the wasm and cpu backends too: TF.js's own file:// handler needs tfjs-node.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { DataFileError } from "./data/dataFileError";
import type { Tf } from "./tf";

const CONVERT = "convert a Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 OUT/`, or save a TF.js model with model.save()";

function bytesOf(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataFileError(
      file,
      code === "ENOENT" ? `${what} not found` : `cannot read the ${what} (${code ?? String(e)})`,
      what === "model.json" ? "check `model.path`; relative paths are resolved from the experiment file's folder" : "keep the weight files named in model.json beside it",
    );
  }
}

function modelJsonOf(file: string): TF.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(bytesOf(file, "model.json").toString("utf8"));
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`, `point model.path at a TF.js model.json; ${CONVERT}`);
  }
  const model = json as Partial<TF.io.ModelJSON> & { format?: string };
  if (typeof model !== "object" || model === null || typeof model.modelTopology !== "object") {
    throw new DataFileError(file, "not a TF.js model.json (no modelTopology)", CONVERT);
  }
  if (model.format === "graph-model" || "node" in (model.modelTopology as object)) {
    throw new DataFileError(file, "this is a TF.js graph model; MTQ needs a Layers model, whose layers it can read", CONVERT);
  }
  return model as TF.io.ModelJSON;
}

/** A `tf.io.IOHandler` loading model.json and the weight shards it lists, relative to it. */
export function modelFileHandler(tf: Tf, modelJsonFile: string): TF.io.IOHandler {
  return {
    load: async () => {
      const json = modelJsonOf(modelJsonFile);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = bytesOf(resolve(dirname(modelJsonFile), path), "weight file");
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
          }),
        );
        return [specs, tf.io.concatenateArrayBuffers(shards)];
      });
    },
  };
}
