// REPRODUCTION.md from the runs of scripts/reproduce.ts: one table per question of the report,
// its figure beside ours over every seed, and the thumbnails to write for the 7s in the 1s' cluster.
import { wilson } from "../src/pipeline/statistics";
import { INTERVAL_METHODS, SEPARATION_PURITY, UNSTABLE_JACCARD } from "../src/shared/figures";
import { pValueText, shareText } from "../src/shared/intervalText";
import type { Interval, Results } from "../src/shared/results";
import { decimal, percent, spread, table, tally } from "./reproduction-stats";
import type { SignatureFigures } from "./reproduction-signatures";

/** The seeds `npm run reproduce` runs by default, the first one's intervals shown beside the mean over all. */
export const REPRODUCTION_SEEDS = [24, 1, 2, 3, 4];

/**
 * Bootstrap resamples per run (the experiment's `stability.runs`), always on in `npm run reproduce`
 * whatever the files say, so that REPRODUCTION.md can say how far each cluster holds; more when a file asks for more.
 */
export const STABILITY_RUNS = 20;

/** Experiment name -> its results, one per seed in the same order. */
export type Runs = Map<string, Results[]>;

export interface Thumbnail {
  /** Path relative to the repository root (and to REPRODUCTION.md). */
  file: string;
  pixels: Uint8Array;
  rows: number;
  cols: number;
}

interface Context {
  seeds: number[];
  seconds: number;
  date: Date;
  thumbnailDir: string;
  /** Thumbnails are drawn this many times the images' size. */
  thumbnailScale: number;
  /** Experiment name -> per seed (the runs' order), figures of the signatures (scripts/reproduction-signatures.ts). */
  signatures: Map<string, SignatureFigures[]>;
}

const FOURS = "ones-vs-sevens-injected-4s";
const THREES = "ones-vs-sevens-injected-3s";

const imagesWhere = (r: Results, keep: (i: number) => boolean) => Array.from(r.images.labels).flatMap((_, i) => (keep(i) ? [i] : []));
const keptOf = (r: Results, digit: number) => imagesWhere(r, (i) => !r.images.injected[i] && r.images.labels[i] === digit);
const injectedOf = (r: Results, digit: number) => imagesWhere(r, (i) => Boolean(r.images.injected[i]) && r.images.labels[i] === digit);
/** Whether image i sits, at hidden layer l (0-based), in the cluster holding most of digit d's kept images. */
const inClusterOf = (r: Results, l: number, i: number, d: number) => r.layers[l].assignments[i] === r.findings.layers[l].dominantCluster[d];
const shareOf = (items: number[], keep: (i: number) => boolean) => items.filter(keep).length / items.length;
const layerNumbers = (r: Results) => r.layers.map((_, l) => l);
/** Whether no other kept digit has the same dominant cluster as d at layer l. */
const ownCluster = (r: Results, l: number, d: number) =>
  r.classes.every((o) => o === d || r.findings.layers[l].dominantCluster[o] !== r.findings.layers[l].dominantCluster[d]);
const pathOf = (r: Results, i: number) => [...r.layers.map((l) => l.assignments[i]), r.predictions[i]].join(">");

/** Every interval of the first seed set against the mean over the seeds, for the glance's count. */
type Held = { what: string; holds: boolean }[];

/**
 * The first seed's share with its 95% interval, and whether that interval holds the mean of the
 * share over every seed: "89% [81–94%], holds the mean". Recorded in `held`.
 */
function seedInterval(shares: number[], interval: Interval | undefined, what: string, held: Held): string {
  if (!interval) return "";
  if (shares.length < 2) return shareText(shares[0], interval);
  const mean = spread(shares).mean;
  // The intervals are rounded to 4 decimals in the results, the mean is not.
  const holds = mean >= interval[0] - 5e-5 && mean <= interval[1] + 5e-5;
  held.push({ what, holds });
  return `${shareText(shares[0], interval)}, ${holds ? "holds" : "misses"} the mean`;
}

/** A 2.5th-97.5th percentile interval of a share, "[85–91%]". */
const percentiles = ([low, high]: Interval) => `[${Math.round(low * 100)}–${Math.round(high * 100)}%]`;

/** Categories counted over runs ({ "2": 18, "3": 2 }), summed over seeds, as "2 (36/40), 3 (4/40)". */
function tallyCounts(records: Record<string, number>[]): string {
  const counts = new Map<string, number>();
  for (const r of records) for (const [k, n] of Object.entries(r)) counts.set(k, (counts.get(k) ?? 0) + n);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "en", { numeric: true }))
    .map(([v, c]) => `${v} (${c}/${total})`)
    .join(", ");
}

