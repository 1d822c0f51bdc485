// Figures over seeds for REPRODUCTION.md: one number per seed in, "mean ± spread" out, so every
// table shows how stable a finding is rather than one lucky seed.

/** Mean, sample standard deviation (0 for one value), min and max. */
export function spread(values: number[]): { mean: number; sd: number; min: number; max: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** Shares (0..1) as "97.5% ± 1.2 (96.0–99.0)": mean ± standard deviation over seeds, then the range. */
export function percent(shares: number[]): string {
  const s = spread(shares.map((x) => x * 100));
  return `${s.mean.toFixed(1)}% ± ${s.sd.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}

/** Plain numbers as "1.69 ± 0.12 (1.50–1.85)". */
export function decimal(values: number[], digits = 2): string {
  const s = spread(values);
  return `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** Per-seed values that are categories (a k, a layer) as "2 (4/5), 3 (1/5)", most frequent first. */
export function tally(values: (number | string | null)[]): string {
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = v === null ? "none" : String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "en", { numeric: true }))
    .map(([v, c]) => `${v} (${c}/${values.length})`)
    .join(", ");
}

/** A markdown table. */
export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
