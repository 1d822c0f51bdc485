// `npm run bench [-- SIZE] [--limit MINUTES] [--report-settings]`: MTQ and the same pipeline in
// Python (scripts/python-peer.py: PyTorch, scikit-learn, umap-learn) at 200, 10,000, 70,000 and
// 1,000,000 images (SIZE: one of them, or 2000), one after the other, each side in its own process
// under GNU time: each stage's time, the total, the wall and CPU time of the whole process, its peak
// memory (ru_maxrss, worker threads included), the k chosen per layer and the accuracies; then the
// ratios, whichever way they fall. A side that runs past --limit (default 30 minutes) is stopped and
// said not to finish; a side that fails is said to, with its error's last line, and the bench goes
// on. Prints figures; asserts nothing.
//
// The images: 200 (1 vs 7, the first 100 of each), 2,000 and 10,000 (the first 200 or 1,000 of each
// digit), 70,000 (every MNIST digit, both splits: examples/all-of-mnist.mtq.json's data), trained
// for 5 epochs, batch 32, Adam 0.001, the report's 784 -> 32 -> 64 -> softmax. 1,000,000: the
// signatures `npm run million` writes (made first when missing: all 70,000 digits and 930,000
// elastic-distortion copies through the built-in model trained on the 70,000), imported on both
// sides, so nothing is trained there (MTQ's results are kept, as .cache/million/million.results.json,
// for npm run bench:webview). Both sides then do the same work: k-means++ with
// `clustering.restarts` starts per k (MTQ's default, read from the schema) for k = 2..10, k by mean
// silhouette, exact up to EXACT_LIMIT images and above on a seeded sample of CLUSTER_SAMPLE; UMAP with
// 15 neighbours, min_dist 0.1 and MTQ's epochs by size (defaultEpochs); MTQ's stability runs off.
// --report-settings adds a third side: Python with the report's own settings (KMeans n_init=10,
// exact silhouettes on every image), not the same work.
// Needs the Debian packages python3-torch, python3-sklearn, umap-learn and time (not CI's).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { experimentSchema } from "../src/shared/experiment";
import { CLUSTER_SAMPLE, EXACT_LIMIT } from "../src/shared/figures";
import { binFileOf } from "../src/results/write";
import type { Results } from "../src/shared/results";
import { defaultEpochs } from "../src/pipeline/umap";
import { EXPERIMENT_FILE, MILLION_DIR } from "./million";
import { commandLine, usageError, wholeNumber } from "./args";
import { tableRow } from "./table";

const root = join(__dirname, "..");
const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";
const TIMEOUT = "/usr/bin/timeout";
const MILLION = 1_000_000;
const SIZES = [200, 2000, 10000, 70000, MILLION] as const;
const DEFAULT_SIZES = [200, 10000, 70000, MILLION];
const STAGES = ["load", "train", "signatures", "cluster", "project", "paths"] as const;
const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const EPOCHS = 5;

interface Side {
  side: string;
  stages: Partial<Record<(typeof STAGES)[number], number>>;
  /** Seconds, from the process's own clock: its stages. */
  total: number;
  /** Seconds, from GNU time: the whole process, start to exit. */
  wall: number;
  cpu: number;
  peakMB: number;
  k: number[];
  silhouettes: string;
  accuracy: { train: number; test: number | null };
  /** The 1-minute load average when it started. */
  load: number;
}

/** A side stopped at the time limit, or failed: why, as the table says it. */
interface Unfinished {
  side: string;
  why: string;
  load: number;
}

type Outcome = Side | Unfinished;
const finished = (o: Outcome): o is Side => "wall" in o;

/**
 * Runs a command under GNU time, stopped by coreutils' timeout after `minutes`: its wall time, CPU
 * time (user + system) and peak resident memory, or why it did not finish.
 */
