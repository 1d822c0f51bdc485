// The PCA map (src/pipeline/pca.ts) on real data, MNIST's first 2,000 training digits as 784-d
// points, checked against numpy's eigh of the same covariance (Debian's python3-numpy; with
// MTQ_REQUIRE_PYTHON=1, as CI sets it, a missing numpy is a failure, not a skip).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { pcaMap } from "../src/pipeline/pca";
import { tempDir } from "./helpers";

const PYTHON = "/usr/bin/python3";
const DIM = 784;
const KEPT = 2000;
const INJECTED = 100;

/** KEPT + INJECTED digits' pixels as 0..1 floats: the last INJECTED play the injected images. */
const points = Float32Array.from(readIdx(mnistFile("train-images-idx3-ubyte")).data.subarray(0, (KEPT + INJECTED) * DIM), (v) => v / 255);

function numpyMissing(): string | undefined {
  try {
    execFileSync(PYTHON, ["-c", "import numpy"], { stdio: "pipe" });
    return undefined;
  } catch {
    const why = `${PYTHON} cannot import numpy: apt-get install -y python3-numpy`;
    if (process.env.MTQ_REQUIRE_PYTHON === "1") throw new Error(`${why} (MTQ_REQUIRE_PYTHON=1)`);
    return why;
  }
}

describe("pcaMap", () => {
  const { map, explained } = pcaMap(points, DIM, KEPT);

  it("projects every image, kept and injected, and is the same for the same signatures", () => {
    assert.equal(map.length, 2 * (KEPT + INJECTED));
    assert.deepEqual(pcaMap(points, DIM, KEPT).map, map);
  });

  it("gives uncorrelated axes, the first of larger variance, centred on the kept images", () => {
    let mx = 0;
    let my = 0;
    for (let i = 0; i < KEPT; i++) {
      mx += map[2 * i];
      my += map[2 * i + 1];
    }
    mx /= KEPT;
    my /= KEPT;
    let vx = 0;
    let vy = 0;
    let cxy = 0;
    for (let i = 0; i < KEPT; i++) {
      vx += (map[2 * i] - mx) ** 2;
      vy += (map[2 * i + 1] - my) ** 2;
      cxy += (map[2 * i] - mx) * (map[2 * i + 1] - my);
    }
    assert.ok(Math.abs(mx) < 1e-4 && Math.abs(my) < 1e-4, `mean (${mx}, ${my})`);
    assert.ok(vx > vy, `variances ${vx}, ${vy}`);
    assert.ok(Math.abs(cxy) / Math.sqrt(vx * vy) < 1e-4, `correlation ${cxy / Math.sqrt(vx * vy)}`);
    assert.ok(explained[0] > explained[1] && explained[1] > 0 && explained[0] + explained[1] < 1, `explained ${explained}`);
  });

  it("matches numpy's principal components (up to each axis's sign) and explained variance", (t) => {
    const missing = numpyMissing();
    if (missing) return t.skip(missing);
    const dir = tempDir();
    const file = join(dir, "points.f32");
    writeFileSync(file, points);
    const script = [
      "import numpy as np, json, sys",
      `x = np.fromfile(sys.argv[1], dtype='<f4').reshape(-1, ${DIM}).astype(np.float64)`,
      `kept = x[:${KEPT}]`,
      "mean = kept.mean(axis=0)",
      "values, vectors = np.linalg.eigh(np.cov(kept, rowvar=False))",
      "order = np.argsort(values)[::-1][:2]",
      "proj = (x - mean) @ vectors[:, order]",
      "print(json.dumps({'map': proj.ravel().tolist(), 'explained': (values[order] / values.clip(min=0).sum()).tolist()}))",
    ].join("\n");
    const want = JSON.parse(execFileSync(PYTHON, ["-c", script, file], { encoding: "utf8", maxBuffer: 1 << 26 })) as {
      map: number[];
      explained: number[];
    };
    for (const axis of [0, 1]) {
      const sign = Math.sign(want.map[axis]) === Math.sign(map[axis]) ? 1 : -1;
      let worst = 0;
      for (let i = 0; i < KEPT + INJECTED; i++) worst = Math.max(worst, Math.abs(map[2 * i + axis] - sign * want.map[2 * i + axis]));
      assert.ok(worst < 1e-3, `axis ${axis}: largest difference from numpy ${worst}`);
      assert.ok(
        Math.abs(explained[axis] - want.explained[axis]) < 1e-9,
        `axis ${axis}: explained ${explained[axis]} vs ${want.explained[axis]}`,
      );
    }
  });
});
