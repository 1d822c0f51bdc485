// Reads a results file: the JSON written by the pipeline, checked for its version, with the images'
// pixels decoded once. The CLI reads through this; the extension host through its cache
// (src/host/resultsFile.ts), so a file open in several views is parsed once.
import { readFile } from "node:fs/promises";
import { RESULTS_SCHEMA_VERSION, type ModelState, type Results } from "../shared/results";

export interface LoadedResults {
  file: string;
  results: Results;
  /** Every image's pixels, decoded from `results.images.pixelsBase64`. */
  pixels: Uint8Array;
}

/** The file's JSON; a file cut short (a copy interrupted, a full disk) is said so, not as JSON.parse's words. */
function parsed(text: string, file: string): Results {
  try {
    return JSON.parse(text) as Results;
  } catch (e) {
    const words = e instanceof Error ? e.message : String(e);
    if (/end of JSON input|Unterminated/.test(words)) {
      throw new Error(
        `${file} is incomplete: it stops after ${text.length.toLocaleString("en")} characters, before its end; run its experiment again`,
      );
    }
    throw new Error(`${file} is not an MTQ results file: it is not JSON (${words}); open a NAME.results.json written by MTQ`);
  }
}

export async function readResultsFile(file: string): Promise<LoadedResults> {
  const results = parsed(await readFile(file, "utf8"), file);
  if (results?.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new Error(
      `${file} is not an MTQ results file of version ${RESULTS_SCHEMA_VERSION} (found version ${String(results?.schemaVersion)}); ` +
        "run its experiment again",
    );
  }
  const missing = missingField(results) ?? shortList(results);
  if (missing) {
    throw new Error(`${file} is not a complete MTQ results file: ${missing}; run its experiment again`);
  }
  return { file, results, pixels: Buffer.from(results.images.pixelsBase64, "base64") };
}

/**
 * The first field a reader relies on that is absent or of another type ("images.labels is not a
 * list"): a file of the right version edited by hand, or written by something else, is said so
 * rather than failing later in a view or a comparison on a property of undefined.
 */
function missingField(results: Results): string | undefined {
  const kinds: [string, unknown, "object" | "array" | "string" | "number"][] = [
    ["experiment", results.experiment, "object"],
    ["experimentFile", results.experimentFile, "string"],
    ["classes", results.classes, "array"],
    ["predictions", results.predictions, "array"],
    ["layers", results.layers, "array"],
    ["flows", results.flows, "object"],
    ["findings", results.findings, "object"],
    ["images", results.images, "object"],
  ];
  const images = results.images as Partial<Results["images"]> | undefined;
  if (typeof images === "object" && images !== null) {
    kinds.push(
      ["images.count", images.count, "number"],
      ["images.labels", images.labels, "array"],
      ["images.pixelsBase64", images.pixelsBase64, "string"],
    );
  }
  for (const [name, value, kind] of kinds) {
    const ok =
      kind === "array"
        ? Array.isArray(value)
        : kind === "object"
          ? typeof value === "object" && value !== null && !Array.isArray(value)
          : typeof value === kind;
    if (!ok)
      return `"${name}" is ${value === undefined ? "missing" : `not ${kind === "array" ? "a list" : kind === "object" ? "an object" : `a ${kind}`}`}`;
  }
  return undefined;
}

/**
 * The first per-image list, of the final model or of a snapshot, that does not hold a value (two
 * for a map) per image: missingField checks the fields' kinds, not their lengths, and a file edited
 * by hand would otherwise give a view or a table cells of undefined.
 */
function shortList(results: Results): string | undefined {
  const { count } = results.images;
  const states: [string, ModelState][] = [
    ["", results],
    ...(results.snapshots ?? []).map((s, i): [string, ModelState] => [`snapshots[${i}].`, s]),
  ];
  const lists: [string, unknown, number][] = [
    ["images.labels", results.images.labels, count],
    ["images.injected", results.images.injected, count],
    ["images.split", results.images.split, count],
    ["images.sourceIndex", results.images.sourceIndex, count],
    ...states.flatMap(([prefix, state]): [string, unknown, number][] => [
      [`${prefix}predictions`, state.predictions, count],
      ...(state.confidence ? [[`${prefix}confidence`, state.confidence, count] as [string, unknown, number]] : []),
      ...(Array.isArray(state.layers) ? state.layers : []).flatMap((l, n): [string, unknown, number][] => [
        [`${prefix}layers[${n}].assignments`, l.assignments, count],
        [`${prefix}layers[${n}].silhouettes`, l.silhouettes, count],
        [`${prefix}layers[${n}].umap`, l.umap, 2 * count],
      ]),
    ]),
  ];
  const [name, list, length] = lists.find(([, list, length]) => !Array.isArray(list) || list.length !== length) ?? [];
  if (name === undefined) return undefined;
  return Array.isArray(list) ? `"${name}" holds ${list.length} values, not ${length}` : `"${name}" is not a list`;
}
