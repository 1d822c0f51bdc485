// Reads and writes a TF.js Layers model on disk (model.json + its weight shards) with node:fs, so
// that a user's model loads on the wasm and cpu backends too: TF.js's own file:// handler needs
// tfjs-node.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { modelFileBytes, modelJsonOf } from "../data/modelJson";
import type { Tf } from "./tf";

/** A `tf.io.IOHandler` loading model.json and the weight shards it lists, relative to it. */
export function modelFileHandler(tf: Tf, modelJsonFile: string): TF.io.IOHandler {
  return {
    load: async () => {
      const json = modelJsonOf(modelJsonFile) as TF.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const shards = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = modelFileBytes(resolve(dirname(modelJsonFile), path), "weight file");
            return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
          }),
        );
        return [specs, tf.io.concatenateArrayBuffers(shards)];
      });
    },
  };
}

/**
 * Saves `model` into `dir` through TF.js's own `model.save`, as model.json plus weight shards of
 * at most `shardBytes` (4 MiB, like tensorflowjs_converter); returns model.json's path.
 */
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
