// The lint: typescript-eslint's recommended rules, and the layers of the code as import rules (the
// README's Development section describes them). Each layer's block below is the whole of its
// no-restricted-imports: in a flat config a later block's options replace an earlier one's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** A relative import reaching into one of our top-level folders, at any depth ("../pipeline/x", "../../src/host"). */
const into = (...folders) => `^\\.{1,2}/(.*/)?(${folders.join("|")})(/|$)`;

const VSCODE = {
  name: "vscode",
  message: "Only src/host talks to VS Code: the other layers run in the worker, the CLI, tests and the webview.",
};

/** The no-restricted-imports of a layer: `vscode` unless allowed, and the folders it must not reach. */
function layer({ vscode = false, patterns }) {
  return ["error", { paths: vscode ? [] : [VSCODE], patterns }];
}

const never = (folders, message) => ({ regex: into(...folders), message });

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".e2e-cache/**", ".cache/**", ".tmp/**", "schema/**", "examples/**", "media/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The type-aware rules that catch real mistakes here (a message case left out, a promise
      // dropped or handed to a callback that ignores it), without the cost of the whole type-checked set.
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test awaits its own describe/it.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/await-thenable": "error",
      // `_x` names an argument a signature needs but the body does not.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // tf.ts and the bundles' fallbacks load optional packages at run time, only when present.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
  {
    // Prettier wraps code at 140 columns; what it leaves longer is a string or a comment to break.
    files: ["**/*.{ts,mjs}"],
    rules: { "max-len": ["error", { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  {
    files: ["esbuild.mjs", "eslint.config.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
  },
  // The layers (DESIGN: shared <- data <- check <- pipeline; results <- shared; host and the CLI on top; webview beside).
  {
    files: ["src/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          { regex: "^\\.\\./", message: "src/shared is the contract every layer imports: it imports nothing of ours." },
          { regex: "^node:", message: "src/shared is browser-safe (the webview imports it): no Node modules." },
        ],
      }),
    },
  },
  {
    files: ["src/data/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          never(["check", "pipeline", "results", "host", "webview", "cli"], "src/data reads data sources: it imports only src/shared."),
        ],
      }),
    },
  },
  {
    files: ["src/check/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          never(
            ["pipeline", "host", "webview", "cli"],
            "src/check imports src/shared and src/data only (the editor runs it without TF.js).",
          ),
        ],
      }),
    },
  },
  {
    files: ["src/pipeline/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          never(
            ["host", "webview", "cli"],
            "src/pipeline runs in the worker, the CLI and tests: it never imports the host or the webview.",
          ),
        ],
      }),
    },
  },
  {
    files: ["src/results/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          never(
            ["data", "check", "pipeline", "host", "webview", "cli"],
            "src/results reads and writes the results file: it imports only src/shared.",
          ),
        ],
      }),
    },
  },
  {
    files: ["src/host/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        vscode: true,
        patterns: [
          never(["pipeline"], "src/host runs the pipeline in dist/worker.js: import src/results, src/check or src/shared instead."),
          never(["webview", "cli"], "src/host talks to the webview by messages (src/shared/protocol.ts) only."),
        ],
      }),
    },
  },
  {
    files: ["src/cli.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [never(["host"], "The CLI runs without VS Code: it imports src/check, src/pipeline, src/results and src/shared.")],
      }),
    },
  },
  {
    files: ["webview/**/*.ts"],
    rules: {
      "no-restricted-imports": layer({
        patterns: [
          {
            regex: "^\\.\\./(?!src/shared/)",
            message: "The webview runs in a browser: of ours it imports only src/shared (messages, results, names).",
          },
          { regex: "^node:", message: "The webview runs in a browser: no Node modules." },
        ],
      }),
    },
  },
  {
    // Tests, benches and the code-server e2e drive the code from outside; only the electron suite
    // runs inside VS Code's extension host.
    files: ["test/**/*.ts", "scripts/**/*.ts", "e2e/**/*.ts"],
    ignores: ["e2e/electron/**"],
    rules: { "no-restricted-imports": layer({ patterns: [] }) },
  },
);
