// The fused dense trainer against TF.js's own trainOnBatch: from the same seeded weights, on the
// same real batches, it must take the same steps (the same loss, the same weights, to float32
// rounding), for every hidden activation; it must take the very steps, bit for bit, of the plain
// JavaScript trainer it replaced (every figure in the README and REPRODUCTION.md rests on them);
// and train() must keep its cancel, progress and snapshots.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parseExperiment } from "../src/check/experiment";
import { randomFor, shuffled } from "../src/data/random";
import { DenseTrainer } from "../src/pipeline/denseTrainer";
import { modelFor, tfjsTrainer, train, type TrainProgress } from "../src/pipeline/model";
import type { Trained } from "../src/pipeline/network";
import { prepareData, type PreparedData } from "../src/pipeline/prepare";
import { maxPixel, oneHot, scaledPixels, sortedClasses } from "../src/pipeline/preprocess";
import type { ParsedExperiment as Experiment } from "../src/shared/experiment";
import { loadTf, type Tf } from "../src/pipeline/tf";

const file = join(__dirname, "..", "examples", "test.mtq.json");

function experimentOf(value: object): Experiment {
  const parsed = parseExperiment(JSON.stringify({ name: "dense", ...value }), file);
  assert.ok(parsed.experiment, JSON.stringify(parsed.problems));
  return parsed.experiment;
}

interface Batches {
  data: PreparedData;
  x: Float32Array;
  y: Float32Array;
  count: number;
}

function batchesOf(exp: Experiment): Batches {
  const data = prepareData(exp, file);
  const count = data.kept.labels.length;
  const x = scaledPixels(data.kept.pixels, maxPixel(data.kept.pixels));
  return { data, x, y: oneHot(data.kept.labels, sortedClasses(data.experiment.data.digits)), count };
}

function weightsOf(trained: Trained): Float32Array[] {
  return trained.model.getWeights().map((w) => w.dataSync() as Float32Array);
}

/** Largest difference between two weight lists, relative to the largest weight. */
function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((wa, l) =>
    wa.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - b[l][i]));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  return diff / scale;
}

/** `steps` batches of 32 through both trainers, in the same order; their losses and weights. */
async function bothTrainers(tf: Tf, exp: Experiment, b: Batches, steps: number) {
  const classes = b.y.length / b.count;
  const reference = await modelFor(tf, exp, file, b.data, classes);
  const fusedModel = await modelFor(tf, exp, file, b.data, classes);
  assert.equal(largestDifference(weightsOf(reference), weightsOf(fusedModel)), 0, "the same seed builds the same initial weights");
  const tfjs = tfjsTrainer(tf, reference, b.x, b.y, b.count);
  const fused = await DenseTrainer.create(tf, fusedModel.model, b.x, b.y, b.count, 32);
  const order = Array.from({ length: b.count }, (_, i) => (i * 7919) % b.count);
  const losses: [number, number][] = [];
  for (let s = 0; s < steps; s++) {
    const start = (s * 32) % b.count;
    const end = Math.min(b.count, start + 32);
    losses.push([await tfjs.step(order, start, end), fused.step(order, start, end)]);
  }
  fused.writeBack();
  return {
    losses,
    reference: weightsOf(reference),
    fused: weightsOf(fusedModel),
    /** The trained model's probability of each image's own class. */
    targetProbabilities: () => {
      const p = (reference.model.predict(tf.tensor2d(b.x, [b.count, b.x.length / b.count])) as ReturnType<Tf["tensor2d"]>).dataSync();
      return Array.from({ length: b.count }, (_, i) => p[i * classes + b.y.subarray(i * classes, (i + 1) * classes).indexOf(1)]);
    },
    dispose: () => [reference, fusedModel].forEach((t) => t.model.dispose()),
  };
}

