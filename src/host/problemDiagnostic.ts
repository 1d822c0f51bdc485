// A Problem as a Diagnostic, without VS Code: the range of the field its JSON path names (key and
// value, so the underline is the very field the CLI message names) and the CLI's text.
import { findNodeAtLocation, parseTree, type Node } from "jsonc-parser";
import { formatProblem, type JsonPath, type Problem, type ProblemEdit } from "../shared/problems";

export interface TextRange {
  offset: number;
  length: number;
}

/** The document's first character: for problems about the whole file (empty path, bad JSON). */
const DOCUMENT_START: TextRange = { offset: 0, length: 1 };

const parseJsonc = (text: string) => parseTree(text, [], { allowTrailingComma: true, disallowComments: false });

function rangeOf(node: Node): TextRange {
  // A property's value: underline "key": value, as the path names the key.
  const target = node.parent?.type === "property" ? node.parent : node;
  return { offset: target.offset, length: target.length };
}

/** The `occurrence`-th writing (0: the first) of the key that ends `path`, as a property node. */
function propertyWritten(root: Node, path: JsonPath, occurrence: number): Node | undefined {
  const parent = findNodeAtLocation(root, path.slice(0, -1));
  const key = path[path.length - 1];
  return parent?.children?.filter((p) => p.type === "property" && p.children?.[0]?.value === key)[occurrence];
}

/**
 * The range of the field at `path` in `text` (its `occurrence`-th writing when its key is written
 * more than once). When the field is missing (a required one, say), the key of its closest
 * existing ancestor, so the underline says where to add it.
 */
export function problemRange(text: string, path: JsonPath, occurrence?: number): TextRange {
  const root = parseJsonc(text);
  if (!root) return DOCUMENT_START;
  const written = occurrence !== undefined && path.length > 0 ? propertyWritten(root, path, occurrence) : undefined;
  if (written) return { offset: written.offset, length: written.length };
  for (let depth = path.length; depth > 0; depth--) {
    const node = findNodeAtLocation(root, path.slice(0, depth));
    if (!node) continue;
    if (depth === path.length) return rangeOf(node);
    const key = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
    return key ? { offset: key.offset, length: key.length } : rangeOf(node);
  }
  return DOCUMENT_START;
}

/** The CLI's line for `problem`, without the file prefix when the file is the experiment itself. */
export function problemText(problem: Problem, experimentFile: string): string {
  const line = formatProblem(problem);
  return problem.file === experimentFile ? line.slice(`${problem.file}: `.length) : line;
}

/**
 * Where a problem's Quick Fix writes: the key or the value of the field at `path` in `text`, as it
 * is now (the text may have changed since the check). Undefined when that field is not there.
 */
export function editRange(text: string, path: JsonPath, target: ProblemEdit["target"]): TextRange | undefined {
  const root = parseJsonc(text);
  const node = root && path.length > 0 ? findNodeAtLocation(root, path) : undefined;
  if (!node) return undefined;
  if (target === "value") return { offset: node.offset, length: node.length };
  const key = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
  return key && { offset: key.offset, length: key.length };
}
