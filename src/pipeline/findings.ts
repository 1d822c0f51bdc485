// The report's three questions, computed: from which layer are the classes apart, which images
// are worth a look (outliers.ts), and where do unseen digits go; each share with its 95% interval,
// each layer with its test of independence and each unseen digit's preferred path with its
// p-value (statistics.ts), and with stability runs, how far the findings move over them.
import { round4, SEPARATION_PURITY } from "../shared/figures";
import type {
  Findings,
  FindingsStability,
  IndependenceTest,
  InjectedFinding,
  Interval,
  LayerFinding,
  LayerResult,
  PathPreference,
} from "../shared/results";
import { outliers } from "./outliers";
import { independenceTest, mcnemarExact, percentileInterval, wilson } from "./statistics";

/** How many of `total` images the model got right. */
export interface Tally {
  correct: number;
  total: number;
}

export interface FindingsInput {
  classes: number[];
  labels: ArrayLike<number>;
  injected: ArrayLike<boolean>;
  predictions: ArrayLike<number>;
  /** Per image, the model's probability for its prediction; absent when unknown (imported predictions). */
  confidence?: ArrayLike<number>;
  layers: Pick<
    LayerResult,
    | "name"
    | "size"
    | "k"
    | "silhouette"
    | "assignments"
    | "neighbourCount"
    | "umapNeighboursKept"
    | "pcaNeighboursKept"
    | "approximateNeighbours"
  >[];
  /** Per image, its distance to its cluster's centroid in the last hidden layer (layer.ts's centroidDistances). */
  lastLayerDistances: ArrayLike<number>;
  /** The held-out accuracy's tally is null without held-out images. */
  accuracy: { train: Tally; test: Tally | null };
  /** Per layer, layerIndependence's test of its clusters. */
  independence: IndependenceTest[];
}

function counted<T>(items: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

/** The most frequent item, the smallest on ties (clusters are numbered, so this is stable). */
function mostFrequent(counts: Map<number, number>): [number, number] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
}

export function entropyBits(counts: Iterable<number>): number {
  const values = [...counts];
  const total = values.reduce((a, b) => a + b, 0);
  // max(0, ...) turns the -0 of a single path into 0.
  return Math.max(
    0,
    values.reduce((h, c) => (c > 0 ? h - (c / total) * Math.log2(c / total) : h), 0),
  );
}

/** Whether a layer separates the kept digits: each held together (purity >= SEPARATION_PURITY), no two in one cluster. */
export function separates(layer: Pick<LayerFinding, "purity" | "dominantCluster">, classes: number[]): boolean {
  return (
    classes.every((d) => layer.purity[d] >= SEPARATION_PURITY) &&
    new Set(classes.map((d) => layer.dominantCluster[d])).size === classes.length
  );
}

/** A p-value to 4 significant digits: round4 would turn a McNemar p of 1e-30 into 0. */
const significant = (p: number) => Number(p.toPrecision(4));

const interval = ([low, high]: Interval): Interval => [round4(low), round4(high)];

/** Each kept class's images, in image order. */
function keptByClass(input: Pick<FindingsInput, "classes" | "labels" | "injected">): Map<number, number[]> {
  const byClass = new Map(input.classes.map((d) => [d, [] as number[]]));
  for (let i = 0; i < input.labels.length; i++) if (!input.injected[i]) byClass.get(input.labels[i])?.push(i);
  return byClass;
}

/**
 * Whether a layer's clusters depend on the kept images' classes: statistics.ts's G-test, its
 * permutations seeded by `seed`. Apart from findings() so that a run can test each layer as soon as
 * it has clustered, while another layer still runs (layers.ts).
 */
export function layerIndependence(
  input: Pick<FindingsInput, "classes" | "labels" | "injected">,
  assignments: ArrayLike<number>,
  k: number,
  seed: number,
): IndependenceTest {
  const classIndex = new Map(input.classes.map((d, c) => [d, c]));
  const keptImages = [...keptByClass(input).values()].flat();
  return independenceTest(
    keptImages.map((i) => classIndex.get(input.labels[i])!),
    keptImages.map((i) => assignments[i]),
    input.classes.length,
    k,
    seed,
  );
}

