// What the README says of determinism, per backend: on one backend the same experiment file and
// seed give byte-identical results apart from `timings`; on the cpu and wasm backends, the 200-image
// example (ones-vs-sevens: 200 kept, 200 injected) gives the same predictions, clusters and
// silhouettes but not the same UMAP coordinates (the dense model's trained weights are the same,
// src/pipeline/denseTrainer.ts being plain JavaScript, but each backend sums its floats in its own
// order when it computes the signatures and distances, and UMAP's layout magnifies that) nor always
// the same last decimal of an inertia. Each run is its own `mtq run` process, as a user's would be.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { promisify } from "node:util";
import { readResultsFile } from "../src/results/read";
import type { Results } from "../src/shared/results";
import { tempDir } from "./helpers";

const root = join(__dirname, "..");
const dir = tempDir();

async function run(backend: "wasm" | "cpu", name: string): Promise<Results> {
  const out = join(dir, `${name}.results.json`);
  const example = join(root, "examples", "ones-vs-sevens.mtq.json");
  await promisify(execFile)(process.execPath, [join(root, "dist", "cli.js"), "run", example, "--out", out, "--backend", backend]);
  return (await readResultsFile(out)).results;
}

/** The results without their timings and their .bin's name: what "byte-identical" covers (the .bin by its size and hash). */
function withoutTimings(results: Results): string {
  return JSON.stringify({ ...results, timings: undefined, columns: { ...results.columns, file: undefined } });
}

/** The figures the README says agree across backends (the findings but for the UMAP map's neighbours kept). */
function agreeing(r: Results) {
  return {
    images: r.images,
    predictions: r.predictions,
    confidence: r.confidence,
    layers: r.layers.map((l) => ({
      k: l.k,
      kValues: l.kValues,
      silhouetteCurve: l.silhouetteCurve,
      silhouette: l.silhouette,
      clusters: l.clusters,
      assignments: l.assignments,
      silhouettes: l.silhouettes,
    })),
    flows: r.flows,
    // How many neighbours the UMAP map keeps follows the map, which differs.
    findings: { ...r.findings, layers: r.findings.layers.map(({ umapNeighboursKept: _u, ...layer }) => layer) },
  };
}

describe("determinism, per backend", () => {
  const runs = Promise.all([run("wasm", "wasm-1"), run("wasm", "wasm-2"), run("cpu", "cpu")]);

  it("wasm: the same file and seed, run twice, give byte-identical results apart from timings", async () => {
    const [a, b] = await runs;
    assert.equal(a.backend, "wasm");
    assert.equal(b.backend, "wasm");
    assert.equal(withoutTimings(a), withoutTimings(b));
  });

  it("cpu and wasm: the same predictions, clusters and silhouettes; inertias to 1e-5 of each other; not the same UMAP maps", async () => {
    const [wasm, , cpu] = await runs;
    assert.equal(cpu.backend, "cpu");
    assert.deepEqual(agreeing(cpu), agreeing(wasm));
    wasm.layers.forEach((layer, l) =>
      layer.inertiaCurve.forEach((inertia, i) => {
        const other = cpu.layers[l].inertiaCurve[i];
        assert.ok(Math.abs(inertia - other) <= 1e-5 * Math.abs(inertia), `layer ${l + 1}, k = ${layer.kValues[i]}: ${inertia} vs ${other}`);
      }),
    );
    // What the README says differs: if the maps ever agree, say so there.
    assert.notDeepEqual(
      cpu.layers.map((l) => l.umap),
      wasm.layers.map((l) => l.umap),
    );
    // The PCA maps are linear in the signatures: within a rounding of the file's 4 decimals, their shares and neighbours kept the same.
    wasm.layers.forEach((layer, l) => {
      const other = cpu.layers[l];
      assert.deepEqual([other.pcaExplained, other.pcaNeighboursKept], [layer.pcaExplained, layer.pcaNeighboursKept]);
      const worst = Array.from(layer.pca!).reduce((m, v, i) => Math.max(m, Math.abs(v - other.pca![i])), 0);
      assert.ok(worst <= 2e-4, `layer ${l + 1}: PCA maps ${worst} apart`);
    });
  });
});
