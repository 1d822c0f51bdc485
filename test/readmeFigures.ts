// The figures README.md quotes, checked against a run: each assertion names the README's text, which
// must still be there (so that a figure edited in the README fails here until the test agrees), and
// the measured value must lie within the stated tolerance of the quoted one.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8").replace(/\s+/g, " ");

/** Fails unless README.md holds `text` (whitespace and line breaks collapsed). */
export function readmeQuotes(text: string): void {
  assert.ok(readme.includes(text.replace(/\s+/g, " ")), `README.md no longer says "${text}"`);
}

/**
 * The README quotes `quoted` in `text`; the run measured `actual`, which must be within
 * `tolerance` of it (inclusive). Shares are compared as shares (0.89 for "89%").
 */
export function assertQuoted(text: string, quoted: number, actual: number, tolerance: number, what: string): void {
  readmeQuotes(text);
  assert.ok(
    Math.abs(actual - quoted) <= tolerance + 1e-9,
    `${what}: measured ${actual}, README quotes ${quoted} ("${text}"), tolerance ${tolerance}`,
  );
}
