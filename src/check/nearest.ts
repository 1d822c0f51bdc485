// "Did you mean ...?": the closest of some words to a mistyped one.

/** Edits (insert, delete, substitute; case ignored) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The word of `words` nearest to `word`, when it is close enough to be what was meant. */
export function nearestWord(word: string, words: Iterable<string>): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of words) {
    const d = editDistance(word, w);
    if (!best || d < best.d) best = { w, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.w : undefined;
}
