// The TF.js backends a run may ask for, in one list: the CLI's --backend, the mtq.backend setting
// (package.json's enum and its descriptions, held equal to this by a test) and the worker's run
// options. Whichever is asked, the results record the backend that ran.
export const BACKENDS = ["auto", "tensorflow", "wasm", "cpu"] as const;

export type Backend = (typeof BACKENDS)[number];

/** What each choice loads, as the setting and `mtq` describe it. */
export const BACKEND_DESCRIPTIONS: Record<Backend, string> = {
  auto: "tfjs-node when installed, else wasm, else cpu",
  tensorflow: "tfjs-node (native TensorFlow); falls back when it does not load",
  wasm: "TF.js on WebAssembly",
  cpu: "TF.js in plain JavaScript: slowest",
};

export function isBackend(value: unknown): value is Backend {
  return (BACKENDS as readonly unknown[]).includes(value);
}
