// `npm run million [-- --out DIR] [--images N] [--epochs E]`: an honest million signatures, infiMNIST-style,
// for `npm run bench` and anyone who wants to see MTQ at that size. The built-in model
// (examples/all-of-mnist.mtq.json: 784 -> 32 -> 64 -> softmax, ReLU, 5 epochs, seed 24) is trained
// on all 70,000 MNIST digits (both splits); then all 70,000 and 930,000 elastic-distortion copies
// of them (Simard et al. 2003, scripts/elastic.ts: sigma 4, alpha 34, a seeded field per copy;
// copy j distorts digit j mod 70,000) go through it, in blocks of 10,000 so memory stays bounded.
// Written as imported signatures (README, "Signatures from elsewhere"): h1.npy (float32, N x 32),
// h2.npy (float32, N x 64), labels.npy and predictions.npy (uint8, N), and million.mtq.json naming
// them, into .cache/million/ (gitignored; --out for another folder). No thumbnails: a million
// 28 x 28 images would not fit the results file's one base64 string. Nothing is redone when the
// folder's stamp (million.json) holds the same settings and the files their recorded sizes.
// Prints its own time and peak memory.
import { endianness } from "node:os";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { join, resolve } from "node:path";
import { commandLine, wholeNumber } from "./args";
import { readExperimentFile } from "../src/check/experiment";
import { fastRandomFor } from "../src/data/random";
import { activations, argmaxRows, trainedOnKept } from "../src/pipeline/model";
import { prepareData } from "../src/pipeline/prepare";
import { loadTf } from "../src/pipeline/tf";
import { writeFileAtomic } from "../src/results/atomicWrite";
import { elasticDistortion, SIMARD } from "./elastic";
import { npyBytes } from "../test/signatures-arrays";

const root = join(__dirname, "..");
const MODEL_EXPERIMENT = join(root, "examples", "all-of-mnist.mtq.json");
/** Rows distorted with one seeded stream and run through the model at a time. */
const BLOCK = 10_000;
const FILES = { h1: "h1.npy", h2: "h2.npy", labels: "labels.npy", predictions: "predictions.npy" } as const;
export const EXPERIMENT_FILE = "million.mtq.json";
/** Where `npm run million` writes by default, and the benches look for it. */
export const MILLION_DIR = join(root, ".cache", "million");
const STAMP = "million.json";

