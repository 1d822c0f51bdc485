// `npm run bench:train [IMAGES...]`: training of the built-in model (784 -> 32 -> 64 -> softmax,
// ReLU, batch 32, Adam 0.001, 5 epochs, seed 24) on TF.js's trainOnBatch against the fused dense
// trainer (src/pipeline/denseTrainer.ts), from the same initial weights with the same shuffle, on
// 10,000 MNIST digits (1,000 of each; held out: 1,000 test digits of each), 60,000 (the training
// split; held out: the 10,000 test digits) and 70,000 (both splits; none held out). Prints the
// train time (wall and CPU), the accuracies and the load average when each training started;
// asserts nothing.
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { shuffled, randomFor } from "../src/data/random";
import { DenseTrainer } from "../src/pipeline/denseTrainer";
import { activations, argmaxRows, modelFor, tfjsTrainer, type BatchTrainer } from "../src/pipeline/model";
import type { Trained } from "../src/pipeline/network";
import { prepareData, type PreparedData } from "../src/pipeline/prepare";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "../src/pipeline/preprocess";
import { loadTf, type Tf } from "../src/pipeline/tf";
import { tableRow } from "./table";

const SIZES = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [10_000, 60_000, 70_000];

function dataFor(images: number): object {
  if (images === 70_000) return { perDigit: "all", from: "train+test" };
  if (images === 60_000) return { perDigit: "all" };
  return { perDigit: images / 10 };
}

function accuracy(output: Float32Array, classes: number, labels: ArrayLike<number>, classList: number[]): number {
  const { index } = argmaxRows(output, classes);
  let correct = 0;
  for (let i = 0; i < index.length; i++) if (classList[index[i]] === labels[i]) correct++;
  return correct / index.length;
}

/**
 * train()'s loop without its progress, cancel and event-loop turns: the same shuffle, batch by
 * batch. Wall and CPU seconds: on a shared machine the CPU time is the steadier of the two.
 */
async function timedTraining(
  trainer: BatchTrainer,
  count: number,
  epochs: number,
  batchSize: number,
  seed: number,
): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const random = randomFor(seed, "shuffle");
  const order = Array.from({ length: count }, (_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = shuffled(order, random);
    for (let b = 0; b * batchSize < count; b++) await trainer.step(perm, b * batchSize, Math.min(count, (b + 1) * batchSize));
  }
  trainer.writeBack();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
}

async function row(tf: Tf, backend: string, prepared: PreparedData, file: string, fused: boolean): Promise<string> {
  const exp = prepared.experiment;
  const classes = sortedClasses(exp.data.digits);
  const x = scaledPixels(prepared.kept.pixels, maxPixel(prepared.kept.pixels));
  const y = oneHot(prepared.kept.labels, classes);
  const count = prepared.kept.labels.length;
  const trained: Trained = await modelFor(tf, exp, file, prepared, classes.length);
  const { batchSize, epochs } = exp.training;
  const trainer = fused ? await DenseTrainer.create(tf, trained.model, x, y, count, batchSize) : tfjsTrainer(tf, trained, x, y, count);
  const load = loadavg()[0];
  const time = await timedTraining(trainer, count, epochs, batchSize, exp.seed);
  const trainAccuracy = accuracy((await activations(tf, trained, x, count, false)).output, classes.length, prepared.kept.labels, classes);
  const held = prepared.holdout.labels.length;
  const heldOut =
    held === 0
      ? "-"
      : `${(
          100 *
          accuracy(
            (await activations(tf, trained, scaledPixels(prepared.holdout.pixels, maxPixel(prepared.kept.pixels)), held, false)).output,
            classes.length,
            prepared.holdout.labels,
            classes,
          )
        ).toFixed(1)}%`;
  trained.model.dispose();
  return tableRow([
    count.toLocaleString("en-US"),
    fused ? "fused (denseTrainer.ts)" : `TF.js trainOnBatch (${backend})`,
    `${time.wall.toFixed(1)} s`,
    `${time.cpu.toFixed(1)} s`,
    `${(100 * trainAccuracy).toFixed(1)}%`,
    heldOut,
    load.toFixed(1),
  ]);
}

async function main() {
  const { tf, backend } = await loadTf();
  console.log("| images | trainer | train: wall | train: CPU | train accuracy | held-out accuracy | load |");
  console.log("|---:|---|---:|---:|---:|---:|---:|");
  for (const images of SIZES) {
    const file = join(__dirname, "bench.mtq.json");
    const parsed = parseExperiment(
      JSON.stringify({ name: "bench", data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ...dataFor(images) }, training: { epochs: 5 } }),
      file,
    );
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    const prepared = prepareData(parsed.experiment, file);
    for (const fused of [false, true]) console.log(await row(tf, backend, prepared, file, fused));
  }
}

void main();
