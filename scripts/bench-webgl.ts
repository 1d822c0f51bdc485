// Decides how the results view's maps draw: our own small WebGL layer (webview/glPoints.ts)
// against regl-scatterplot and against rasterising the points in JS (webview/raster.ts), on one
// map of 10,000, 20,000, 40,000 and all 70,000 MNIST digits (layer 1's UMAP, coloured by digit,
// injected images as rings), and of the million of `npm run million` when its results are there
// (ours and the raster), in Debian's chromium, headless, WebGL on SwiftShader (no GPU).
// Each run in a fresh page, the two alternating: the first paint (context, upload, draw, to the
// painted frame), a selection of the left 30% (to painted) and the frame time over 30 pan and
// zoom frames. Prints figures; not a test. `npm run bench:webgl -- FILE.results.json` takes
// another results file.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { DIGIT_COLORS } from "../src/shared/digitColors";
import { readResultsFile } from "../src/results/read";
import { browserMissing, launchChromium } from "../test/browser/browser";
import type { Results } from "../src/shared/results";
import { allOfMnistResults } from "./allOfMnistResults";
import { MILLION_DIR } from "./million";
import type { BenchPoints, Timing } from "./bench-webgl/page";
import { median } from "./median";

const root = join(__dirname, "..");
const RUNS = 5;
/** The million's results as `npm run bench` writes them, or as bench:webview converts them. */
const MILLION_RESULTS =
  [join(MILLION_DIR, "million.results.json"), join(MILLION_DIR, "million.columns.results.json")].find(existsSync) ?? "";

async function pageBundle(): Promise<string> {
  const out = join(root, ".tmp", "bench-webgl", "page.js");
  mkdirSync(join(root, ".tmp", "bench-webgl"), { recursive: true });
  await esbuild.build({
    entryPoints: [join(__dirname, "bench-webgl", "page.ts")],
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    outfile: out,
    logLevel: "warning",
  });
  return readFileSync(out, "utf8");
}

type Contender = "ours" | "regl" | "raster";
const NAMES: Record<Contender, string> = {
  ours: "own WebGL layer (webview/glPoints.ts)",
  regl: "regl-scatterplot 1.16",
  raster: "JS raster on a 2-D canvas (webview/raster.ts)",
};

/** The first `count` points of `results`' layer 1 (all when count is undefined). */
function pointsOf(results: Results, count = results.images.count): BenchPoints {
  return {
    xy: Array.from(results.layers[0].umap).slice(0, 2 * count),
    labels: Array.from(results.images.labels).slice(0, count),
    injected: Array.from(results.images.injected, Boolean).slice(0, count),
    colors: Array.from(
      { length: Array.from(results.images.labels).reduce((a, b) => Math.max(a, b), 0) + 1 },
      (_, d) => DIGIT_COLORS[d] ?? "#888888",
    ),
  };
}

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const { results } = await readResultsFile(process.argv[2] ?? allOfMnistResults());
  // Sizes either side of the view's RASTER_ABOVE (webview/maps.ts), all of MNIST, and the million when it is there.
  const sets: { points: BenchPoints; contenders: Contender[]; runs: number }[] = [10_000, 20_000, 40_000, undefined].map((count) => ({
    points: pointsOf(results, count),
    contenders: ["ours", "regl", "raster"],
    runs: RUNS,
  }));
  // Fewer runs of the million: a WebGL frame of it takes about a second on SwiftShader.
  if (!process.argv[2] && existsSync(MILLION_RESULTS))
    sets.push({ points: pointsOf((await readResultsFile(MILLION_RESULTS)).results), contenders: ["ours", "raster"], runs: 3 });
  const script = await pageBundle();
  const bundle = Buffer.byteLength(script);
  const server = createServer((req, res) => {
    if (req.url === "/page.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    res.writeHead(200, { "content-type": "text/html" }).end('<!DOCTYPE html><body></body><script src="/page.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    let renderer = "";
    for (const { points, contenders, runs } of sets) {
      const timings = Object.fromEntries(contenders.map((c) => [c, [] as Timing[]])) as Record<Contender, Timing[]>;
      for (let run = 0; run < runs; run++) {
        for (const which of contenders) {
          await page.goto(url);
          await page.waitForFunction(() => "bench" in window);
          renderer ||= await page.evaluate(() => {
            const gl = document.createElement("canvas").getContext("webgl")!;
            const info = gl.getExtension("WEBGL_debug_renderer_info");
            return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
          });
          timings[which].push(
            await page.evaluate(
              ([w, p]) => (window as unknown as { bench: Record<string, (p: BenchPoints) => Promise<Timing>> }).bench[w](p),
              [which, points] as const,
            ),
          );
        }
      }
      process.stdout.write(
        `\n${points.labels.length.toLocaleString("en")} points, one map 700 x 520 (chromium ${browser.version()}, headless, WebGL on ${renderer}); ` +
          `median of ${runs} fresh pages each; load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")} at the end\n`,
      );
      process.stdout.write("| | first paint | selection to painted | pan/zoom frame |\n|---|---:|---:|---:|\n");
      for (const c of contenders) {
        const f = (k: keyof Timing) => `${median(timings[c].map((t) => t[k])).toFixed(1)} ms`;
        process.stdout.write(`| ${NAMES[c]} | ${f("firstPaint")} | ${f("selection")} | ${f("frame")} |\n`);
      }
    }
    process.stdout.write(`(bench page with all three: ${(bundle / 1024).toFixed(0)} KB)\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-webgl: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
