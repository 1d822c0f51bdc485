/** One row of a Markdown table, as the benches print them (one cell per column). */
export function tableRow(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}
