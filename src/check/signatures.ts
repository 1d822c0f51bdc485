// Checks of a `data.source.signatures` experiment: no model or training written beside it (no
// model runs, nothing is trained), the arrays readable and agreeing (src/data/signatures.ts), the
// kept and injected labels there in the numbers asked for, their predictions among the kept
// classes, and their signatures finite. Reads the arrays' headers, the labels and predictions,
// and only the layers' rows the run takes.
import { dirname } from "node:path";
import { parse } from "jsonc-parser";
import { DataFileError } from "../data/dataFileError";
import { picks } from "../data/pick";
import { rowValues, signatureFacts, signatureRefs, type SignatureFacts, type SignaturesSpec } from "../data/signatures";
import { SourceFileError, type Split } from "../data/source";
import type { ParsedExperiment } from "../shared/experiment";
import type { Problem } from "../shared/problems";
import { sourceProblem } from "./sourceProblem";
import { labelPhrase, type ClassNames, type Labelled, type LabelsResolved } from "./labels";
import { sectionsOf, type Sections } from "./schema";

/** The signatures a source imports, or undefined for a source of images. */
export function importedSignatures(data: Pick<ParsedExperiment["data"], "source">): SignaturesSpec | undefined {
  const { source } = data;
  return typeof source === "object" && "signatures" in source ? source.signatures : undefined;
}

const UNUSED = {
  model: "no model runs: the signatures and predictions come from the files",
  training: "nothing is trained: the signatures come from a model trained elsewhere",
  snapshots: "nothing is trained, so there are no epochs to record",
} as const;

/** `model`, `training` or `snapshots` written beside imported signatures: each would be silently ignored, so each is refused. */
export function signatureRuleProblems(sections: Sections, text: string, file: string): Problem[] {
  const data = sectionsOf(sections, "data")?.data;
  if (!data || !importedSignatures(data)) return [];
  const json: unknown = parse(text.replace(/^\uFEFF/, ""), [], { allowTrailingComma: true, disallowComments: false });
  if (typeof json !== "object" || json === null) return [];
  return (Object.keys(UNUSED) as (keyof typeof UNUSED)[])
    .filter((key) => key in json)
    .map((key) => ({
      file,
      path: [key],
      message: `"${key}" is given but data.source.signatures imports the signatures: ${UNUSED[key]}`,
      fix: `remove "${key}", or use a source of images to run a model`,
    }));
}

export type CountProblems = (labelsOf: (split: Split) => Uint8Array | undefined) => Problem[];

/**
 * Every problem of the arrays; with the labels resolved (`resolved`), the counts (`countProblems`,
 * data.ts's, against the arrays' labels), then the rows the run takes: their predictions among
 * the kept classes and their signatures finite (k-means and UMAP would turn a NaN into nonsense).
 */
export async function signatureProblems(
  spec: SignaturesSpec,
  sections: Sections,
  file: string,
  resolved: LabelsResolved<Labelled> | undefined,
  names: ClassNames | undefined,
  countProblems: CountProblems,
): Promise<Problem[]> {
  const refs = signatureRefs(spec, dirname(file));
  const found = await signatureFacts(refs);
  if (Array.isArray(found)) return found.map((e) => sourceProblem(file, e));
  if (!resolved) return [];
  const counted = countProblems((split) => (split === "train" ? found.labels : undefined));
  const seeded = sectionsOf(sections, "seed");
  if (counted.length > 0 || !seeded) return counted;
  const picked = picks({ ...resolved, seed: seeded.seed }, (split) => (split === "train" ? found.labels : undefined));
  const rows = Int32Array.from([...picked.kept, ...picked.injected]);
  return [
    ...predictionProblems(found, rows, resolved.data.digits, refs.predictions.path, file, names),
    ...(await finiteProblems(found, rows, refs, file)),
  ];
}

/** A prediction is one of the kept classes: the Sankey's last column and the findings count predictions among them. */
function predictionProblems(
  facts: SignatureFacts,
  rows: Int32Array,
  digits: number[],
  path: (string | number)[],
  file: string,
  names: ClassNames | undefined,
): Problem[] {
  const kept = new Set(digits);
  const outside = Array.from(rows).filter((r) => !kept.has(facts.predictions[r]));
  if (outside.length === 0) return [];
  const first = outside[0];
  const others = outside.length > 1 ? ` (and ${outside.length - 1} more of the rows the run takes)` : "";
  return [
    {
      file,
      path,
      message:
        `row ${first} predicts ${labelPhrase(facts.predictions[first], names)}, which is not a kept class` +
        ` (data.digits: ${digits.join(", ")})${others}`,
      fix: "keep every class the model predicts in data.digits, or save the argmax over the kept classes' outputs only",
    },
  ];
}

/** NaN or infinite values in the rows the run takes, per layer. */
async function finiteProblems(
  facts: SignatureFacts,
  rows: Int32Array,
  refs: ReturnType<typeof signatureRefs>,
  file: string,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const [l, layer] of facts.layers.entries()) {
    let values: Float32Array;
    try {
      values = await rowValues(layer, rows);
    } catch (e) {
      // The file changed since its header was read, or a deflated entry does not inflate.
      if (!(e instanceof DataFileError)) throw e;
      problems.push(sourceProblem(file, new SourceFileError(e, refs.layers[l].path)));
      continue;
    }
    const width = values.length / Math.max(1, rows.length);
    let bad = 0;
    let firstRow = -1;
    for (let i = 0; i < values.length; i++) {
      if (Number.isFinite(values[i])) continue;
      bad++;
      if (firstRow < 0) firstRow = rows[Math.floor(i / width)];
    }
    if (bad > 0) {
      problems.push({
        file: layer.file,
        path: refs.layers[l].path,
        message: `${bad} NaN or infinite value${bad > 1 ? "s" : ""} in the rows the run takes (the first in row ${firstRow})`,
        fix: `write the signatures again from a model whose outputs are finite, or leave out those images (named by ${file})`,
      });
    }
  }
  return problems;
}
