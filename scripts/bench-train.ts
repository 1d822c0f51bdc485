// `npm run bench:train [-- [--against COMMIT] [--python] [--rounds R] [--no-tfjs] IMAGES...]`: training of the
// built-in model (784 -> 32 -> 64 -> softmax, ReLU, batch 32, Adam 0.001, 5 epochs, seed 24) on
// TF.js's trainOnBatch and on the fused dense trainer (src/pipeline/denseTrainer.ts), from the same
// initial weights with the same shuffle, on 10,000 MNIST digits (1,000 of each; held out: 1,000 test
// digits of each), 60,000 (the training split; held out: the 10,000 test digits) and 70,000 (both
// splits; none held out). With --against COMMIT, the dense trainer as it was at COMMIT (its
// denseTrainer.ts from git, with the WebAssembly kernel's denseKernel.ts, .wat and wasmModule.ts
// where they existed; its other imports are today's files) trains too, alternating with today's R times in this one process (a loaded machine
// slows both alike), and each of today's rows says whether its losses and weights are the same,
// bit for bit. With --python, PyTorch trains the same model in scripts/python-peer.py (--train-only;
// at 10,000 and 70,000 images; /usr/bin/python3 with python3-torch) after each of today's rows: its
// own shuffle and initial weights, the same sizes, epochs and batches. Prints the train time (wall
// and CPU), the accuracies and the load average when each training started; asserts nothing.
import { execFileSync } from "node:child_process";
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
import { commandLine, wholeNumber } from "./args";
import { moduleAt } from "./sourceAt";
import { tableRow } from "./table";

const USAGE = "npm run bench:train -- [--against COMMIT] [--python] [--rounds R] [--no-tfjs] [IMAGES...]";
const { values, positionals } = commandLine(
  {
    options: { against: { type: "string" }, python: { type: "boolean" }, rounds: { type: "string" }, "no-tfjs": { type: "boolean" } },
    allowPositionals: true,
  },
  USAGE,
);
const SIZES = positionals.length > 0 ? positionals.map((p) => wholeNumber("IMAGES", p, 0, 10, USAGE)) : [10_000, 60_000, 70_000];
const ROUNDS = wholeNumber("--rounds", values.rounds, 1, 1, USAGE);

type MakeTrainer = (tf: Tf, trained: Trained, x: Float32Array, y: Float32Array, count: number, batchSize: number) => Promise<BatchTrainer>;

type TrainerClass = {
  new (tf: Tf, model: Trained["model"], x: Float32Array, y: Float32Array, count: number, batchSize: number): BatchTrainer;
  create?: (tf: Tf, model: Trained["model"], x: Float32Array, y: Float32Array, count: number, batchSize: number) => Promise<BatchTrainer>;
};

/**
 * The dense trainer at `commit`, from its source in git (moduleAt) with its WebAssembly kernel's
 * where it had one: made by its `create` where it has one (the kernel's), else its constructor.
 */
async function trainerAt(commit: string): Promise<MakeTrainer> {
  // Its kernel as it was too, where it had one: today's would time today's loops under the old trainer.
  const { DenseTrainer: Then } = await moduleAt<{ DenseTrainer: TrainerClass }>(
    commit,
    "src/pipeline/denseTrainer.ts",
    ["denseKernel.ts", "denseKernel.wat", "wasmModule.ts"].map((name) => `src/pipeline/${name}`),
  );
  return (tf, trained, x, y, count, batchSize) =>
    Then.create
      ? Then.create(tf, trained.model, x, y, count, batchSize)
      : Promise.resolve(new Then(tf, trained.model, x, y, count, batchSize));
}

/** The sizes python-peer.py takes (its data cuts match dataFor's). */
const PYTHON_SIZES = [10_000, 70_000];

/** PyTorch's training in python-peer.py --train-only, as a row of the table. */
function pythonRow(images: number, epochs: number, batchSize: number): string {
  const load = loadavg()[0];
  const out = execFileSync(
    "/usr/bin/python3",
    [join(__dirname, "python-peer.py"), String(images), "--train-only", "--epochs", String(epochs), "--batch", String(batchSize)],
    { encoding: "utf8" },
  );
  const { stages, accuracy, threads } = JSON.parse(out) as {
    stages: { train: number; trainCpu: number };
    accuracy: { train: number; test: number | null };
    threads: number;
  };
  return tableRow([
    images.toLocaleString("en-US"),
    `PyTorch (python-peer.py, ${threads} thread${threads === 1 ? "" : "s"})`,
    `${stages.train.toFixed(2)} s`,
    `${stages.trainCpu.toFixed(2)} s`,
    `${(100 * accuracy.train).toFixed(1)}%`,
    accuracy.test === null ? "-" : `${(100 * accuracy.test).toFixed(1)}%`,
    "-",
    load.toFixed(1),
  ]);
}

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
 * train()'s making of its trainer and its loop without its progress, cancel and event-loop turns:
 * the same shuffle, batch by batch. Wall and CPU seconds (on a shared machine the CPU time is the
 * steadier of the two), the making included (the dense trainer finds every image's non-zeros
 * then, part of the run's train stage), and every step's loss.
 */
async function timedTraining(
  make: () => Promise<BatchTrainer>,
  count: number,
  epochs: number,
  batchSize: number,
  seed: number,
): Promise<{ wall: number; cpu: number; losses: Float64Array }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const trainer = await make();
  const random = randomFor(seed, "shuffle");
  const order = Array.from({ length: count }, (_, i) => i);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const perm = shuffled(order, random);
    for (let b = 0; b * batchSize < count; b++) losses.push(await trainer.step(perm, b * batchSize, Math.min(count, (b + 1) * batchSize)));
  }
  trainer.writeBack();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6, losses: new Float64Array(losses) };
}