/** What one of our runs did, from its experiment: the model, the images, the training and the k search. */
function setupOf(r: Results) {
  const e = r.experiment;
  const c = e.clustering;
  const model =
    e.model.kind === "dense"
      ? `a ${r.images.rows * r.images.cols} -> ${e.model.hidden.join(" -> ")} -> softmax dense network (${e.model.activation})`
      : `a ${e.model.kind} model`;
  const picked = e.data.pick === "first" ? "first" : "randomly picked";
  const split = e.data.from === "train" ? "training" : "training and test";
  const images = `the ${picked} ${e.data.perDigit} MNIST ${split} images of each kept digit`;
  const training = `${e.training.epochs} epochs of Adam (learning rate ${e.training.learningRate}) in batches of ${e.training.batchSize}`;
  const starts = c.restarts === 1 ? "one k-means++ start per k" : `${c.restarts} k-means++ starts per k, the least inertia kept`;
  const search = c.k !== undefined ? `a fixed k = ${c.k} (${starts})` : `k = ${c.kMin}..${c.kMax} by best mean silhouette (${starts})`;
  return { model, images, training, starts, search, text: `${model}, ${images}, ${training}, ${search}` };
}

/** Our setup in one sentence when every experiment shares it, else the first's and the ones that differ. */
function ourSetup(runs: Runs): string {
  const setups = [...runs.entries()].map(([name, rs]) => ({ name, ...setupOf(rs[0]) }));
  const [first] = setups;
  const differ = setups.filter((s) => s.text !== first.text);
  const stated = `Our runs: ${first.model}, trained on ${first.images} in ${first.training}; each layer clustered with ${first.search}.`;
  return differ.length === 0
    ? `${stated} Every experiment here is a file in [examples/](examples/) with exactly this setup (\`"pick": "first"\`: the very images of the
report's \`cut_data\`); they differ only in the digits kept and injected.`
    : `${stated} Experiments set up otherwise: ${differ.map((d) => `${d.name} (${d.text})`).join("; ")}.`;
}

/** The stability runs the experiments made, as a phrase ("20"). */
function stabilityRuns(runs: Runs): string {
  return [...new Set([...runs.values()].flat().map((r) => r.findings.stability?.runs ?? 0))].join(" or ");
}

function header(runs: Runs, context: Context): string {
  const all = [...runs.values()].flat();
  const backends = [...new Set(all.map((r) => r.backend))].join(", ");
  return `# Reproducing the report

Generated by \`npm run reproduce\` ([scripts/reproduce.ts](scripts/reproduce.ts)); do not edit by hand.
Run on ${context.date.toISOString().slice(0, 16).replace("T", " ")} UTC, TF.js backend ${backends}: ${runs.size} experiments x ${context.seeds.length} seeds
(${context.seeds.join(", ")}) = ${all.length} runs in ${(context.seconds / 60).toFixed(1)} min.

The report (2021, Université de Montpellier, team MTQ, "Chemins spécifiques pour la classification
dans les réseaux de neurones profonds") trained a
784 -> 32 -> 64 -> softmax dense network (ReLU, Adam) on the first 100 MNIST training images of
each kept digit, clustered each hidden layer with k-means (k = 2..10 by best mean silhouette,
scikit-learn's \`KMeans\`) and followed every image's path; it states neither epochs nor batch size.
${ourSetup(runs)}

Every figure of ours is **mean ± standard deviation over the ${context.seeds.length} seeds (min–max)**; categorical
figures (a layer, a k) are tallied as "value (seeds/all)". Beside them, the first seed's (${context.seeds[0]}) own
uncertainty: each share with its ${INTERVAL_METHODS.share} in brackets, and whether that interval holds the
mean over the seeds; the tests' p-values; and, from ${stabilityRuns(runs)} bootstrap resamples of the kept images per run
(\`"stability"\`, which \`npm run reproduce\` always turns on), how far each layer's clusters hold (section 6). A seed sets the initial weights, the
shuffle, k-means and UMAP. Purity of a digit at a layer is the share of its images in the cluster
holding most of them (its *dominant cluster*); an image *follows digit d's path* when it sits in
d's dominant cluster in every hidden layer.`;
}

