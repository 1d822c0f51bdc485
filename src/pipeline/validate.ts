// Reads an experiment file: JSON with comments, then the zod schema. Every failure becomes a
// Problem naming the file, the field and the fix.
import { readFileSync } from "node:fs";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import type { z } from "zod";
import { experimentJsonSchema, experimentSchema, hasTestSplit, type ParsedExperiment } from "../shared/experiment";
import type { JsonPath, Problem } from "../shared/problems";
import { labelProblemsWithoutData } from "./labels";
import { nearestWord } from "./nearest";

/** An experiment whose labels may still be class names: the data checks (prepare.ts) resolve them. */
export type Parsed = { experiment: ParsedExperiment; problems: [] } | { experiment?: undefined; problems: Problem[] };

interface JsonSchemaNode {
  description?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

let cachedSchema: JsonSchemaNode | undefined;

/** The schema nodes a JSON path may land on (unions give several). */
function schemaNodesAt(path: JsonPath): JsonSchemaNode[] {
  cachedSchema ??= experimentJsonSchema() as JsonSchemaNode;
  let nodes = [cachedSchema];
  const expand = (ns: JsonSchemaNode[]): JsonSchemaNode[] =>
    ns.flatMap((n) => (n.anyOf || n.oneOf ? expand([...(n.anyOf ?? []), ...(n.oneOf ?? [])]) : [n]));
  for (const key of path) {
    nodes = expand(nodes).flatMap((n) => {
      const next = typeof key === "number" ? n.items : n.properties?.[key];
      return next ? [next] : [];
    });
  }
  return nodes;
}

function knownKeysAt(path: JsonPath): string[] {
  const nodes = schemaNodesAt(path);
  const expand = (ns: JsonSchemaNode[]): JsonSchemaNode[] =>
    ns.flatMap((n) => (n.anyOf || n.oneOf ? expand([...(n.anyOf ?? []), ...(n.oneOf ?? [])]) : [n]));
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))];
}

function descriptionAt(path: JsonPath): string | undefined {
  return schemaNodesAt(path).find((n) => n.description)?.description;
}

function unknownKeyProblems(file: string, path: JsonPath, keys: string[]): Problem[] {
  const known = knownKeysAt(path);
  return keys.map((key) => {
    const near = nearestWord(key, known);
    const fix = near
      ? `did you mean "${near}"? Rename the field`
      : `remove it; the fields allowed here are ${known.map((k) => `"${k}"`).join(", ")}`;
    return { file, path: [...path, key], message: `unknown field "${key}"`, fix };
  });
}

function issueProblems(file: string, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const about = descriptionAt(path);
  const documented = about ? ` (${about})` : "";
  switch (issue.code) {
    case "unrecognized_keys":
      return unknownKeyProblems(file, path, issue.keys);
    case "invalid_type":
      if (issue.input === undefined) return [{ file, path, message: "this required field is missing", fix: `add it${documented}` }];
      return [
        {
          file,
          path,
          message: `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`,
          fix: `give a ${issue.expected}${documented}`,
        },
      ];
    case "too_small":
    case "too_big": {
      // An exclusive bound (perDigit, learningRate: positive) rejects the limit itself.
      const [below, above] = issue.inclusive === false ? ["more than", "less than"] : ["at least", "at most"];
      const bound = issue.code === "too_small" ? below : above;
      const limit = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const what =
        issue.origin === "array"
          ? `${limit} item${limit === 1 ? "" : "s"}`
          : issue.origin === "string"
            ? `${limit} characters`
            : String(limit);
      return [{ file, path, message: issue.message, fix: `use ${bound} ${what}${documented}` }];
    }
    case "invalid_union": {
      // A value of none of a union's simple types (perDigit: a number or "all"): say which ones.
      const expected = unionExpected(issue.errors);
      if (expected)
        return [
          {
            file,
            path,
            message: `expected ${expected}, got ${JSON.stringify(issue.input)}`,
            fix: `give ${expected.startsWith('"') ? "" : /^[aeiou]/.test(expected) ? "an " : "a "}${expected}${documented}`,
          },
        ];
      return [{ file, path, message: issue.message, fix: `see the field's documentation${documented}` }];
    }
    case "invalid_value":
    case "invalid_format":
    case "not_multiple_of":
    case "invalid_key":
    case "invalid_element":
    case "custom":
      return [{ file, path, message: issue.message, fix: `see the field's documentation${documented}` }];
  }
}

/** "number or \"all\"" when every branch of a union rejected the value's type alone; undefined otherwise. */
function unionExpected(branches: z.core.$ZodIssue[][]): string | undefined {
  const expected: string[] = [];
  for (const issues of branches) {
    if (issues.length !== 1 || issues[0].path.length > 0) return undefined;
    const issue = issues[0];
    if (issue.code === "invalid_type") expected.push(issue.expected);
    else if (issue.code === "invalid_value") expected.push(...issue.values.map((v) => JSON.stringify(v)));
    else return undefined;
  }
  return expected.length > 0 ? [...new Set(expected)].join(" or ") : undefined;
}