function timed(command: string, args: string[], dir: string, label: string, minutes: number) {
  const measure = join(dir, `${label}.time`);
  const run = spawnSync(
    TIME,
    ["-o", measure, "-f", "%e %U %S %M", TIMEOUT, "--kill-after=30", String(Math.round(minutes * 60)), command, ...args],
    { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 },
  );
  // timeout exits 124 when it stopped the command, 137 when it had to kill it.
  if (run.status === 124 || run.status === 137) return `did not finish in ${minutes} min`;
  if (run.status !== 0) {
    process.stderr.write(run.stderr.slice(-4000));
    return `failed (exit ${run.status}): ${run.stderr.trim().split("\n").pop() ?? ""}`;
  }
  const [wall, user, system, kb] = readFileSync(measure, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { wall, cpu: user + system, peakMB: kb / 1024, stdout: run.stdout };
}

function mtqExperiment(size: number): object {
  const data =
    size === 70000
      ? { source: "mnist", digits: ALL_DIGITS, perDigit: "all", from: "train+test" }
      : size === 200
        ? { source: "mnist", digits: [1, 7], perDigit: 100, pick: "first" }
        : { source: "mnist", digits: ALL_DIGITS, perDigit: size / 10, pick: "first" };
  return {
    name: `bench-${size}`,
    seed: 24,
    data,
    model: { kind: "dense", hidden: [32, 64], activation: "relu" },
    training: { epochs: EPOCHS, batchSize: 32, learningRate: 0.001 },
    clustering: { kMin: 2, kMax: 10 },
    projection: { neighbors: 15, minDist: 0.1 },
    // Bootstrap stability refits every layer's k-means `runs` times: Python does not, so off.
    ...("stability" in experimentSchema.shape ? { stability: { runs: 0 } } : {}),
  };
}

/** MTQ's run; the million's results are kept beside its experiment, for `npm run bench:webview`. */
function runMtq(file: string, dir: string, minutes: number, keep: boolean): Outcome {
  const out = keep ? file.replace(/\.mtq\.json$/, ".results.json") : join(dir, "mtq.results.json");
  const load = loadavg()[0];
  const t = timed(process.execPath, [join(root, "dist", "cli.js"), "run", file, "--out", out], dir, "mtq", minutes);
  if (typeof t === "string") return { side: "MTQ", why: t, load };
  const results = JSON.parse(readFileSync(out, "utf8")) as Results;
  if (!keep) for (const f of [out, binFileOf(out)]) rmSync(f, { force: true });
  const sample = results.layers[0].silhouetteSample;
  return {
    side: `MTQ (${results.backend})`,
    stages: Object.fromEntries(STAGES.map((s) => [s, (results.timings[s] ?? 0) / 1000])),
    total: STAGES.reduce((sum, s) => sum + (results.timings[s] ?? 0), 0) / 1000,
    wall: t.wall,
    cpu: t.cpu,
    peakMB: t.peakMB,
    k: results.layers.map((l) => l.k),
    silhouettes: sample === undefined ? "exact" : `sampled (${sample.toLocaleString("en")})`,
    accuracy: results.findings.accuracy,
    load,
  };
}

function runPython(size: number, args: string[], dir: string, report: boolean, minutes: number): Outcome {
  const side = report ? "Python, the report's settings" : "Python";
  const load = loadavg()[0];
  const what = size === MILLION ? ["--signatures", MILLION_DIR] : [String(size), "--epochs", String(EPOCHS), "--batch", "32"];
  const all = [join(root, "scripts", "python-peer.py"), ...what, "--json", ...args, ...(report ? ["--report-settings"] : [])];
  const t = timed(PYTHON, all, dir, report ? "python-report" : "python", minutes);
  if (typeof t === "string") return { side, why: t, load };
  const row = JSON.parse(t.stdout.trim().split("\n").pop()!) as Omit<Side, "side" | "wall" | "cpu" | "load">;
  return { side, ...row, wall: t.wall, cpu: t.cpu, peakMB: t.peakMB, load };
}

const seconds = (x: number | undefined) => (x === undefined ? "" : x.toFixed(1));
const percent = (x: number | null) => (x === null ? "none" : `${(100 * x).toFixed(1)}%`);
const images = (size: number) => size.toLocaleString("en");

/** "MTQ 2.1 times faster" or "Python 1.3 times faster": the ratio whichever way it falls. */
function ratio(mtq: number, python: number, less: string): string {
  if (mtq <= 0 || python <= 0) return "not measured";
  return mtq <= python ? `MTQ ${(python / mtq).toFixed(2)} times ${less}` : `Python ${(mtq / python).toFixed(2)} times ${less}`;
}

/** The experiment file MTQ runs at `size`: written into `dir`, or the million's (made first when missing). */
function experimentFor(size: number, dir: string): string {
  if (size === MILLION) {
    const made = spawnSync(process.execPath, ["--import", "tsx", join(root, "scripts", "million.ts"), "--out", MILLION_DIR], {
      cwd: root,
      stdio: "inherit",
    });
    if (made.status !== 0) throw new Error("npm run million failed");
    return join(MILLION_DIR, EXPERIMENT_FILE);
  }
  const file = join(dir, `bench-${size}.mtq.json`);
  const experiment = mtqExperiment(size);
  const parsed = parseExperiment(JSON.stringify(experiment), file);
  if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
  writeFileSync(file, JSON.stringify(experiment));
  return file;
}

function sideRow(o: Outcome): string {
  if (!finished(o)) return tableRow([o.side, o.why, ...STAGES.map(() => ""), "", "", "", "", "", "", "", o.load.toFixed(1)]);
  return tableRow([
    o.side,
    ...STAGES.map((s) => seconds(o.stages[s])),
    `${o.total.toFixed(1)} s`,
    `${o.wall.toFixed(1)} s`,
    `${o.cpu.toFixed(1)} s`,
    `${o.peakMB.toFixed(0)} MB`,
    o.k.join(", "),
    o.silhouettes,
    percent(o.accuracy.train),
    percent(o.accuracy.test),
    o.load.toFixed(1),
  ]);
}

const USAGE = `npm run bench [-- SIZE] [--limit MINUTES] [--report-settings]; SIZE is one of ${SIZES.join(", ")}`;

function main() {
  const { values, positionals } = commandLine(
    { options: { limit: { type: "string" }, "report-settings": { type: "boolean" } }, allowPositionals: true },
    USAGE,
  );
  if (positionals.length > 1) usageError(`one SIZE at most, not ${positionals.join(" ")}`, USAGE);
  const sizes = positionals.length === 0 ? DEFAULT_SIZES : [Number(positionals[0])];
  if (!sizes.every((s) => (SIZES as readonly number[]).includes(s)))
    usageError(`SIZE is one of ${SIZES.join(", ")}, not ${positionals[0]}`, USAGE);
  const minutes = wholeNumber("--limit", values.limit, 30, 1, USAGE);
  const report = values["report-settings"] === true;
  for (const tool of [PYTHON, TIME, TIMEOUT]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing (apt-get install python3 time coreutils)`);
  }
  const parsedDefaults = parseExperiment(JSON.stringify(mtqExperiment(200)), join(root, "bench.mtq.json"));
  if (!parsedDefaults.experiment) throw new Error(JSON.stringify(parsedDefaults.problems));
  const restarts = (parsedDefaults.experiment.clustering as { restarts?: number }).restarts ?? 1;

  console.log(`${cpus().length} cores, Node ${process.version}; each side its own process, one after the other; both sides:`);
  console.log(`- training (not at 1,000,000, imported): ${EPOCHS} epochs, batch 32, Adam 0.001, 784 -> 32 -> 64 -> softmax (ReLU)`);
  console.log(
    `- k-means: k = 2..10, k-means++, ${restarts} start(s) per k (clustering.restarts); k by mean silhouette, ` +
      `exact up to ${images(EXACT_LIMIT)} images, above on a seeded sample of ${images(CLUSTER_SAMPLE)}`,
  );
  console.log(`- UMAP: 15 neighbours, min_dist 0.1, MTQ's epochs by size; umap-learn with n_jobs=${cpus().length}`);
  console.log("- MTQ: stability runs off; its wall time includes checking the experiment and writing the results file");
  console.log("- Python: its load stage includes its imports; its project stage includes numba compiling umap-learn's functions");
  console.log(`- a side still running after ${minutes} min is stopped (--limit MINUTES)\n`);

  const columns = [
    "stages",
    "wall",
    "CPU",
    "peak memory",
    "k per layer",
    "silhouettes",
    "train accuracy",
    "held-out accuracy",
    "load average",
  ];
  const header = tableRow(["side", ...STAGES, ...columns]);
  const rule = `|---|${STAGES.map(() => "---:").join("|")}|---:|---:|---:|---:|---|---|---:|---:|---:|`;
  const summary: string[] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "mtq-bench-"));
    try {
      const file = experimentFor(size, dir);
      const umapEpochs = defaultEpochs(size);
      const args = ["--restarts", String(restarts), "--umap-epochs", String(umapEpochs)];
      console.log(`${images(size)} images${size === MILLION ? " (imported signatures, npm run million)" : ""}; UMAP ${umapEpochs} epochs`);
      const rows: Outcome[] = [runMtq(file, dir, minutes, size === MILLION), runPython(size, args, dir, false, minutes)];
      if (report) rows.push(runPython(size, args, dir, true, minutes));
      console.log(header);
      console.log(rule);
      for (const r of rows) console.log(sideRow(r));
      const [mtq, python] = rows;
      const cell = (o: Outcome) => (finished(o) ? `${o.wall.toFixed(1)} s, ${o.cpu.toFixed(1)} s, ${o.peakMB.toFixed(0)} MB` : o.why);
      const both = finished(mtq) && finished(python);
      const stagePair = (s: (typeof STAGES)[number]) =>
        `${finished(mtq) ? seconds(mtq.stages[s]) : "-"} / ${finished(python) ? seconds(python.stages[s]) : "-"}`;
      summary.push(
        tableRow([
          images(size),
          cell(mtq),
          cell(python),
          both ? ratio(mtq.wall, python.wall, "faster") : `${finished(mtq) ? "Python" : "MTQ"} did not finish`,
          both ? ratio(mtq.cpu, python.cpu, "less") : "",
          both ? ratio(mtq.peakMB, python.peakMB, "less") : "",
          ["train", "cluster", "project"].map((s) => stagePair(s as (typeof STAGES)[number])).join(", "),
          `${mtq.load.toFixed(1)}, ${python.load.toFixed(1)}`,
        ]),
      );
      console.log("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const sides = ["MTQ: wall, CPU, peak memory", "Python: wall, CPU, peak memory", "wall time", "CPU time", "peak memory"];
  console.log(tableRow(["images", ...sides, "train, cluster, project: MTQ / Python (s)", "load average at start: MTQ, Python"]));
  console.log("|---|---|---|---|---|---|---|---|");
  for (const line of summary) console.log(line);
}

try {
  main();
} catch (e) {
  // A missing tool or a failed npm run million: its message, not a stack trace.
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