describe("the fused dense trainer", () => {
  let tf: Tf;
  let ones: Batches;
  before(async () => {
    tf = (await loadTf("wasm")).tf;
    ones = batchesOf(experimentOf({ data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 30 } }));
  });

  it("takes TF.js's steps on the built-in model (784 -> 32 -> 64 -> softmax, ReLU, Adam 0.001)", async () => {
    const exp = experimentOf({ data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 30 } });
    const run = await bothTrainers(tf, exp, ones, 40);
    for (const [tfjs, fused] of run.losses)
      assert.ok(Math.abs(tfjs - fused) <= 1e-5 * Math.max(1, tfjs), `loss ${fused} against TF.js's ${tfjs}`);
    // 40 Adam steps of 0.001 move a weight by up to 0.04; float32 rounding leaves them within 1e-5 of TF.js's.
    const diff = largestDifference(run.reference, run.fused);
    assert.ok(diff < 1e-5, `weights differ from TF.js's by ${diff} of the largest`);
    assert.ok(largestDifference(run.fused, weightsOf(await modelFor(tf, exp, file, ones.data, 10))) > 1e-3, "the weights moved");
    run.dispose();
  });

  for (const activation of ["tanh", "sigmoid", "elu", "selu", "linear"]) {
    it(`takes TF.js's steps with ${activation} hidden layers (three of them, two classes)`, async () => {
      const exp = experimentOf({ data: { digits: [3, 8], perDigit: 40 }, model: { kind: "dense", hidden: [16, 8, 4], activation } });
      const run = await bothTrainers(tf, exp, batchesOf(exp), 10);
      for (const [tfjs, fused] of run.losses)
        assert.ok(Math.abs(tfjs - fused) <= 1e-5 * Math.max(1, tfjs), `loss ${fused} against TF.js's ${tfjs}`);
      const diff = largestDifference(run.reference, run.fused);
      assert.ok(diff < 1e-5, `weights differ from TF.js's by ${diff} of the largest`);
      run.dispose();
    });
  }

  it("passes no gradient through a clipped probability, as TF.js's cross-entropy does", async () => {
    // Learning rate 5 saturates the softmax within a few steps: the targets' probabilities reach
    // 1 - 1e-7 (or fall below 1e-7) and are clipped, and both trainers must stop moving them alike.
    const exp = experimentOf({
      data: { digits: [1, 7], perDigit: 40 },
      model: { kind: "dense", hidden: [8] },
      training: { learningRate: 5 },
    });
    const run = await bothTrainers(tf, exp, batchesOf(exp), 12);
    const clipped = run.targetProbabilities().filter((p) => p < 1e-7 || p > 1 - 1e-7).length;
    assert.ok(clipped > 0, "the softmax should saturate");
    for (const [tfjs, fused] of run.losses)
      assert.ok(Math.abs(tfjs - fused) <= 1e-4 * Math.max(1, tfjs), `loss ${fused} against TF.js's ${tfjs}`);
    const diff = largestDifference(run.reference, run.fused);
    assert.ok(diff < 1e-5, `weights differ from TF.js's by ${diff} of the largest`);
    run.dispose();
  });

  // SHA-256 (first 32 hex digits) of every step's loss (float64) then every weight (float32) after
  // training with train()'s shuffle, as the plain JavaScript trainer of commit 4457d82 gave them
  // before the WebAssembly kernel: the built-in model on 1,000 digits (3 epochs of 32), and three
  // odd-sized hidden layers (15, 7, 3; an odd number of units in each, batches of 31) per activation.
  const javascriptTrainer: [object, string][] = [
    [{ data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 100 }, training: { epochs: 3 } }, "02abfa6600119186326134b01a9d5ce0"],
    ...(
      [
        ["relu", "84d99e579eb7e6ec02273190f2b5aaef"],
        ["tanh", "42be431c96bf3767adf23f86675ee62d"],
        ["sigmoid", "adf4e44829525f9040a3205605b6f383"],
        ["elu", "35b321de14807b5a2a4a68e41d32d6be"],
        ["selu", "d3d053f09270bbe3e071b97a5a526db5"],
        ["linear", "3c5a6db5296be64bd9706cc549ad3d74"],
      ] as const
    ).map(([activation, hash]): [object, string] => [
      {
        data: { digits: [3, 5, 8], perDigit: 49 },
        model: { kind: "dense", hidden: [15, 7, 3], activation },
        training: { epochs: 2, batchSize: 31, learningRate: 0.01 },
      },
      hash,
    ]),
  ];
  for (const [settings, expected] of javascriptTrainer) {
    it(`takes the JavaScript trainer's steps bit for bit: ${JSON.stringify(settings)}`, async () => {
      const exp = experimentOf(settings);
      const b = batchesOf(exp);
      const { batchSize, epochs } = exp.training;
      const trained = await modelFor(tf, exp, file, b.data, b.y.length / b.count);
      const trainer = await DenseTrainer.create(tf, trained.model, b.x, b.y, b.count, batchSize);
      const random = randomFor(exp.seed, "shuffle");
      const order = Array.from({ length: b.count }, (_, i) => i);
      const losses: number[] = [];
      for (let epoch = 0; epoch < epochs; epoch++) {
        const perm = shuffled(order, random);
        for (let start = 0; start < b.count; start += batchSize)
          losses.push(trainer.step(perm, start, Math.min(b.count, start + batchSize)));
      }
      trainer.writeBack();
      const hash = createHash("sha256").update(new Float64Array(losses));
      for (const w of weightsOf(trained)) hash.update(w);
      trained.model.dispose();
      assert.equal(hash.digest("hex").slice(0, 32), expected);
    });
  }

  it("trains in train(): the same seed gives the same weights, snapshots read them, a cancel lands between batches", async () => {
    const exp = experimentOf({ data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 30 }, training: { epochs: 2 } });
    const trainOnce = async (onEpochEnd?: (trained: Trained, epoch: number) => Promise<void>) => {
      const trained = await modelFor(tf, exp, file, ones.data, 10);
      const progress: TrainProgress[] = [];
      await train(
        tf,
        trained,
        exp,
        ones.x,
        ones.y,
        ones.count,
        (p) => progress.push(p),
        undefined,
        (epoch) => (onEpochEnd ? onEpochEnd(trained, epoch) : Promise.resolve()),
      );
      return { trained, progress };
    };
    const atEpochEnd: Float32Array[][] = [];
    const first = await trainOnce(async (trained) => {
      atEpochEnd.push(weightsOf(trained));
    });
    const second = await trainOnce();
    assert.deepEqual(weightsOf(first.trained), weightsOf(second.trained), "same seed, same weights, bit for bit");
    assert.equal(atEpochEnd.length, 2);
    assert.ok(largestDifference(atEpochEnd[0], atEpochEnd[1]) > 1e-4, "the model held epoch 1's weights at its end");
    assert.deepEqual(atEpochEnd[1], weightsOf(first.trained), "the model holds the last epoch's weights");
    assert.equal(first.progress.at(-1)?.fraction, 1);
    assert.ok(first.progress.every((p) => Number.isFinite(p.loss) && p.loss > 0));

    const controller = new AbortController();
    const cancelled = await modelFor(tf, exp, file, ones.data, 10);
    let batches = 0;
    await assert.rejects(
      train(
        tf,
        cancelled,
        exp,
        ones.x,
        ones.y,
        ones.count,
        () => {
          batches += 8;
          if (batches >= 8) controller.abort();
        },
        controller.signal,
      ),
      { name: "AbortError" },
    );
    [first, second].forEach((t) => t.trained.model.dispose());
    cancelled.model.dispose();
  });

  it("gives the same weights on TF.js's cpu backend as on wasm, bit for bit (its arithmetic is its own, not the backend's)", async () => {
    const exp = experimentOf({ data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perDigit: 30 }, training: { epochs: 1 } });
    const weightsOn = async (backend: string) => {
      assert.ok(await tf.setBackend(backend));
      const trained = await modelFor(tf, exp, file, ones.data, 10);
      await train(tf, trained, exp, ones.x, ones.y, ones.count, () => {});
      const weights = weightsOf(trained);
      trained.model.dispose();
      return weights;
    };
    try {
      assert.deepEqual(await weightsOn("cpu"), await weightsOn("wasm"));
    } finally {
      await tf.setBackend("wasm");
    }
  });

  it("refuses a model that is not dense layers ending in a softmax", async () => {
    const exp = experimentOf({ data: { digits: [1, 7], perDigit: 20 }, model: { kind: "cnn", conv: [{ filters: 2 }], dense: [4] } });
    const b = batchesOf(exp);
    const trained = await modelFor(tf, exp, file, b.data, 2);
    await assert.rejects(DenseTrainer.create(tf, trained.model, b.x, b.y, b.count, 32), /dense layers ending in a softmax: layer conv/);
    trained.model.dispose();
  });
});
