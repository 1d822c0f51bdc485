// How deeply a JSON (or JSON-with-comments) text nests its objects and arrays, counted by one pass
// over the characters: the parsers that follow (jsonc-parser, the walks over a model.json) recurse
// once per level, and a few hundred kilobytes of "[[[[..." would overflow their stack.

/**
 * The deepest nesting any real file of ours needs is under 20 (an experiment: 4; a Keras
 * topology: about 10); 256 leaves room for any honest file and far below a stack's limit.
 */
export const MAX_JSON_DEPTH = 256;

/** The text's deepest nesting of { and [, outside strings and comments; stops counting once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: skip to its closing quote, escapes included.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
