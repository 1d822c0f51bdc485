// Reads and writes a TF.js Layers model on disk (model.json + its weight shards) with node:fs, so
// that a user's model loads on the wasm and cpu backends too: TF.js's own file:// handler needs
// tfjs-node.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { DataFileError } from "./data/dataFileError";
import type { Tf } from "./tf";

const CONVERT =
  "convert a Keras model with `tensorflowjs_converter --input_format keras --output_format tfjs_layers_model model.h5 OUT/`, or save a TF.js model with model.save()";

function bytesOf(file: string, what: string): Buffer {
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
export function modelJsonOf(file: string): TF.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(bytesOf(file, "model.json").toString("utf8"));
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(
      file,
      `not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      `point model.path at a TF.js model.json; ${CONVERT}`,
    );
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

/** Saves `model` into `dir` through TF.js's own `model.save`, as model.json plus weight shards of at most `shardBytes` (4 MiB, like tensorflowjs_converter); returns model.json's path. */
export async function saveLayersModel(tf: Tf, model: TF.LayersModel, dir: string, shardBytes = 4 * 1024 * 1024): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]));
      const count = Math.max(1, Math.ceil(weights.length / shardBytes));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      paths.forEach((path, i) => writeFileSync(join(dir, path), weights.subarray(i * shardBytes, (i + 1) * shardBytes)));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return join(dir, "model.json");
}