function separation(fours: Results[], threes: Results[], held: Held): string {
  const [first] = fours;
  const purity = (l: number, d: number) => fours.map((r) => r.findings.layers[l].purity[d]);
  const purityRow = (l: number, d: number, report: string) => {
    const label = `${d}s in their dominant cluster, layer ${l + 1}`;
    return [label, report, percent(purity(l, d)), seedInterval(purity(l, d), first.findings.layers[l].purityInterval[d], label, held)];
  };
  const independence = (l: number) => {
    const test = first.findings.layers[l].independence;
    return [
      `the label x cluster table differs from chance, layer ${l + 1} (G-test, p from ${test.permutations} label permutations, ` +
        `${pValueText(1 / (test.permutations + 1))} at least)`,
      "not tested",
      tally(fours.map((r) => pValueText(r.findings.layers[l].independence.pValue))),
      `G = ${test.g.toFixed(1)} (${test.degreesOfFreedom} df), ${pValueText(test.pValue)}`,
    ];
  };
  const rows = first.layers.flatMap((_, l) => [
    purityRow(l, 1, l === 0 ? "97% on average (1s and 7s), from layer 1 on" : "(same 97%, not split by layer)"),
    purityRow(l, 7, ""),
    [
      `mean of 1s and 7s, layer ${l + 1}`,
      "97%",
      percent(fours.map((r) => (r.findings.layers[l].purity[1] + r.findings.layers[l].purity[7]) / 2)),
      "",
    ],
    independence(l),
  ]);
  const accuracy = (label: string, of: (r: Results) => number, interval: Interval | null) => [
    label,
    "not given",
    percent(fours.map(of)),
    seedInterval(fours.map(of), interval ?? undefined, label, held),
  ];
  const resampled = first.findings.stability;
  const sameKept = fours.every((r, s) => JSON.stringify(keptView(r)) === JSON.stringify(keptView(threes[s])));
  const kept = sameKept
    ? "exactly the same clusters and predictions for them, seed by seed, since injected images never move the clusters"
    : "different clusters for them (see below)";
  return `## 1. From which layer do 1s and 7s behave differently?

Experiment [${FOURS}](examples/${FOURS}.mtq.json) (its kept 1s and 7s; the runs with 3s give
${kept}).

${table(
  ["", "report", "ours", `seed ${first.seed} [95% interval]`],
  [
    ...rows,
    ["1s and 7s in different dominant clusters, layer 1", "yes", tally(fours.map((r) => (ownCluster(r, 0, 1) ? "yes" : "no"))), ""],
    [
      `first layer where both have purity >= ${SEPARATION_PURITY * 100}% in distinct clusters`,
      "1",
      tally(fours.map((r) => r.findings.separationLayer)),
      resampled ? `over its ${resampled.runs} resamples: ${tallyCounts([resampled.separationLayer])}` : "",
    ],
    accuracy("training accuracy", (r) => r.findings.accuracy.train, first.findings.accuracyInterval.train),
    accuracy(
      `held-out accuracy (${first.testCount} MNIST test images)`,
      (r) => r.findings.accuracy.test ?? 0,
      first.findings.accuracyInterval.test,
    ),
  ],
)}`;
}

/** What the 3s' runs must share with the 4s' ones: the kept images' clusters and predictions. */
function keptView(r: Results) {
  const kept = Array.from(r.images.injected).findIndex(Boolean);
  return {
    assignments: r.layers.map((l) => Array.from(l.assignments).slice(0, kept)),
    predictions: Array.from(r.predictions).slice(0, kept),
  };
}

interface Stray {
  sourceIndex: number;
  pixels: Uint8Array;
  rows: number;
  cols: number;
  atLayer1: number;
  everyLayer: number;
  predictedOne: number;
}

/** The 7s in the 1s' dominant cluster at layer 1, gathered over seeds by MNIST image. */
function straySevens(fours: Results[]): { perSeed: number[][]; images: Stray[] } {
  const byImage = new Map<number, Stray>();
  const perSeed = fours.map((r) => {
    const pixels = r.images.pixels!;
    const size = r.images.rows * r.images.cols;
    const atLayer1 = keptOf(r, 7).filter((i) => inClusterOf(r, 0, i, 1));
    const everyLayer = atLayer1.filter((i) => layerNumbers(r).every((l) => inClusterOf(r, l, i, 1)));
    for (const i of atLayer1) {
      const source = r.images.sourceIndex[i];
      const stray = byImage.get(source) ?? {
        sourceIndex: source,
        pixels: pixels.subarray(i * size, (i + 1) * size),
        rows: r.images.rows,
        cols: r.images.cols,
        atLayer1: 0,
        everyLayer: 0,
        predictedOne: 0,
      };
      stray.atLayer1++;
      if (everyLayer.includes(i)) stray.everyLayer++;
      if (r.predictions[i] === 1) stray.predictedOne++;
      byImage.set(source, stray);
    }
    return [
      atLayer1.length,
      everyLayer.length,
      keptOf(r, 7).filter((i) => r.predictions[i] === 1).length,
      keptOf(r, 1).filter((i) => inClusterOf(r, 0, i, 7)).length,
    ];
  });
  const images = [...byImage.values()].sort((a, b) => b.atLayer1 - a.atLayer1 || a.sourceIndex - b.sourceIndex);
  return { perSeed, images };
}

type Strays = ReturnType<typeof straySevens>;

