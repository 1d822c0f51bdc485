// An experiment's text: JSON with comments, then the zod schema, section by section. Every
// failure becomes a Problem naming the file, the field and the fix.
import { getNodePath, parse, parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import type { z } from "zod";
import { experimentJsonSchema, experimentSchema, type ParsedExperiment } from "../shared/experiment";
import type { JsonPath, Problem } from "../shared/problems";
import { jsonDepth, MAX_JSON_DEPTH } from "../data/jsonDepth";
import { nearestWord } from "./nearest";

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
    const message = `unknown field "${key}"`;
    if (!near)
      return {
        file,
        path: [...path, key],
        message,
        fix: `remove it; the fields allowed here are ${known.map((k) => `"${k}"`).join(", ")}`,
      };
    const edit = { title: `Rename to "${near}"`, target: "key" as const, newText: JSON.stringify(near) };
    return { file, path: [...path, key], message, fix: `did you mean "${near}"? Rename the field`, edit };
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

/** The experiment's top-level sections ("data", "model", ...), each parsed on its own so that one bad section hides nothing of the others. */
export type Section = keyof ParsedExperiment;

export interface Sections {
  /** Each section that parsed, as parsed (defaults filled). */
  values: Partial<ParsedExperiment>;
  /** The sections that did not: a rule depending on one of them does not run, since it would judge a value the user did not write. */
  failed: Set<Section>;
}

/** The sections `keys` as parsed, or undefined when one of them failed. */
export function sectionsOf<K extends Section>(sections: Sections, ...keys: K[]): Pick<ParsedExperiment, K> | undefined {
  if (keys.some((k) => sections.failed.has(k))) return undefined;
  return sections.values as Pick<ParsedExperiment, K>;
}

function problem(file: string, message: string, fix: string): Problem {
  return { file, path: [], message, fix };
}

/** The text's sections and the problems of those that failed (JSON syntax, the schema's issues, unknown fields). */
export function parseSections(written: string, file: string): { sections?: Sections; problems: Problem[] } {
  // Windows Notepad starts UTF-8 files with a byte-order mark; VS Code hides it, JSON parsers do not.
  const text = written.replace(/^\uFEFF/, "");
  // The parser recurses once per level: a text nested thousands deep would overflow its stack.
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    const message = `the JSON nests objects and arrays more than ${MAX_JSON_DEPTH} deep (an experiment needs 4)`;
    return { problems: [problem(file, message, "open the .mtq.json experiment; its sections are objects of values and lists")] };
  }
  const errors: ParseError[] = [];
  const json: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    // Later syntax errors usually follow from the first one.
    const first = errors[0];
    const before = text.slice(0, first.offset).split("\n");
    const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
    const message = `invalid JSON at ${where}: ${printParseErrorCode(first.error)}`;
    return { problems: [problem(file, message, "correct the JSON syntax (comments and trailing commas are allowed)")] };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    const start = 'start from { "name": ..., "data": { "digits": [1, 7], "perDigit": 100 } }';
    return { problems: [problem(file, "an experiment is a JSON object", start)] };
  }
  const fields = json as Record<string, unknown>;
  const shape = experimentSchema.shape;
  const sections: Sections = { values: {}, failed: new Set() };
  const problems: Problem[] = [];
  for (const key of Object.keys(shape) as Section[]) {
    const result = shape[key].safeParse(fields[key], { reportInput: true });
    // An absent optional section stays absent, as a whole-object parse leaves it.
    if (result.success) {
      if (result.data !== undefined) (sections.values as Record<string, unknown>)[key] = result.data;
    } else {
      sections.failed.add(key);
      for (const issue of result.error.issues) problems.push(...issueProblems(file, { ...issue, path: [key, ...issue.path] }));
    }
  }
  // Own keys only: "constructor" is `in` every object.
  const unknown = Object.keys(fields).filter((k) => !Object.hasOwn(shape, k));
  // A misspelt section ("trainig") leaves the one meant at its defaults: judging those would mislead.
  for (const key of unknown) {
    const meant = nearestWord(key, Object.keys(shape));
    if (meant) sections.failed.add(meant as Section);
  }
  problems.push(...unknownKeyProblems(file, [], unknown));
  problems.push(...keyProblems(text, file));
  return { sections, problems };
}

/**
 * A key written twice in one object: JSON keeps the last silently, so the user may be editing the
 * one ignored. A "__proto__" key anywhere: the parser gives it to the object as its prototype, not
 * as a field, so the schema would never see it (and the fields it holds would stand in for absent ones).
 */
function keyProblems(text: string, file: string): Problem[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const problems: Problem[] = [];
  const visit = (node: Node) => {
    if (node.type === "object") {
      const seen = new Map<string, number>();
      for (const property of node.children ?? []) {
        const [key] = property.children ?? [];
        if (!key || typeof key.value !== "string") continue;
        if (key.value === "__proto__") {
          const path = [...getNodePath(node), key.value];
          problems.push({ file, path, message: 'unknown field "__proto__"', fix: "remove it: no field of an experiment is named so" });
        }
        const occurrence = seen.get(key.value) ?? 0;
        seen.set(key.value, occurrence + 1);
        if (occurrence === 0) continue;
        const line = text.slice(0, key.offset).split("\n").length;
        problems.push({
          file,
          path: [...getNodePath(node), key.value],
          occurrence,
          message: `"${key.value}" is written again on line ${line}; JSON keeps only the last one, so the earlier one is ignored`,
          fix: `keep one "${key.value}" with the value wanted`,
        });
      }
    }
    node.children?.forEach(visit);
  };
  if (root) visit(root);
  return problems;
}