/** The experiment in `text`, or the problems that stop it being one. */
export function parseExperiment(text: string, file: string): Parsed {
  const errors: ParseError[] = [];
  const json: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // Later syntax errors usually follow from the first one.
    const first = errors[0];
    const before = text.slice(0, first.offset).split("\n");
    const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
    return {
      problems: [
        {
          file,
          path: [],
          message: `invalid JSON at ${where}: ${printParseErrorCode(first.error)}`,
          fix: "correct the JSON syntax (comments and trailing commas are allowed)",
        },
      ],
    };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      problems: [
        {
          file,
          path: [],
          message: "an experiment is a JSON object",
          fix: 'start from { "name": ..., "data": { "digits": [1, 7], "perDigit": 100 } }',
        },
      ],
    };
  }
  const result = experimentSchema.safeParse(json, { reportInput: true });
  if (!result.success) return { problems: result.error.issues.flatMap((i) => issueProblems(file, i)) };
  const problems = crossFieldProblems(result.data, file);
  return problems.length > 0 ? { problems } : { experiment: result.data, problems: [] };
}

/** Checks between fields that need no data. */
function crossFieldProblems(exp: ParsedExperiment, file: string): Problem[] {
  const problems: Problem[] = [];
  const { kMin, kMax } = exp.clustering;
  if (kMin > kMax)
    problems.push({
      file,
      path: ["clustering", "kMin"],
      message: `kMin (${kMin}) is larger than kMax (${kMax})`,
      fix: "make kMin <= kMax",
    });
  // Labels written as names need the classes: data.classNames here, an image folder's subfolders in prepare.ts.
  problems.push(...labelProblemsWithoutData(exp, file));
  problems.push(...snapshotProblems(exp, file));
  if (exp.data.from === "train+test") {
    if (!hasTestSplit(exp.data.source)) {
      problems.push({
        file,
        path: ["data", "from"],
        message: '"train+test" picks from the source\'s test images too, but the source has none',
        fix: 'add test files to the source (idx.testImages/testLabels, testCsv or folder.testPath), or use "train"',
      });
    }
    if (exp.data.holdout.from === "test-split") {
      problems.push({
        file,
        path: ["data", "holdout", "from"],
        message: 'with data.from "train+test" the test images are picked from, so they cannot also be the held-out ones',
        fix: 'use "rest" (the pool\'s images not picked, the default), or data.from: "train"',
      });
    }
  }
  // With "all" the number of images depends on the data: prepare.ts checks it.
  const { perDigit } = exp.data;
  if (perDigit !== "all") {
    const images = exp.data.digits.length * perDigit;
    problems.push(
      ...clusterCountProblems(
        exp.clustering,
        file,
        images,
        `${exp.data.digits.length} digits x ${perDigit} = ${images}`,
        " or raise data.perDigit",
      ),
    );
  }
  return problems;
}

/** k (or kMax) must be below the number of images; `counted` says how that number came about. */
export function clusterCountProblems(
  clustering: ParsedExperiment["clustering"],
  file: string,
  images: number,
  counted: string,
  otherFix = "",
): Problem[] {
  const ks = clustering.k !== undefined ? { field: "k", value: clustering.k } : { field: "kMax", value: clustering.kMax };
  if (ks.value < images) return [];
  return [
    {
      file,
      path: ["clustering", ks.field],
      message: `${ks.field} (${ks.value}) must be below the number of images (${counted})`,
      fix: `lower ${ks.field} below ${images}${otherFix}`,
    },
  ];
}

function snapshotProblems(exp: ParsedExperiment, file: string): Problem[] {
  const snapshots = exp.snapshots ?? [];
  if (exp.model.kind === "saved" && snapshots.length > 0) {
    return [
      {
        file,
        path: ["snapshots"],
        message: "a saved model is not trained, so there are no epochs to record",
        fix: 'remove "snapshots", or train a "dense" or "cnn" model',
      },
    ];
  }
  const { epochs } = exp.training;
  return snapshots.flatMap((epoch, i): Problem[] => {
    if (epoch > epochs)
      return [
        {
          file,
          path: ["snapshots", i],
          message: `epoch ${epoch} is beyond the last one (training.epochs is ${epochs})`,
          fix: `use epochs from 1 to ${epochs}, or raise training.epochs`,
        },
      ];
    if (snapshots.indexOf(epoch) !== i)
      return [{ file, path: ["snapshots", i], message: `epoch ${epoch} is listed twice`, fix: "list each epoch once" }];
    return [];
  });
}

export function readExperimentFile(file: string): Parsed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      problems: [
        {
          file,
          path: [],
          message: code === "ENOENT" ? "file not found" : `cannot read the file (${code})`,
          fix: "check the path of the experiment file",
        },
      ],
    };
  }
  return parseExperiment(text, file);
}