function sevensLikeOnes(
  { perSeed, images }: Strays,
  { thumbnailDir, thumbnailScale }: Context,
): { markdown: string; thumbnails: Thumbnail[] } {
  const column = (c: number) => perSeed.map((p) => p[c]);
  const n = perSeed.length;
  const thumbnails = images.map((s) => ({
    file: `${thumbnailDir}/seven-${s.sourceIndex}.png`,
    pixels: s.pixels,
    rows: s.rows,
    cols: s.cols,
  }));
  const imageRows = images.map((s, j) => [
    `#${s.sourceIndex}`,
    `![MNIST train #${s.sourceIndex}, a 7](${thumbnails[j].file})`,
    `${s.atLayer1}/${n}`,
    `${s.everyLayer}/${n}`,
    `${s.predictedOne}/${n}`,
  ]);
  const markdown = `## 2. Which 7s fall in the 1s' cluster?

The report: "four images of 7 were grouped in the 1s' cluster from the first hidden layer on; these
four 7s really look like 1s" (its figure 5.2, whose image ids the text does not give, so we cannot
tell whether ours are the same four).

${table(
  ["", "report", "ours"],
  [
    ["7s in the 1s' dominant cluster, layer 1", "4", decimal(column(0), 1)],
    ["... and in the 1s' cluster in every layer", '4 ("from layer 1 on")', decimal(column(1), 1)],
    ["7s predicted as 1", "not given", decimal(column(2), 1)],
    ["1s in the 7s' dominant cluster, layer 1", "not given", decimal(column(3), 1)],
  ],
)}

Every 7 that any seed puts in the 1s' cluster at layer 1, by MNIST training index (the image's
\`sourceIndex\`), with how many of the ${n} seeds agree (thumbnails ${thumbnailScale}x, white on black as in MNIST):

${table(["MNIST train #", "image", "in the 1s' cluster, layer 1", "every layer", "predicted 1"], imageRows)}`;
  return { markdown, thumbnails };
}

/** Per seed, the figures of one injected digit's paths. */
function injectedFigures(runs: Results[], digit: number) {
  return runs.map((r) => {
    const f = r.findings.injected[digit];
    const images = injectedOf(r, digit);
    const n = images.length;
    const inSevens = images.filter((i) => inClusterOf(r, 0, i, 7)).length;
    return {
      intervals: {
        follows1: f.followsPathOfInterval[1],
        follows7: f.followsPathOfInterval[7],
        mixed: wilson(Math.round((1 - f.followsPathOf[1] - f.followsPathOf[7]) * n), n),
        sevensClusterAtLayer1: wilson(inSevens, n),
        predicted1: f.predictedInterval[1] ?? wilson(0, n),
        predicted7: f.predictedInterval[7] ?? wilson(0, n),
      } as Partial<Record<string, Interval>>,
      /** Over the stability runs (bootstrap resamples of the kept images): the 2.5th-97.5th percentiles of the follow-path shares. */
      resampled: r.findings.stability?.followsPathOf[digit],
      preference: f.preference,
      follows1: f.followsPathOf[1],
      follows7: f.followsPathOf[7],
      mixed: 1 - f.followsPathOf[1] - f.followsPathOf[7],
      sevensClusterAtLayer1: shareOf(images, (i) => inClusterOf(r, 0, i, 7)),
      predicted1: f.predicted[1] ?? 0,
      predicted7: f.predicted[7] ?? 0,
      entropy: f.pathEntropy,
      paths: new Set(images.map((i) => pathOf(r, i))).size,
      possiblePaths: r.layers.reduce((p, l) => p * l.k, r.classes.length),
    };
  });
}

type Figures = ReturnType<typeof injectedFigures>;
/** The figures that are one number per seed. */
type Share = "follows1" | "follows7" | "mixed" | "sevensClusterAtLayer1" | "predicted1" | "predicted7" | "entropy" | "paths";
const pick = (figures: Figures, key: Share) => figures.map((f) => f[key]);

/** How the injected images of a digit were drawn, from the first run's experiment and images: "100 4s (the first of MNIST's train split)". */
function injectedDrawn(r: Results, digit: number): string {
  const images = injectedOf(r, digit);
  const splits = [...new Set(images.map((i) => r.images.split[i]))].join(" and ");
  const picked = r.experiment.data.pick === "first" ? "the first" : "picked at random";
  return `${images.length} ${digit}s (${picked} of MNIST's ${splits} split)`;
}

/** The path the injected digit follows more, against the other kept one: "p = 2e-18 (7 over 1)" for the first seed, and a tally over seeds. */
function preferenceCells(f: Figures): [string, string] {
  const significant = f.filter((x) => x.preference && x.preference.pValue < 0.05);
  const sides = tally(significant.map((x) => `${x.preference!.more}s' over ${x.preference!.than}s'`));
  const first = f[0].preference;
  return [
    `p < 0.05 in ${significant.length}/${f.length} seeds${significant.length > 0 ? `: ${sides}` : ""}`,
    first ? `${pValueText(first.pValue)} (${first.more}s' over ${first.than}s')` : "",
  ];
}