/** Injected label -> its images, in image order. */
function injectedByLabel(input: Pick<FindingsInput, "labels" | "injected">): Map<number, number[]> {
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < input.labels.length; i++) {
    if (!input.injected[i]) continue;
    const d = input.labels[i];
    if (!byLabel.has(d)) byLabel.set(d, []);
    byLabel.get(d)!.push(i);
  }
  return byLabel;
}

/** Per layer, each kept class's dominant cluster and how many of its images sit there. */
function dominantClusters(assignments: ArrayLike<number>[], kept: Map<number, number[]>): { cluster: number; count: number }[][] {
  return assignments.map((a) =>
    [...kept.values()].map((images) => {
      const [cluster, count] = mostFrequent(counted(images.map((i) => a[i])));
      return { cluster, count };
    }),
  );
}

/**
 * Injected label -> its images, and per kept class the ones whose cluster is that class's dominant
 * one (`dominant`, per layer) in every layer: the images that follow its path.
 */
function injectedFollowers(
  input: Pick<FindingsInput, "classes" | "labels" | "injected">,
  assignments: ArrayLike<number>[],
  dominant: Record<string, number>[],
): Map<number, { images: number[]; follow: Map<number, Set<number>> }> {
  return new Map(
    [...injectedByLabel(input)].map(([d, images]) => {
      const follows = (k: number) => new Set(images.filter((i) => assignments.every((a, l) => a[i] === dominant[l][k])));
      return [d, { images, follow: new Map(input.classes.map((k) => [k, follows(k)])) }];
    }),
  );
}

/** The separation layer (1-based, or null) and the follow-the-path shares of one clustering of every layer: what a stability run redoes. */
export function pathFindings(
  input: Pick<FindingsInput, "classes" | "labels" | "injected">,
  assignments: ArrayLike<number>[],
): { separationLayer: number | null; followsPathOf: Record<string, Record<string, number>> } {
  const kept = keptByClass(input);
  const dominant = dominantClusters(assignments, kept);
  const layers = dominant.map((perClass) => ({
    // Rounded as the results' purities are, so that a run and the main findings judge separation alike.
    purity: Object.fromEntries(input.classes.map((d, c) => [d, round4(perClass[c].count / kept.get(d)!.length)])),
    dominantCluster: Object.fromEntries(input.classes.map((d, c) => [d, perClass[c].cluster])),
  }));
  const separation = layers.findIndex((l) => separates(l, input.classes));
  const followsPathOf: Record<string, Record<string, number>> = {};
  for (const [d, { images, follow }] of injectedFollowers(
    input,
    assignments,
    layers.map((l) => l.dominantCluster),
  )) {
    followsPathOf[d] = Object.fromEntries(input.classes.map((k) => [k, follow.get(k)!.size / images.length]));
  }
  return { separationLayer: separation < 0 ? null : separation + 1, followsPathOf };
}

/** How the separation layer and the follow-the-path shares move over the stability runs. */
export function findingsStability(input: Pick<FindingsInput, "classes" | "labels" | "injected">, runs: Int32Array[][]): FindingsStability {
  const perRun = runs.map((assignments) => pathFindings(input, assignments));
  const separationLayer: Record<string, number> = {};
  for (const r of perRun) {
    const key = r.separationLayer === null ? "none" : String(r.separationLayer);
    separationLayer[key] = (separationLayer[key] ?? 0) + 1;
  }
  const followsPathOf: Record<string, Record<string, Interval>> = {};
  for (const d of injectedByLabel(input).keys())
    followsPathOf[d] = Object.fromEntries(
      input.classes.map((k) => [k, interval(percentileInterval(perRun.map((r) => r.followsPathOf[d][k])))]),
    );
  return { runs: runs.length, separationLayer, followsPathOf };
}

/**
 * The findings of one model state. `stabilityRuns`: the experiment's stability runs (stability.ts),
 * run -> hidden layer -> each image's cluster, kept and injected, in that run's clustering; the
 * findings' spread over them is `stability`.
 */
