// `npm run bench:python -- SIZE [--epochs N] [--report-settings]`: MTQ and the same pipeline in
// Python (scripts/python-peer.py: PyTorch, scikit-learn, umap-learn) on the same images with the
// same settings, one after the other, each in its own process under GNU time: each stage's time,
// the wall time and CPU time of the whole process, its peak memory (ru_maxrss), the k chosen per
// layer and the accuracies; then the ratio, whichever way it falls. Prints figures; asserts
// nothing. SIZE: 200 (1 vs 7, the first 100 of each), 2000 or 10000 (the first 200 or 1,000 of each
// digit), 70000 (every MNIST digit, both splits: examples/all-of-mnist.mtq.json's data).
//
// The same work: 5 epochs (--epochs), batch 32, Adam 0.001, the report's 784 -> 32 -> 64 ->
// softmax; k-means++ with `clustering.restarts` starts per k (MTQ's default, read from the schema)
// for k = 2..10, k by mean silhouette, exact up to EXACT_LIMIT images and above on a seeded sample
// of EXACT_LIMIT; UMAP with 15 neighbours, min_dist 0.1 and umap-js's epochs by size; MTQ's
// stability runs off (`stability.runs: 0`). --report-settings adds a third row: Python with the
// report's own settings (KMeans n_init=10, exact silhouettes on every image), not the same work.
// Needs the Debian packages python3-torch, python3-sklearn, umap-learn and time (not CI's).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseExperiment } from "../src/check/experiment";
import { experimentSchema } from "../src/shared/experiment";
import { EXACT_LIMIT } from "../src/shared/figures";
import type { Results } from "../src/shared/results";
import { defaultEpochs } from "../src/pipeline/umap";
import { tableRow } from "./table";