function fours(f: Figures, r: Results, held: Held): string {
  const row = (label: string, report: string, key: Share & keyof Figures[number]["intervals"]) => [
    label,
    report,
    percent(pick(f, key)),
    seedInterval(pick(f, key), f[0].intervals[key], `4s: ${label}`, held),
  ];
  const resampled = f[0].resampled;
  return `## 3. Where do unseen 4s go?

${injectedDrawn(r, 4)} passed through the ${r.classes.join("-vs-")} model; each lands in the
nearest cluster of each layer (the clusters are those of the kept ${r.classes.map((c) => `${c}s`).join(" and ")}).

${table(
  ["", "report", "ours", `seed ${r.seed} [95% interval]`],
  [
    row("4s following the 7s' path (every layer)", "most, from layer 1 on", "follows7"),
    [
      "... over the seed's resamples of the kept images (2.5th–97.5th percentiles)",
      "",
      "",
      resampled ? `${percentiles(resampled[7])} over ${r.findings.stability!.runs} resamples` : "",
    ],
    ["4s follow the 7s' path more than the 1s' (exact McNemar test)", "yes", ...preferenceCells(f)],
    row("4s following the 1s' path", "not given (few)", "follows1"),
    row("4s on a mixed path", "not given", "mixed"),
    row("4s in the 7s' cluster at layer 1", "most", "sevensClusterAtLayer1"),
    row("4s predicted as 7", "most (conclusion)", "predicted7"),
  ],
)}`;
}

function threes(f3: Figures, f4: Figures, threeRuns: Results[], signatures: SignatureFigures[], held: Held): string {
  const row = (label: string, report: string, key: Share, format: (v: number[]) => string) => {
    const interval = (f: Figures, digit: number) =>
      seedInterval(pick(f, key), (f[0].intervals as Record<string, Interval | undefined>)[key], `${digit}s: ${label}`, held);
    return [label, report, format(pick(f3, key)), format(pick(f4, key)), interval(f3, 3), interval(f4, 4)];
  };
  const seed = threeRuns[0].seed;
  const higher = f3.filter((f, s) => f.entropy > f4[s].entropy).length;
  const bits = Math.log2(f3[0].possiblePaths);
  const ks = threeRuns[0].layers.map((l) => l.k).join(" and ");
  const classes = threeRuns[0].classes.length;
  return `## 4. Do unseen 3s scatter?

The report: the 3s "look like neither 1s nor 7s" and "were grouped haphazardly" (figure 5.5). We
measure scattering as the entropy of the 3s' distribution over distinct paths (clusters of each
layer, then the prediction): 0 bits when all share one path.

${table(
  ["", "report", "3s (ours)", "4s (ours)", `3s, seed ${seed} [95% interval]`, `4s, seed ${seed} [95% interval]`],
  [
    row("path entropy (bits)", "3s scatter, 4s gather", "entropy", (v) => decimal(v)),
    row("distinct paths taken", "not given", "paths", (v) => decimal(v, 1)),
    row("following the 1s' path", "not given", "follows1", percent),
    row("following the 7s' path", "not given", "follows7", percent),
    row("on a mixed path", "not given", "mixed", percent),
    row("predicted as 1", "not given", "predicted1", percent),
    row("predicted as 7", "not given", "predicted7", percent),
    [
      "following one kept digit's path more than the other's (exact McNemar test)",
      "not given",
      ...preferenceCells(f3).slice(0, 1),
      preferenceCells(f4)[0],
      preferenceCells(f3)[1],
      preferenceCells(f4)[1],
    ],
  ],
)}

The 3s' paths have higher entropy than the 4s' in ${higher} of ${f3.length} seeds. With k = ${ks} (seed ${threeRuns[0].seed}) there
are only ${f3[0].possiblePaths} possible paths (${bits.toFixed(0)} bits at most): an injected image must join one of the
clusters fitted on the 1s and 7s, so "scattering" can only show as the 3s splitting between the
${classes} existing paths and between the ${classes} predictions, not as new clusters.${lean(f3, f4, signatures)}`;
}

/** The path most 3s follow on average when it beats the other by 10 points or more: the report expected no side. */
function leaning(f3: Figures): { side: "1s'" | "7s'"; share: number } | undefined {
  const ones = spread(pick(f3, "follows1")).mean;
  const sevens = spread(pick(f3, "follows7")).mean;
  if (Math.abs(ones - sevens) < 0.1) return undefined;
  return ones > sevens ? { side: "1s'", share: ones } : { side: "7s'", share: sevens };
}

/**
 * Why the 3s lean to the side they do, from the signatures: how far they sit from each kept
 * class's mean signature, against that class's own images, and how many units each class lights.
 */