/** The losses then the weights, as bytes: two runs took the same steps when these are equal. */
function stepsOf(losses: Float64Array, trained: Trained): Buffer {
  return Buffer.concat([
    Buffer.from(losses.buffer),
    ...trained.model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer)),
  ]);
}

interface Trainer {
  name: string;
  make: MakeTrainer;
}

/** The trainers made once already (row). */
const warm = new Set<Trainer>();

async function row(
  tf: Tf,
  prepared: PreparedData,
  file: string,
  trainer: Trainer,
  reference?: Buffer,
): Promise<{ line: string; steps: Buffer }> {
  const exp = prepared.experiment;
  const classes = sortedClasses(exp.data.digits);
  const x = scaledPixels(prepared.kept.pixels, maxPixel(prepared.kept.pixels));
  const y = oneHot(prepared.kept.labels, classes);
  const count = prepared.kept.labels.length;
  const trained: Trained = await modelFor(tf, exp, file, prepared, classes.length);
  const { batchSize, epochs } = exp.training;
  if (!warm.has(trainer)) {
    // Made once on one batch, untimed: its WebAssembly kernel is compiled then, once per process, not in a timed row.
    await trainer.make(
      tf,
      trained,
      x.subarray(0, (x.length / count) * batchSize),
      y.subarray(0, classes.length * batchSize),
      batchSize,
      batchSize,
    );
    warm.add(trainer);
  }
  const load = loadavg()[0];
  const time = await timedTraining(() => trainer.make(tf, trained, x, y, count, batchSize), count, epochs, batchSize, exp.seed);
  const steps = stepsOf(time.losses, trained);
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
  const line = tableRow([
    count.toLocaleString("en-US"),
    trainer.name,
    `${time.wall.toFixed(2)} s`,
    `${time.cpu.toFixed(2)} s`,
    `${(100 * trainAccuracy).toFixed(1)}%`,
    heldOut,
    reference ? (reference.equals(steps) ? "yes" : "no") : "-",
    load.toFixed(1),
  ]);
  return { line, steps };
}

async function main() {
  const { tf, backend } = await loadTf();
  const fused: Trainer = {
    name: "fused (denseTrainer.ts)",
    make: (tf, trained, x, y, count, b) => DenseTrainer.create(tf, trained.model, x, y, count, b),
  };
  const then: Trainer | undefined = values.against
    ? { name: `fused at ${values.against}`, make: await trainerAt(values.against) }
    : undefined;
  const tfjs: Trainer = {
    name: `TF.js trainOnBatch (${backend})`,
    make: (tf, trained, x, y, count) => Promise.resolve(tfjsTrainer(tf, trained, x, y, count)),
  };
  console.log(
    `| images | trainer | train: wall | train: CPU | train accuracy | held-out accuracy | same steps as ${values.against ?? "-"} | load |`,
  );
  console.log("|---:|---|---:|---:|---:|---:|---|---:|");
  for (const images of SIZES) {
    const file = join(__dirname, "bench.mtq.json");
    const parsed = parseExperiment(
      JSON.stringify({ name: "bench", data: { digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ...dataFor(images) }, training: { epochs: 5 } }),
      file,
    );
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    const prepared = prepareData(parsed.experiment, file);
    if (!values["no-tfjs"]) console.log((await row(tf, prepared, file, tfjs)).line);
    for (let round = 0; round < ROUNDS; round++) {
      let reference: Buffer | undefined;
      if (then) {
        const old = await row(tf, prepared, file, then);
        console.log(old.line);
        reference = old.steps;
      }
      console.log((await row(tf, prepared, file, fused, reference)).line);
      if (values.python && PYTHON_SIZES.includes(images)) {
        const { epochs, batchSize } = parsed.experiment.training;
        console.log(pythonRow(images, epochs, batchSize));
      }
    }
  }
}

void main();