const root = join(__dirname, "..");
const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";
const SIZES = [200, 2000, 10000, 70000] as const;
const STAGES = ["load", "train", "signatures", "cluster", "project", "paths"] as const;
const ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

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
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs a command under GNU time: its wall time, CPU time (user + system) and peak resident memory. */
function timed(command: string, args: string[], dir: string, label: string): { wall: number; cpu: number; peakMB: number; stdout: string } {
  const measure = join(dir, `${label}.time`);
  const run = spawnSync(TIME, ["-o", measure, "-f", "%e %U %S %M", command, ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (run.status !== 0) throw new Error(`${label} failed (exit ${run.status}):\n${run.stderr.slice(-4000)}`);
  const [wall, user, system, kb] = readFileSync(measure, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { wall, cpu: user + system, peakMB: kb / 1024, stdout: run.stdout };
}

function mtqExperiment(size: number, epochs: number): object {
  const data =
    size === 70000
      ? { source: "mnist", digits: ALL_DIGITS, perDigit: "all", from: "train+test" }
      : size === 200
        ? { source: "mnist", digits: [1, 7], perDigit: 100, pick: "first" }
        : { source: "mnist", digits: ALL_DIGITS, perDigit: size / 10, pick: "first" };
  return {
    name: `bench-python-${size}`,
    seed: 24,
    data,
    model: { kind: "dense", hidden: [32, 64], activation: "relu" },
    training: { epochs, batchSize: 32, learningRate: 0.001 },
    clustering: { kMin: 2, kMax: 10 },
    projection: { neighbors: 15, minDist: 0.1 },
    // Bootstrap stability refits every layer's k-means `runs` times: Python does not, so off.
    ...("stability" in experimentSchema.shape ? { stability: { runs: 0 } } : {}),
  };
}

function runMtq(file: string, dir: string): Side {
  const out = join(dir, "mtq.results.json");
  const t = timed(process.execPath, [join(root, "dist", "cli.js"), "run", file, "--out", out], dir, "mtq");
  const results = JSON.parse(readFileSync(out, "utf8")) as Results;
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
  };
}

function runPython(size: number, epochs: number, restarts: number, umapEpochs: number, dir: string, report: boolean): Side {
  const args = [join(root, "scripts", "python-peer.py"), String(size), "--json", "--epochs", String(epochs), "--batch", "32"];
  args.push("--restarts", String(restarts), "--umap-epochs", String(umapEpochs), ...(report ? ["--report-settings"] : []));
  const t = timed(PYTHON, args, dir, report ? "python-report" : "python");
  const row = JSON.parse(t.stdout.trim().split("\n").pop()!) as Omit<Side, "side" | "wall" | "cpu"> & { settings: Record<string, string> };
  return {
    side: report ? "Python, the report's settings" : "Python",
    ...row,
    wall: t.wall,
    cpu: t.cpu,
    peakMB: t.peakMB,
  };
}

const seconds = (x: number | undefined) => (x === undefined ? "" : x.toFixed(1));
const percent = (x: number | null) => (x === null ? "none" : `${(100 * x).toFixed(1)}%`);

/** "MTQ 2.1 times faster" or "Python 1.3 times faster": the ratio whichever way it falls. */
function ratio(what: string, mtq: number, python: number, less: string): string {
  if (mtq <= 0 || python <= 0) return `${what}: not measured`;
  return mtq <= python
    ? `${what}: MTQ ${mtq.toFixed(1)}, Python ${python.toFixed(1)}: MTQ ${(python / mtq).toFixed(2)} times ${less}`
    : `${what}: MTQ ${mtq.toFixed(1)}, Python ${python.toFixed(1)}: Python ${(mtq / python).toFixed(2)} times ${less}`;
}

function main() {
  const size = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10000);
  if (!(SIZES as readonly number[]).includes(size)) throw new Error(`SIZE is one of ${SIZES.join(", ")}`);
  const epochs = Number(option("--epochs") ?? 5);
  const report = process.argv.includes("--report-settings");
  for (const tool of [PYTHON, TIME]) if (!existsSync(tool)) throw new Error(`${tool} is missing (apt-get install python3 time)`);

  const dir = mkdtempSync(join(tmpdir(), "mtq-bench-python-"));
  try {
    const file = join(dir, `bench-python-${size}.mtq.json`);
    const experiment = mtqExperiment(size, epochs);
    const parsed = parseExperiment(JSON.stringify(experiment), file);
    if (!parsed.experiment) throw new Error(JSON.stringify(parsed.problems));
    writeFileSync(file, JSON.stringify(experiment));
    const restarts = (parsed.experiment.clustering as { restarts?: number }).restarts ?? 1;
    const umapEpochs = parsed.experiment.projection.epochs ?? defaultEpochs(size);
    const silhouettes = size > EXACT_LIMIT ? `on a seeded sample of ${EXACT_LIMIT.toLocaleString("en")}` : "exact";

    console.log(`${size.toLocaleString("en")} images, ${cpus().length} cores, Node ${process.version}; both sides:`);
    console.log(`- training: ${epochs} epochs, batch 32, Adam 0.001, 784 -> 32 -> 64 -> softmax (ReLU)`);
    console.log(`- k-means: k = 2..10, k-means++, ${restarts} start(s) per k (clustering.restarts); k by mean silhouette, ${silhouettes}`);
    console.log(`- UMAP: 15 neighbours, min_dist 0.1, ${umapEpochs} epochs (umap-js's by size); umap-learn with n_jobs=${cpus().length}`);
    console.log(
      `- MTQ: ${"stability" in experimentSchema.shape ? "stability runs off (stability.runs 0); " : ""}` +
        "its wall time includes checking the experiment and writing the results file",
    );
    console.log("- Python: its load stage includes its imports; its project stage includes numba compiling umap-learn's functions");
    console.log(
      "- silhouettes above the limit: MTQ scores every image against its 10,000-image sample in one pass for all k; " +
        "scikit-learn's silhouette_score(sample_size) scores the sampled images among themselves, for each k",
    );
    console.log("");

    const rows: Side[] = [];
    const load: string[] = [];
    const runs: [string, () => Side][] = [
      ["MTQ", () => runMtq(file, dir)],
      ["Python", () => runPython(size, epochs, restarts, umapEpochs, dir, false)],
      ...(report ? [["Python, report", () => runPython(size, epochs, 10, umapEpochs, dir, true)] as [string, () => Side]] : []),
    ];
    for (const [label, run] of runs) {
      load.push(`${label} ${loadavg()[0].toFixed(1)}`);
      rows.push(run());
    }
    console.log(
      `| side | ${STAGES.join(" | ")} | stages | wall | CPU | peak memory | k per layer | silhouettes | train accuracy | held-out accuracy |`,
    );
    console.log(`|---|${STAGES.map(() => "---:").join("|")}|---:|---:|---:|---:|---|---|---:|---:|`);
    for (const r of rows) {
      console.log(
        tableRow([
          r.side,
          ...STAGES.map((s) => seconds(r.stages[s])),
          `${r.total.toFixed(1)} s`,
          `${r.wall.toFixed(1)} s`,
          `${r.cpu.toFixed(1)} s`,
          `${r.peakMB.toFixed(0)} MB`,
          r.k.join(", "),
          r.silhouettes,
          percent(r.accuracy.train),
          percent(r.accuracy.test),
        ]),
      );
    }
    const [mtq, python] = rows;
    console.log("");
    console.log(ratio("wall time (s)", mtq.wall, python.wall, "faster"));
    console.log(
      ratio(
        "stages after load (s; load: reading the images, and loading TF.js / Python's imports)",
        mtq.total - (mtq.stages.load ?? 0),
        python.total - (python.stages.load ?? 0),
        "faster",
      ),
    );
    console.log(ratio("CPU time (s)", mtq.cpu, python.cpu, "less"));
    for (const s of ["train", "cluster", "project"] as const) {
      console.log(ratio(`${s} (s)`, mtq.stages[s] ?? 0, python.stages[s] ?? 0, "faster"));
    }
    console.log(ratio("peak memory (MB)", mtq.peakMB, python.peakMB, "less"));
    console.log(`load average (1 min) when each side started: ${load.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