const bytesOf = (a: Float32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

interface Settings {
  images: number;
  seed: number;
  epochs: number;
  sigma: number;
  alpha: number;
  block: number;
  model: string;
}

/** The folder's files are those `settings` make: the stamp says so and every file has the size it recorded. */
function upToDate(dir: string, settings: Settings): boolean {
  const stamp = join(dir, STAMP);
  let recorded: { settings: Settings; sizes: Record<string, number> };
  try {
    recorded = JSON.parse(readFileSync(stamp, "utf8")) as typeof recorded;
  } catch {
    return false; // none yet, or not whole
  }
  if (!isDeepStrictEqual(recorded.settings, settings)) return false;
  const sizeOf = (name: string) => (existsSync(join(dir, name)) ? statSync(join(dir, name)).size : -1);
  return existsSync(join(dir, EXPERIMENT_FILE)) && Object.values(FILES).every((name) => sizeOf(name) === recorded.sizes?.[name]);
}

const USAGE = "npm run million [-- --out DIR] [--images N] [--epochs E]";

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = commandLine({ options: { out: { type: "string" }, images: { type: "string" }, epochs: { type: "string" } } }, USAGE);
  const dir = resolve(values.out ?? MILLION_DIR);
  const images = wholeNumber("--images", values.images, 1_000_000, 1, USAGE);
  // The arrays are written straight from typed arrays, in the machine's order; the files say little-endian.
  if (endianness() !== "LE") throw new Error("this machine is big-endian: the .npy files are written little-endian");

  const parsed = readExperimentFile(MODEL_EXPERIMENT);
  if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
  const exp = parsed.experiment;
  if (exp.model.kind !== "dense" || exp.model.hidden.length !== 2)
    throw new Error(`${MODEL_EXPERIMENT}: expected a dense model of two hidden layers`);
  const [h1, h2] = exp.model.hidden;
  const model = `dense 784 -> ${h1} -> ${h2} -> softmax (${exp.model.activation})`;
  const epochs = wholeNumber("--epochs", values.epochs, exp.training.epochs, 1, USAGE);
  exp.training.epochs = epochs;
  const settings: Settings = { images, seed: exp.seed, epochs, ...SIMARD, block: BLOCK, model };
  if (upToDate(dir, settings)) {
    console.log(`${dir}: up to date (${images.toLocaleString("en")} signatures; delete ${STAMP} to make them again)`);
    return;
  }
  mkdirSync(dir, { recursive: true });
  // Gone first: a run stopped half-way leaves no stamp, so the next one starts again.
  await rm(join(dir, STAMP), { force: true });

  const { tf, backend } = await loadTf();
  const prepared = prepareData(exp, MODEL_EXPERIMENT);
  const digits = prepared.kept.labels.length;
  const { trained, x, classes } = await trainedOnKept(tf, prepared, MODEL_EXPERIMENT);
  const size = prepared.rows * prepared.cols;
  const trainedAt = performance.now();
  console.log(`trained on ${digits.toLocaleString("en")} digits (${backend}, ${exp.training.epochs} epochs): ${s(trainedAt - started)}`);

  const handles: Record<keyof typeof FILES, FileHandle> = {} as never;
  const temp = (name: string) => join(dir, `.${name}.tmp`);
  const headers = {
    h1: npyBytes("<f4", [images, h1], new Uint8Array(0)),
    h2: npyBytes("<f4", [images, h2], new Uint8Array(0)),
    labels: npyBytes("|u1", [images], new Uint8Array(0)),
    predictions: npyBytes("|u1", [images], new Uint8Array(0)),
  };
  for (const key of Object.keys(FILES) as (keyof typeof FILES)[]) {
    handles[key] = await open(temp(FILES[key]), "w");
    await handles[key].write(headers[key]);
  }
  const distort = elasticDistortion(prepared.rows, prepared.cols, SIMARD);
  let distortMs = 0;
  let modelMs = 0;
  const correct = { originals: 0, copies: 0 };
  try {
    for (let first = 0; first < images; first += BLOCK) {
      const n = Math.min(BLOCK, images - first);
      const input = new Float32Array(n * size);
      const labels = new Uint8Array(n);
      const random = fastRandomFor(exp.seed, `elastic:${first / BLOCK}`);
      const t0 = performance.now();
      for (let r = 0; r < n; r++) {
        const row = first + r;
        const source = row < digits ? row : (row - digits) % digits;
        const image = x.subarray(source * size, (source + 1) * size);
        if (row < digits) input.set(image, r * size);
        else distort(image, input.subarray(r * size, (r + 1) * size), random);
        labels[r] = prepared.kept.labels[source];
      }
      const t1 = performance.now();
      const acts = await activations(tf, trained, input, n);
      const { index } = argmaxRows(acts.output, classes.length);
      const predictions = Uint8Array.from(index, (i) => classes[i]);
      modelMs += performance.now() - t1;
      distortMs += t1 - t0;
      for (let r = 0; r < n; r++) if (predictions[r] === labels[r]) correct[first + r < digits ? "originals" : "copies"]++;
      await handles.h1.write(bytesOf(acts.hidden[0]));
      await handles.h2.write(bytesOf(acts.hidden[1]));
      await handles.labels.write(bytesOf(labels));
      await handles.predictions.write(bytesOf(predictions));
      process.stdout.write(`\r${(first + n).toLocaleString("en")} of ${images.toLocaleString("en")} signatures`);
    }
  } finally {
    await Promise.all(Object.values(handles).map((h) => h.close()));
  }
  process.stdout.write("\n");
  for (const name of Object.values(FILES)) await rename(temp(name), join(dir, name));
  const experiment = {
    name: "million",
    description:
      `${images.toLocaleString("en")} signatures of the built-in model trained on all 70,000 MNIST digits: the digits, then ` +
      "elastic-distortion copies of them (npm run million)",
    seed: exp.seed,
    data: {
      source: { signatures: { layers: [FILES.h1, FILES.h2], labels: FILES.labels, predictions: FILES.predictions } },
      digits: classes,
      perDigit: "all",
    },
    clustering: exp.clustering,
    projection: exp.projection,
  };
  await writeFileAtomic(join(dir, EXPERIMENT_FILE), `${JSON.stringify(experiment, null, 2)}\n`);
  const sizes = Object.fromEntries(Object.values(FILES).map((name) => [name, statSync(join(dir, name)).size]));
  const seconds = (performance.now() - started) / 1000;
  await writeFileAtomic(join(dir, STAMP), `${JSON.stringify({ settings, sizes, seconds }, null, 2)}\n`);

  const copies = Math.max(0, images - digits);
  const share = (k: number, of: number) => (of > 0 ? `${((100 * k) / of).toFixed(1)}%` : "none");
  console.log(`distorting ${copies.toLocaleString("en")} copies: ${s(distortMs)}; the model on every image: ${s(modelMs)}`);
  console.log(
    `the model's accuracy: ${share(correct.originals, Math.min(images, digits))} on the digits it trained on, ${share(correct.copies, copies)} on the copies`,
  );
  console.log(`total ${seconds.toFixed(1)} s, peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`wrote ${Object.values(FILES).join(", ")} and ${EXPERIMENT_FILE} to ${dir}`);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
