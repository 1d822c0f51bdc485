// One layer of a comparison: the contingency matrix of A's clusters (rows) against B's (columns),
// each cell shaded by its share of its row and a button selecting its images.
import { layerPairName, type Comparison, type LayerComparison } from "../src/shared/comparison";
import { button, el } from "./dom";
import type { SelectionModel } from "./selection";

/** A's numbers of the matched images in A's cluster `row` and B's cluster `column`. */
function cellImages(comparison: Comparison, layer: LayerComparison, row: number, column: number): number[] {
  const { a, b } = layer.clusters;
  return comparison.matched.a.filter((_, n) => a[n] === row && b[n] === column);
}

export function contingencyTable(comparison: Comparison, layer: LayerComparison, selection: SelectionModel): HTMLElement {
  const section = el("section", "mtq-contingency");
  const name = layerPairName(layer);
  section.dataset.ari = String(layer.ari);
  section.append(
    el(
      "h3",
      "",
      `${name[0].toUpperCase()}${name.slice(1)}: ${layer.ari === null ? "no pair of images to compare" : `adjusted Rand index ${layer.ari.toFixed(2)}`}`,
    ),
  );
  section.append(el("p", "mtq-muted", `A's ${layer.kA} clusters (rows) against B's ${layer.kB} (columns); a count selects its images`));
  const table = el("table");
  const head = el("tr");
  head.append(el("th", "", "A \\ B"), ...Array.from({ length: layer.kB }, (_, j) => el("th", "", `c${j}`)));
  table.append(head);
  layer.contingency.forEach((row, i) => {
    const tr = el("tr");
    tr.append(el("th", "", `c${i}`));
    const total = row.reduce((s, x) => s + x, 0);
    row.forEach((count, j) => {
      const td = el("td");
      // Shaded by the share of A's cluster that went to this one of B's: the dark cell is where it went.
      td.style.setProperty("--mtq-share", String(total ? count / total : 0));
      if (count === 0) td.append(el("span", "mtq-muted", "0"));
      else {
        const label = `${name}: A's cluster ${i} in B's cluster ${j}`;
        td.append(
          button("mtq-link", String(count), `Select the ${count} images of ${label}`, (e) =>
            selection.pick(cellImages(comparison, layer, i, j), label, e.shiftKey),
          ),
        );
      }
      tr.append(td);
    });
    table.append(tr);
  });
  section.append(table);
  return section;
}
