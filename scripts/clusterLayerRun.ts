// One layer's clustering above EXACT_LIMIT (cluster.ts clusterLayer: sampled k-means and silhouettes,
// the partitioned neighbour search) from the source tree at ROOT, on the float32 signatures in FILE
// (DIM values each), in this process alone: prints its wall and CPU seconds, k and silhouette as one
// JSON line. `npm run bench:clustering -- --layers --against COMMIT` runs it on COMMIT's tree and today's.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { clusterLayer as ClusterLayer } from "../src/pipeline/cluster";
import type { loadTf as LoadTf } from "../src/pipeline/tf";

async function main() {
  const [root, file, dimText] = process.argv.slice(2);
  const { clusterLayer } = (await import(`${root}/src/pipeline/cluster`)) as { clusterLayer: typeof ClusterLayer };
  const { loadTf } = (await import(`${root}/src/pipeline/tf`)) as { loadTf: typeof LoadTf };
  const { tf } = await loadTf();
  const dim = Number(dimText);
  const bytes = readFileSync(file);
  const points = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n = points.length / dim;
  const load = loadavg()[0];
  const start = performance.now();
  const cpu = process.cpuUsage();
  const { clustering } = await clusterLayer(tf, points, dim, n, { kMin: 2, kMax: 10, seed: 24, restarts: 3, neighbours: 15 });
  const used = process.cpuUsage(cpu);
  const wall = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1e6, k: clustering.k, silhouette: clustering.silhouette, load }));
}
void main();
