// The built-in model's real signatures of MNIST digits, without the rest of the analysis: for a
// bench or a test that needs hidden-layer activations, the run ends once they are recorded.
import { readFileSync } from "node:fs";
import { parse } from "jsonc-parser";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { runExperiment } from "../src/pipeline/run";

const file = join(__dirname, "..", "examples", "all-of-mnist.mtq.json");

/**
 * Both hidden layers' signatures (32 and 64 values per image) of examples/all-of-mnist.mtq.json's
 * model: all 70,000 digits at 70,000 images, else `images / 10` of each digit (as bench:clustering's
 * 10,000), trained for `epochs` (the example's 5 when not given).
 */
export async function mnistSignatures(images: number, epochs?: number): Promise<{ hidden: Float32Array[]; sizes: number[] }> {
  const written = parse(readFileSync(file, "utf8")) as { training: object };
  const experiment = {
    ...written,
    ...(images !== 70_000 && { data: { source: "mnist", digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: images / 10 } }),
    ...(epochs !== undefined && { training: { ...written.training, epochs } }),
  };
  const parsed = parseExperiment(JSON.stringify(experiment), file);
  if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
  // Thrown from onSignatures, which the run calls as soon as they are recorded: it ends the run there.
  const recorded = new Error("signatures recorded");
  let signatures: { hidden: Float32Array[]; sizes: number[] } | undefined;
  try {
    await runExperiment({
      experiment: parsed.experiment,
      experimentFile: file,
      onSignatures: (s) => {
        signatures = s;
        throw recorded;
      },
    });
  } catch (error) {
    if (error !== recorded) throw error;
  }
  if (!signatures) throw new Error("the run recorded no signatures");
  return signatures;
}