function whyLean(side: number, signatures: SignatureFigures[]): string {
  const other = side === 1 ? 7 : 1;
  const cells = signatures.flatMap((layers) => layers.map((layer, l) => ({ l, distance: layer.distanceToMean })));
  const nearer = cells.filter(({ distance }) => distance["injected 3"][side] < distance["injected 3"][other]).length;
  const ratioOf = ({ distance }: (typeof cells)[number]) => distance["injected 3"][side] / distance[side][side];
  const ratio = (l: number) => cells.filter((c) => c.l === l).map(ratioOf);
  const ratios = cells.map(ratioOf);
  const layers = signatures[0].map((_, l) => l);
  const first = signatures.map((layers) => layers[0]);
  const units = (group: string) => first.map((f) => f.activeUnits[group]);
  const value = (group: string) => first.map((f) => f.activeValue[group]);
  const mean = (values: number[]) => spread(values).mean;
  // The reading the report's "neither 1s nor 7s" invites, said only when the figures bear it out.
  const fewerStronger =
    mean(units("7")) < mean(units("1")) && mean(units("7")) < mean(units("injected 3")) && mean(value("7")) > mean(value("1"));
  const reading =
    side === 1 && fewerStronger ? ` The 7s light fewer units, more strongly; a 3, lacking that pattern, reads as "not a 7".` : "";
  const { min, max } = spread(ratios);
  const perLayer = layers.map((l) => `layer ${l + 1}: ${decimal(ratio(l), 1)}`).join("; ");
  return `
With clusters that are "the 1s" and "the 7s", a 3 can only join the nearer. On the signatures of these
${signatures.length} runs (each image's Euclidean distance to a class's mean signature, averaged): the 3s lie nearer the mean ${side}
than the mean ${other} in ${nearer} of ${cells.length} layers x seeds, yet ${min.toFixed(1)} to ${max.toFixed(1)} times as far
from the mean ${side} as the ${side}s themselves (${perLayer}). In layer 1 (${first[0].size} units), the units above 0
per image: ${decimal(units("7"), 1)} for a 7, ${decimal(units("1"), 1)} for a 1, ${decimal(units("injected 3"), 1)} for a 3; their mean
value ${decimal(value("7"))} for a 7 against ${decimal(value("1"))} for a 1.${reading}`;
}

function lean(f3: Figures, f4: Figures, signatures: SignatureFigures[]): string {
  const leans = leaning(f3);
  if (!leans) return "";
  const mean = (values: number[]) => `${(spread(values).mean * 100).toFixed(0)}%`;
  return `

The 3s do not split evenly, though: on average ${mean([leans.share])} follow the ${leans.side} path.${whyLean(leans.side === "1s'" ? 1 : 7, signatures)}

Their predictions, meanwhile, split ${mean(pick(f3, "predicted1"))} 1 against ${mean(pick(f3, "predicted7"))} 7 (the 4s: ${mean(pick(f4, "predicted7"))} 7):
that split is the scatter the report saw.`;
}

function kPerLayer(runs: Runs): string {
  const rows = [...runs.entries()].map(([name, rs]) => [
    `[${name}](examples/${name}.mtq.json)`,
    rs[0].classes.join(", "),
    ...layerNumbers(rs[0]).map((l) => tally(rs.map((r) => r.layers[l].k))),
    ...layerNumbers(rs[0]).map((l) => decimal(rs.map((r) => r.layers[l].silhouette))),
  ]);
  const first = runs.values().next().value![0];
  const layers = layerNumbers(first);
  const sizes = [...new Set([...runs.values()].flatMap((rs) => rs[0].layers.map((l) => l.size)))].join(" or ");
  const { kMin, kMax } = first.experiment.clustering;
  return `## 5. The UMAP caveat: how many clusters per layer?

The report warns that UMAP's 2-D picture misleads: for 1 vs 7 at layer 1 it "visually shows three
clusters, while k-means gives two". How many blobs one sees is a judgement call; what the pipeline
decides is k, by the best mean silhouette over k = ${kMin}..${kMax} on the layer's own ${sizes} dimensions:

${table(["experiment", "digits", ...layers.map((l) => `k, layer ${l + 1}`), ...layers.map((l) => `silhouette at k, layer ${l + 1}`)], rows)}

Report: 1 vs 7, layer 1: 3 blobs in UMAP, k = 2 by k-means.`;
}

/** Clusters under UNSTABLE_JACCARD over every seed of an experiment's layer, and all its clusters. */
function unstableClusters(rs: Results[], l: number): { unstable: number; clusters: number } {
  const clusters = rs.flatMap((r) => r.layers[l].clusters);
  return {
    unstable: clusters.filter((c) => c.stability !== undefined && c.stability < UNSTABLE_JACCARD).length,
    clusters: clusters.length,
  };
}

