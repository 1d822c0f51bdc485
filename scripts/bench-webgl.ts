// Decides how the results view's maps draw with WebGL: our own small layer (webview/glPoints.ts)
// against regl-scatterplot, on one map of the 70,000 MNIST digits (layer 1's UMAP, coloured by
// digit, injected images as rings) in Debian's chromium, headless, WebGL on SwiftShader (no GPU).
// Each run in a fresh page, the two alternating: the first paint (context, upload, draw, to the
// painted frame), a selection of the left 30% (to painted) and the frame time over 30 pan and
// zoom frames. Prints figures; not a test. `npm run bench:webgl -- FILE.results.json` takes
// another results file.
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { DIGIT_COLORS } from "../src/shared/digitColors";
import { readResultsFile } from "../src/results/read";
import { browserMissing, launchChromium } from "../test/browser/browser";
import { allOfMnistResults } from "./allOfMnistResults";
import type { BenchPoints, Timing } from "./bench-webgl/page";

const root = join(__dirname, "..");
const RUNS = 5;

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  const file = allOfMnistResults();
  const { results } = await readResultsFile(file);
  const points: BenchPoints = {
    xy: Array.from(results.layers[0].umap),
    labels: Array.from(results.images.labels),
    injected: Array.from(results.images.injected, Boolean),
    colors: Array.from({ length: Math.max(...results.images.labels) + 1 }, (_, d) => DIGIT_COLORS[d] ?? "#888888"),
  };
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
    const timings: Record<"ours" | "regl", Timing[]> = { ours: [], regl: [] };
    let renderer = "";
    for (let run = 0; run < RUNS; run++) {
      for (const which of ["ours", "regl"] as const) {
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
      `${results.images.count.toLocaleString("en")} points, one map 700 x 520 (chromium ${browser.version()}, headless, WebGL on ${renderer}); ` +
        `median of ${RUNS} fresh pages each; load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")} at the end\n`,
    );
    process.stdout.write("| | first paint | selection to painted | pan/zoom frame |\n|---|---:|---:|---:|\n");
    for (const [name, list] of [
      ["own WebGL layer (webview/glPoints.ts)", timings.ours],
      ["regl-scatterplot 1.16", timings.regl],
    ] as const) {
      const f = (k: keyof Timing) => `${median(list.map((t) => t[k])).toFixed(1)} ms`;
      process.stdout.write(`| ${name} | ${f("firstPaint")} | ${f("selection")} | ${f("frame")} |\n`);
    }
    process.stdout.write(`(bench page with both: ${(bundle / 1024).toFixed(0)} KB)\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-webgl: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