export function findings(input: FindingsInput, stabilityRuns?: Int32Array[][]): Findings {
  const kept = keptByClass(input);
  const assignments = input.layers.map((l) => l.assignments);
  const dominant = dominantClusters(assignments, kept);

  const layers: LayerFinding[] = input.layers.map((layer, l) => {
    const purity: Record<string, number> = {};
    const purityInterval: Record<string, Interval> = {};
    const dominantCluster: Record<string, number> = {};
    input.classes.forEach((d, c) => {
      const { cluster, count } = dominant[l][c];
      const total = kept.get(d)!.length;
      purity[d] = round4(count / total);
      purityInterval[d] = interval(wilson(count, total));
      dominantCluster[d] = cluster;
    });
    const independence = input.independence[l];
    return {
      name: layer.name,
      size: layer.size,
      k: layer.k,
      silhouette: round4(layer.silhouette),
      ...(layer.umapNeighboursKept !== undefined && {
        neighbourCount: layer.neighbourCount,
        umapNeighboursKept: layer.umapNeighboursKept,
        pcaNeighboursKept: layer.pcaNeighboursKept,
        ...(layer.approximateNeighbours && { approximateNeighbours: true as const }),
      }),
      purity,
      purityInterval,
      dominantCluster,
      independence: { ...independence, g: round4(independence.g), pValue: significant(independence.pValue) },
    };
  });

  const separationIndex = layers.findIndex((l) => separates(l, input.classes));

  const injected: Record<string, InjectedFinding> = {};
  for (const [d, { images, follow }] of injectedFollowers(
    input,
    assignments,
    layers.map((l) => l.dominantCluster),
  )) {
    const followsPathOf: Record<string, number> = {};
    const followsPathOfInterval: Record<string, Interval> = {};
    for (const k of input.classes) {
      followsPathOf[k] = round4(follow.get(k)!.size / images.length);
      followsPathOfInterval[k] = interval(wilson(follow.get(k)!.size, images.length));
    }
    const paths = counted(images.map((i) => [...input.layers.map((l) => l.assignments[i]), input.predictions[i]].join(">")));
    const predicted: Record<string, number> = {};
    const predictedInterval: Record<string, Interval> = {};
    for (const [p, c] of counted(images.map((i) => input.predictions[i]))) {
      predicted[p] = round4(c / images.length);
      predictedInterval[p] = interval(wilson(c, images.length));
    }
    injected[d] = {
      count: images.length,
      followsPathOf,
      followsPathOfInterval,
      ...(input.classes.length >= 2 && { preference: preference(follow, input.classes) }),
      pathEntropy: round4(entropyBits(paths.values())),
      predicted,
      predictedInterval,
    };
  }

  const { train, test } = input.accuracy;
  return {
    accuracy: { train: round4(train.correct / train.total), test: test === null ? null : round4(test.correct / test.total) },
    accuracyInterval: {
      train: interval(wilson(train.correct, train.total)),
      test: test === null ? null : interval(wilson(test.correct, test.total)),
    },
    layers,
    separationLayer: separationIndex < 0 ? null : separationIndex + 1,
    injected,
    outliers: outliers({
      labels: input.labels,
      injected: input.injected,
      predictions: input.predictions,
      confidence: input.confidence,
      assignments,
      lastLayerDistances: input.lastLayerDistances,
      dominantCluster: layers.map((l) => l.dominantCluster),
    }),
    ...(stabilityRuns && stabilityRuns.length > 0 && { stability: findingsStability(input, stabilityRuns) }),
  };
}

/**
 * Whether the injected images follow the most followed kept class's path more than the runner-up's:
 * exact McNemar on the images that follow exactly one of the two (an image can follow both when
 * the two classes share their dominant cluster in every layer).
 */
function preference(follow: Map<number, Set<number>>, classes: number[]): PathPreference {
  const [more, than] = [...classes].sort((a, b) => follow.get(b)!.size - follow.get(a)!.size || a - b);
  const a = follow.get(more)!;
  const b = follow.get(than)!;
  const onlyMore = [...a].filter((i) => !b.has(i)).length;
  const onlyThan = [...b].filter((i) => !a.has(i)).length;
  return { more, than, pValue: significant(mcnemarExact(onlyMore, onlyThan)) };
}
