// The findings panel: the pipeline's computed answers to the report's questions, each one a
// button that selects the images behind it.
import { className, classNoun, classNounPlural, classPlural } from "../src/shared/classNames";
import { SEPARATION_PURITY } from "../src/shared/figures";
import { outlierReasonsText } from "../src/shared/outlierText";
import { silhouetteNote } from "../src/shared/silhouetteNote";
import { kChart } from "./charts";
import { digitColor } from "./colors";
import { imagesWhere, type ViewData } from "./data";
import { button, el } from "./dom";
import type { SelectionModel } from "./selection";
import { thumbnailGrid } from "./thumbnails";

const LISTED_OUTLIERS = 200;

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function findingsPanel(data: ViewData, selection: SelectionModel): HTMLElement {
  const panel = el("section", "mtq-findings");
  panel.setAttribute("aria-label", "Findings");
  const pick = (text: string, title: string, label: string, images: () => number[]) =>
    button("mtq-link", text, title, (e) => selection.pick(images(), label, e.shiftKey));
  panel.append(
    el("h2", "mtq-section-title", "Findings"),
    accuracy(data),
    separation(data, pick),
    ...separationOverTraining(data),
    purity(data, pick),
    ...injected(data, pick),
    outliers(data, pick),
    clustering(data),
  );
  return panel;
}

type Pick = (text: string, title: string, label: string, images: () => number[]) => HTMLButtonElement;

function accuracy(data: ViewData): HTMLElement {
  const { train, test } = data.state.findings.accuracy;
  const { imported } = data.results;
  // Imported signatures: no model ran here, so the accuracy is the imported predictions' agreement with the labels.
  const p = imported
    ? el(
        "p",
        "",
        `Signatures imported from ${imported.files.join(", ")} (no model ran). Their predictions: ${percent(train)} right on the kept images`,
      )
    : el("p", "", `Accuracy: ${percent(train)} on the training images`);
  p.append(
    test === null
      ? "; held-out accuracy not measured (no image left to hold out)."
      : `, ${percent(test)} on ${data.results.testCount.toLocaleString("en")} held-out images.`,
  );
  return p;
}

/** Kept images of `digit` outside (or inside) its dominant cluster in `layer`. */
function onDominant(data: ViewData, layer: number, digit: number, inside: boolean): number[] {
  const { images } = data.results;
  const { layers, findings } = data.state;
  const dominant = findings.layers[layer].dominantCluster[digit];
  const assignments = layers[layer].assignments;
  return imagesWhere(data, (i) => !images.injected[i] && images.labels[i] === digit && (assignments[i] === dominant) === inside);
}

function separation(data: ViewData, pick: Pick): HTMLElement {
  const layer = data.state.findings.separationLayer;
  const p = el("p");
  if (layer === null) {
    p.textContent = `No hidden layer separates the ${classNounPlural(data.results)} (each with ≥ ${percent(SEPARATION_PURITY)} in its own cluster).`;
    return p;
  }
  const name = data.state.layers[layer - 1].name;
  const exceptions = () => data.results.classes.flatMap((d) => onDominant(data, layer - 1, d, false));
  p.append(
    `The model separates the ${classNounPlural(data.results)} from layer ${layer} (${name}) on: ` +
      `each has ≥ ${percent(SEPARATION_PURITY)} of its images in a cluster of its own. `,
    pick(
      `Show the ${exceptions().length} exceptions`,
      `Select the kept images outside their ${classNoun(data.results)}'s cluster in layer ${layer}`,
      `exceptions in layer ${layer}`,
      exceptions,
    ),
  );
  return p;
}

/** With training snapshots: from which recorded epoch each layer separates the digits for good. */
function separationOverTraining(data: ViewData): HTMLElement[] {
  const epochs = data.separationEpoch;
  if (!epochs) return [];
  const recorded = [...(data.results.snapshots ?? []).map((s) => s.epoch), data.results.experiment.training.epochs].join(", ");
  const layers = epochs.map((e, l) => `layer ${l + 1} ${e === null ? "not by the end" : `from epoch ${e}`}`);
  return [
    el(
      "p",
      "mtq-separation-epochs",
      `While training (epochs ${recorded} recorded), each layer separates the ${classNounPlural(data.results)} for good: ${layers.join(", ")}.`,
    ),
  ];
}

