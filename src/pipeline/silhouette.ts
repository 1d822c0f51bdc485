// Exact silhouettes for several clusterings of the same points in one pass over the pairwise
// distances: each distance is computed once and added to every clustering's per-cluster sums,
// instead of recomputing all n^2 distances for each k.

export interface Clustering {
  k: number;
  /** Per point: its cluster, 0..k-1. */
  labels: Int32Array;
}

export interface SilhouetteScores {
  /** Per point: s(i) = (b - a) / max(a, b); 0 for a point alone in its cluster. */
  perPoint: Float32Array;
  mean: number;
}

/** Lets a long loop in a worker see a cancel message. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function silhouettes(
  points: Float32Array,
  dim: number,
  clusterings: Clustering[],
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<SilhouetteScores[]> {
  const n = points.length / dim;
  // sums[c][i * k + cluster] = sum of distances from point i to the points of that cluster.
  const sums = clusterings.map((c) => new Float64Array(n * c.k));
  const m = clusterings.length;
  const labelsOf = clusterings.map((c) => c.labels);
  const ks = clusterings.map((c) => c.k);
  for (let i = 0; i < n; i++) {
    if (i % 256 === 0) {
      signal?.throwIfAborted();
      onProgress?.(1 - ((n - i) * (n - i)) / (n * n));
      await yieldToEventLoop();
    }
    const oi = i * dim;
    for (let j = i + 1; j < n; j++) {
      const oj = j * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) {
        const diff = points[oi + t] - points[oj + t];
        s += diff * diff;
      }
      const d = Math.sqrt(s);
      for (let c = 0; c < m; c++) {
        const labels = labelsOf[c];
        const k = ks[c];
        sums[c][i * k + labels[j]] += d;
        sums[c][j * k + labels[i]] += d;
      }
    }
  }
  return clusterings.map((c, ci) => scoresFromSums(sums[ci], c));
}

function scoresFromSums(sums: Float64Array, { k, labels }: Clustering): SilhouetteScores {
  const n = labels.length;
  const sizes = new Int32Array(k);
  for (const l of labels) sizes[l]++;
  const perPoint = new Float32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    if (sizes[own] <= 1) continue;
    const a = sums[i * k + own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[i * k + c] / sizes[c]);
    const s = b === Infinity || Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
    perPoint[i] = s;
    total += s;
  }
  return { perPoint, mean: n > 0 ? total / n : 0 };
}