function stability(runs: Runs): string {
  const first = runs.values().next().value![0];
  const rows = [...runs.entries()].flatMap(([name, rs]) =>
    layerNumbers(rs[0]).map((l) => {
      const layer = (r: Results) => r.layers[l].stability!;
      const { unstable, clusters } = unstableClusters(rs, l);
      const separation = rs.map((r) => r.findings.stability!.separationLayer);
      return [
        l === 0 ? `[${name}](examples/${name}.mtq.json)` : "",
        String(l + 1),
        decimal(rs.map((r) => layer(r).ari.mean)),
        `${layer(rs[0]).ari.mean.toFixed(2)} [${layer(rs[0])
          .ari.interval.map((x) => x.toFixed(2))
          .join("–")}]`,
        tallyCounts(rs.map((r) => layer(r).kChosen)),
        `${unstable} of ${clusters}`,
        l === 0 ? tallyCounts(separation) : "",
      ];
    }),
  );
  const runsPerSeed = first.findings.stability!.runs;
  return `## 6. Do the clusters hold when the images change?

Every run also redrew its kept images ${runsPerSeed} times with replacement (bootstrap resamples, the same for every
layer) and refitted each layer's k-means on them, k chosen again by silhouette. Per layer: the adjusted Rand
index of each resample's clustering to the run's own, on the images it drew (its mean over the resamples; mean ±
sd over the seeds, and the first seed's ${INTERVAL_METHODS.stability}); the k the resamples chose, all seeds
together; the clusters whose stability (the mean Jaccard of their best match over the resamples, as Hennig's
\`clusterboot\`) is under ${UNSTABLE_JACCARD}, "unstable", over all seeds; and the separation layer the resamples find.

${table(
  [
    "experiment",
    "layer",
    "ARI to the main clustering",
    `seed ${first.seed}: mean [2.5th–97.5th]`,
    "k over the resamples",
    "unstable clusters",
    "separation layer over the resamples",
  ],
  rows,
)}`;
}

function pageExperiment(name: string, rs: Results[]): string {
  const digits = rs[0].classes;
  const layers = layerNumbers(rs[0]);
  const summary = table(
    ["", "ours"],
    [
      ["training accuracy", percent(rs.map((r) => r.findings.accuracy.train))],
      [`held-out accuracy (${rs[0].testCount} MNIST test images)`, percent(rs.map((r) => r.findings.accuracy.test ?? 0))],
      [
        `separation layer (every digit >= ${SEPARATION_PURITY * 100}% in its own cluster)`,
        tally(rs.map((r) => r.findings.separationLayer)),
      ],
      ...layers.map((l) => [`k, layer ${l + 1}`, tally(rs.map((r) => r.layers[l].k))]),
    ],
  );
  const purity = table(
    ["digit", ...layers.flatMap((l) => [`purity, layer ${l + 1}`, `own cluster, layer ${l + 1}`])],
    digits.map((d) => [
      String(d),
      ...layers.flatMap((l) => [
        percent(rs.map((r) => r.findings.layers[l].purity[d])),
        `${rs.filter((r) => ownCluster(r, l, d)).length}/${rs.length}`,
      ]),
    ]),
  );
  return `### [${name}](examples/${name}.mtq.json): digits ${digits.join(", ")}

${rs[0].experiment.description}

${summary}

${purity}`;
}

function pageExperiments(runs: Runs): string {
  const names = [...runs.keys()].filter((n) => n.startsWith("signature_"));
  return `## 7. The experiments of the report's web page

The report's Voilà page lists these ${names.length} notebooks but its text gives no figures for them, so
there is nothing to set ours against; they are here so that anyone can compare with the notebooks.
"Own cluster" counts the seeds in which no other digit has the same dominant cluster.

${names.map((n) => pageExperiment(n, runs.get(n)!)).join("\n\n")}`;
}

/** The notebook's get_best_k stops at k = 7 by default: which experiments chose more. */
function aboveSeven(runs: Runs): string {
  const names = [...runs.entries()].filter(([, rs]) => rs.some((r) => r.layers.some((l) => l.k > 7))).map(([name]) => name);
  return names.length === 0
    ? "No experiment here chose more than 7."
    : `Here ${names.join(", ")} chose k above 7 in some seeds, where the notebook's default would have stopped at 7.`;
}

function leanDifference(f3: Figures): string {
  const leans = leaning(f3);
  return leans
    ? `and our 3s, while scattering more than the 4s, lean to the ${leans.side} path ` +
        `(${percent(pick(f3, leans.side === "1s'" ? "follows1" : "follows7"))}; section 4) where the report describes no side`
    : "and our 3s scatter without leaning to either path, as the report describes";
}