function purity(data: ViewData, pick: Pick): HTMLElement {
  const { findings } = data.state;
  const table = el("table", "mtq-purity");
  const noun = classNoun(data.results);
  const caption = el("caption", "", `Purity: share of each ${noun} in its dominant cluster (click to select; “off” = the rest)`);
  const head = el("tr");
  head.append(el("th", "", noun), ...findings.layers.map((l) => el("th", "", l.name)));
  table.append(caption, head);
  for (const digit of data.results.classes) {
    const row = el("tr");
    const digits = classPlural(data.results, digit);
    const th = el("th", "mtq-digit", className(data.results, digit));
    th.style.color = digitColor(digit);
    row.append(th);
    findings.layers.forEach((layer, li) => {
      const cell = el("td");
      const cluster = layer.dominantCluster[digit];
      cell.append(
        pick(
          percent(layer.purity[digit] ?? 0),
          `Select the ${digits} in cluster ${cluster} of layer ${li + 1}`,
          `${digits} in cluster ${cluster} of layer ${li + 1}`,
          () => onDominant(data, li, digit, true),
        ),
      );
      const off = onDominant(data, li, digit, false);
      if (off.length > 0)
        cell.append(
          " ",
          pick(
            `${off.length} off`,
            `Select the ${digits} outside cluster ${cluster} of layer ${li + 1}`,
            `${digits} off cluster ${cluster} of layer ${li + 1}`,
            () => off,
          ),
        );
      row.append(cell);
    });
    table.append(row);
  }
  return table;
}

function injected(data: ViewData, pick: Pick): HTMLElement[] {
  const { images } = data.results;
  const { predictions, layers, findings } = data.state;
  return Object.entries(findings.injected).map(([digitKey, finding]) => {
    const digit = Number(digitKey);
    const digits = classPlural(data.results, digit);
    const all = () => imagesWhere(data, (i) => images.injected[i] && images.labels[i] === digit);
    const block = el("div", "mtq-injected");
    const heading = el("h3");
    heading.append(
      pick(`Injected ${digits} (${finding.count})`, `Select the ${finding.count} injected ${digits}`, `injected ${digits}`, all),
    );
    block.append(heading);
    const list = el("ul");
    for (const [kept, share] of Object.entries(finding.followsPathOf).sort((a, b) => b[1] - a[1])) {
      const follows = () => all().filter((i) => findings.layers.every((l, li) => layers[li].assignments[i] === l.dominantCluster[kept]));
      const item = el("li");
      const keptDigits = classPlural(data.results, kept);
      item.append(
        pick(
          `${percent(share)} follow the ${keptDigits}' path`,
          `Select the injected ${digits} whose cluster is the ${keptDigits}' in every layer`,
          `injected ${digits} on the ${keptDigits}' path`,
          follows,
        ),
      );
      list.append(item);
    }
    for (const [predicted, share] of Object.entries(finding.predicted).sort((a, b) => b[1] - a[1])) {
      const item = el("li");
      const as = Number(predicted);
      const name = className(data.results, predicted);
      item.append(
        pick(
          `${percent(share)} predicted ${name}`,
          `Select the injected ${digits} predicted ${name}`,
          `injected ${digits} predicted ${name}`,
          () => all().filter((i) => predictions[i] === as),
        ),
      );
      list.append(item);
    }
    list.append(el("li", "mtq-muted", `path entropy ${finding.pathEntropy.toFixed(2)} bits (0 = one shared path; higher = scattered)`));
    block.append(list);
    return block;
  });
}

function outliers(data: ViewData, pick: Pick): HTMLElement {
  const list = data.state.findings.outliers;
  const section = el("div", "mtq-outliers");
  const heading = el("h3");
  heading.append(pick(`Outliers (${list.length})`, "Select every outlier", "outliers", () => list.map((o) => o.image)));
  const items = el("ul", "mtq-outlier-list");
  for (const o of list.slice(0, LISTED_OUTLIERS)) {
    const item = el("li");
    const b = pick(
      `#${o.image} · ${className(data.results, o.digit)} · ${outlierReasonsText(data.results, o, data.state.predictions[o.image])}`,
      `Select image #${o.image}`,
      `image #${o.image}`,
      () => [o.image],
    );
    b.prepend(thumbnailGrid(data, [o.image], 1, 1));
    item.append(b);
    items.append(item);
  }
  section.append(heading, items);
  if (list.length > LISTED_OUTLIERS)
    section.append(el("p", "mtq-muted", `… and ${list.length - LISTED_OUTLIERS} more (all selected by the heading).`));
  return section;
}

function clustering(data: ViewData): HTMLElement {
  const section = el("div", "mtq-clustering");
  section.append(el("h3", "", "k per layer (best mean silhouette)"));
  for (const layer of data.state.layers) {
    const row = el("div", "mtq-kcharts");
    row.append(
      el(
        "div",
        "mtq-klabel",
        `${layer.name}, ${layer.size} units: k = ${layer.k}, silhouette ${layer.silhouette.toFixed(2)}${silhouetteNote(layer)}`,
      ),
      kChart("silhouette", layer.kValues, layer.silhouetteCurve, layer.k),
      kChart("inertia (elbow)", layer.kValues, layer.inertiaCurve, layer.k),
    );
    section.append(row);
  }
  return section;
}
