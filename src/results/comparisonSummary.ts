// A comparison in lines a person reads in a terminal: who is compared, agreement per layer with
// its contingency matrix, how many paths changed, and the findings in two columns.
import { findingsSideBySide, layerPairName, type Comparison } from "../shared/comparison";

function matrixLines(contingency: number[][]): string[] {
  const width = Math.max(4, ...contingency.flat().map((x) => String(x).length + 1));
  const cell = (s: string) => s.padStart(width);
  const head = `    A\\B ${(contingency[0] ?? []).map((_, j) => cell(`c${j}`)).join("")}`;
  return [head, ...contingency.map((r, i) => `    ${`c${i}`.padEnd(4)}${r.map((x) => cell(String(x))).join("")}`)];
}

export function comparisonText(c: Comparison): string {
  const side = (tag: string, s: Comparison["a"]) => `${tag}: ${s.name} (seed ${s.seed}, ${s.model}), ${s.imageCount} images, ${s.file}`;
  const lines = [side("A", c.a), side("B", c.b), `images in both: ${c.matched.a.length}`, ...c.notes.map((n) => `note: ${n}`)];
  for (const l of c.layers) {
    lines.push(
      `${layerPairName(l)}: k ${l.kA} in A, ${l.kB} in B; adjusted Rand index ${l.ari === null ? "-" : l.ari.toFixed(2)}`,
      ...matrixLines(l.contingency),
    );
  }
  if (c.matched.a.length > 0) {
    const perLayer = c.layers.map((l, n) => `${layerPairName(l)}: ${c.changed.filter((p) => p.layers.includes(n + 1)).length}`);
    const predictions = c.changed.filter((p) => p.predictionA !== p.predictionB).length;
    lines.push(
      `changed paths: ${c.changed.length} of ${c.matched.a.length} images (${[...perLayer, `prediction: ${predictions}`].join(", ")})`,
    );
  }
  const rows = findingsSideBySide(c);
  const width = Math.max(...rows.map((r) => r[0].length));
  lines.push(
    `${"findings".padEnd(width)}  ${"A".padStart(6)}  ${"B".padStart(6)}`,
    ...rows.map(([k, x, y]) => `${k.padEnd(width)}  ${x.padStart(6)}  ${y.padStart(6)}`),
  );
  return lines.join("\n");
}