function differences(runs: Runs, fours: Results[], f3: Figures, { perSeed, images }: Strays): string {
  const strays = perSeed.map((p) => p[0]);
  const setup = setupOf(fours[0]);
  const everyLayer = perSeed.map((p) => p[1]);
  return `## 8. Why our figures can differ from the report's

Where we differ: the report saw four 7s in the 1s' cluster from layer 1 on; we find
${decimal(strays, 1)} at layer 1 but only ${decimal(everyLayer, 1)} still there at layer 2 (section 2),
${leanDifference(f3)}. Both depend on a handful of images near the
boundary between two clusters (${images.length} distinct 7s fall in the 1s' cluster in some seed, section 2), which is what the causes below move:

- **Initialisation and seeds.** The report fixed k-means' seed (\`random_state=24\`) but not
  Keras's: its weights and shuffle came from unseeded TensorFlow, so even the report could not
  rerun its own figures exactly. We seed everything and show ${fours.length} seeds; the spread above
  (for instance ${decimal(strays, 1)} 7s in the 1s' cluster) is the variation the report's single run
  also carried.
- **Framework.** TF.js (${[...new Set(fours.map((r) => r.backend))].join(", ")} backend) instead of TensorFlow/Keras: the same glorot-uniform
  initialisers, Adam and cross-entropy, but different random streams and floating-point order.
- **Training length.** The report gives neither epochs nor batch size; we use ${setup.training}.
- **k-means.** ${setup.starts} (\`src/pipeline/kmeans.ts\`, the same fits as \`ml-kmeans\` 7.0.1); scikit-learn's \`KMeans\` (2021)
  kept the best of 10 starts. Cluster numbers differ; the partitions can differ at the margins
  (section 6 measures how far they move when the images are resampled).
- **k search.** The text says k = 2..10; the notebook's \`get_best_k\` defaults to \`kmax=7\` and
  scores k = 1 as 0. Both pick the same k whenever the best silhouette lies in 2..7.
  ${aboveSeven(runs)}
- **Injected images.** We place each 3 or 4 at its nearest centroid of the clusters fitted on
  the 1s and 7s (k-means' \`predict\`). The report does not say whether it refitted k-means with
  the anomalies included; refitting would let the 3s form or split clusters of their own, which
  "scatter" may describe better than our split between two fixed clusters.
- **What counts as "in the cluster".** The report read its figures off Sankey diagrams; we count
  images exactly, by dominant cluster.`;
}

function glance(fourRuns: Results[], { perSeed, images }: Strays, f3: Figures, f4: Figures, held: Held): string {
  const n = fourRuns.length;
  const seeds = (count: number) => `${count}/${n} seeds`;
  const everySeed = images.filter((s) => s.atLayer1 === n).map((s) => `#${s.sourceIndex}`);
  const rows = [
    ["1s and 7s apart from layer 1", "yes", `yes in ${seeds(fourRuns.filter((r) => r.findings.separationLayer === 1).length)}`],
    [
      "1s and 7s in their dominant cluster, layer 1",
      "97% on average",
      percent(fourRuns.map((r) => (r.findings.layers[0].purity[1] + r.findings.layers[0].purity[7]) / 2)),
    ],
    [
      "7s in the 1s' cluster",
      "four, from layer 1 on",
      `${decimal(
        perSeed.map((p) => p[0]),
        1,
      )} at layer 1; ${everySeed.join(" and ") || "no image"} in every seed`,
    ],
    ["most 4s follow the 7s' path", "yes", `yes in ${seeds(f4.filter((f) => f.follows7 > 0.5).length)}`],
    ["3s scatter more than 4s (path entropy)", "yes", `yes in ${seeds(f3.filter((f, s) => f.entropy > f4[s].entropy).length)}`],
    ["k for 1 vs 7, layer 1", "2 (UMAP: 3 blobs)", tally(fourRuns.map((r) => r.layers[0].k))],
    [
      "the 1-vs-7 clusters hold when the images are resampled",
      "not tested",
      layerNumbers(fourRuns[0])
        .map((l) => {
          const { unstable, clusters } = unstableClusters(fourRuns, l);
          return `layer ${l + 1}: ARI ${decimal(fourRuns.map((r) => r.layers[l].stability!.ari.mean))}, ${unstable} of ${clusters} clusters unstable`;
        })
        .join("; "),
    ],
    [
      `seed ${fourRuns[0].seed}'s 95% intervals (sections 1, 3, 4) hold the mean over the ${n} seeds`,
      "no interval given",
      `${held.filter((h) => h.holds).length} of ${held.length}${
        held.some((h) => !h.holds)
          ? `; not: ${held
              .filter((h) => !h.holds)
              .map((h) => h.what)
              .join("; ")}`
          : ""
      }`,
    ],
  ];
  return `## At a glance

${table(["the report's finding", "report", "ours"], rows)}`;
}

export function reproductionMarkdown(runs: Runs, context: Context): { markdown: string; thumbnails: Thumbnail[] } {
  const fourRuns = runs.get(FOURS)!;
  const threeRuns = runs.get(THREES)!;
  const strays = straySevens(fourRuns);
  const f3 = injectedFigures(threeRuns, 3);
  const f4 = injectedFigures(fourRuns, 4);
  const sevens = sevensLikeOnes(strays, context);
  // Filled by the sections with intervals, counted by the glance, which comes first.
  const held: Held = [];
  const body = [
    separation(fourRuns, threeRuns, held),
    sevens.markdown,
    fours(f4, fourRuns[0], held),
    threes(f3, f4, threeRuns, context.signatures.get(THREES)!, held),
    kPerLayer(runs),
    stability(runs),
    pageExperiments(runs),
    differences(runs, fourRuns, f3, strays),
  ];
  const sections = [header(runs, context), glance(fourRuns, strays, f3, f4, held), ...body];
  return { markdown: `${sections.join("\n\n")}\n`, thumbnails: sevens.thumbnails };
}
