// Writes a TF.js Layers model the way TF.js itself saves one (model.json + binary weight shards),
// through a save handler of TF.js's own, so the tests load what a user's converter would give.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../src/pipeline/tf";

/** Saves `model` into `dir` as model.json plus two weight shards (so loading must join them); returns model.json's path. */
export async function saveLayersModel(tf: Tf, model: TF.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer));
      const half = Math.floor(weights.length / 2 / 4) * 4;
      const paths = ["group1-shard1of2.bin", "group1-shard2of2.bin"];
      writeFileSync(join(dir, paths[0]), weights.subarray(0, half));
      writeFileSync(join(dir, paths[1]), weights.subarray(half));
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
