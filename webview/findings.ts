// The findings panel: the pipeline's computed answers to the report's questions, each one a
// button that selects the images behind it.
import { className, classNoun, classNounPlural, classPlural } from "../src/shared/classNames";
import { INTERVAL_METHODS, SEPARATION_PURITY } from "../src/shared/figures";
import { imageTitle } from "../src/shared/imageName";
import { intervalText, percent, pValueText } from "../src/shared/intervalText";
import { outlierReasonsText, outlierRule, scoreText } from "../src/shared/outlierText";
import type { Interval } from "../src/shared/results";
import { silhouetteNote } from "../src/shared/silhouetteNote";
import { afterPaint } from "./afterPaint";
import { kChart } from "./charts";
import { digitColor } from "./colors";
import { imagesWhere, type ViewData } from "./data";
import { button, el } from "./dom";
import type { SelectionModel } from "./selection";
import { thumbnailGrid } from "./thumbnails";
import { grouped } from "../src/shared/imageCount";

const LISTED_OUTLIERS = 200;

/** "[81–94%]", muted, saying on hover how it is computed. */
function intervalSpan(interval: Interval): HTMLElement {
  const span = el("span", "mtq-muted mtq-interval", intervalText(interval));
  span.title = INTERVAL_METHODS.share;
  return span;
}

/** A share with its interval after it; the share alone for results from before intervals. */
function withInterval(text: string, interval: Interval | undefined): HTMLElement {
  const span = el("span", "", text);
  if (interval) span.append(" ", intervalSpan(interval));
  return span;
}

export function findingsPanel(data: ViewData, selection: SelectionModel): HTMLElement {
  const panel = el("section", "mtq-findings");
  panel.setAttribute("aria-label", "Findings");
  const pick = (text: string, title: string, label: string, images: () => number[]) =>
    button("mtq-link", text, title, (e) => selection.pick(images(), label, e.shiftKey));
  const outlierList = el("ul", "mtq-outlier-list");
  const kCharts = clustering();
  panel.append(
    el("h2", "mtq-section-title", "Findings"),
    accuracy(data),
    separation(data, pick),
    ...separationOverTraining(data),
    purity(data, pick),
    independence(data),
    ...injected(data, pick),
    outliers(data, pick, outlierList),
    kCharts,
  );
  const rest = () => {
    listOutliers(data, pick, outlierList);
    drawKCharts(data, kCharts);
  };
  // The panel's end, below the fold as a view opens at the page's top: the outliers' lines and
  // the k charts (d3's axes) are made once the view's first frame is on its way, in the view shown
  // then. In a page scrolled down (another epoch, a run written again) at once: a page made shorter
  // for a frame would scroll back up.
  if (window.scrollY > 0) rest();
  else
    afterPaint(() => {
      if (panel.isConnected) rest();
    });
  return panel;
}

type Pick = (text: string, title: string, label: string, images: () => number[]) => HTMLButtonElement;

function accuracy(data: ViewData): HTMLElement {
  const { train, test } = data.state.findings.accuracy;
  const intervals = data.state.findings.accuracyInterval;
  const { imported } = data.results;
  // Imported signatures: no model ran here, so the accuracy is the imported predictions' agreement with the labels.
  const p = imported
    ? el("p", "", `Signatures imported from ${imported.files.join(", ")} (no model ran). Their predictions: `)
    : el("p", "", "Accuracy: ");
  p.append(withInterval(percent(train), intervals?.train), imported ? " right on the kept images" : " on the training images");
  if (test === null) p.append("; held-out accuracy not measured (no image left to hold out).");
  else p.append(", ", withInterval(percent(test), intervals?.test ?? undefined), ` on ${grouped(data.results.testCount)} held-out images.`);
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

/** " Over 20 bootstrap runs: layer 1 in 18, layer 2 in 2." with the final model's stability runs; "" without. */
function separationStability(data: ViewData): string {
  const stability = data.state.findings.stability;
  if (!stability) return "";
  const tally = Object.entries(stability.separationLayer)
    .sort((a, b) => b[1] - a[1])
    .map(([layer, n]) => `${layer === "none" ? "no layer" : `layer ${layer}`} in ${n}`);
  return ` Over ${stability.runs} bootstrap runs: ${tally.join(", ")}.`;
}

function separation(data: ViewData, pick: Pick): HTMLElement {
  const layer = data.state.findings.separationLayer;
  const p = el("p");
  if (layer === null) {
    p.textContent =
      `No hidden layer separates the ${classNounPlural(data.results)} (each with ≥ ${percent(SEPARATION_PURITY)} in its own cluster).` +
      separationStability(data);
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
  const stability = separationStability(data);
  if (stability) p.append(el("span", "mtq-separation-stability", stability));
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

/**
 * Per class, its kept images outside its dominant cluster in `layer`: counted in one pass, the
 * lists made when clicked (a list per class and layer scanned every image 20 times at each load).
 */
function offDominantCounts(data: ViewData, layer: number): number[] {
  const { labels, injected, count } = data.results.images;
  const dominant: number[] = [];
  for (const [d, c] of Object.entries(data.state.findings.layers[layer].dominantCluster)) dominant[Number(d)] = c;
  const { assignments } = data.state.layers[layer];
  const counts: number[] = [];
  for (let i = 0; i < count; i++) {
    const d = labels[i];
    if (!injected[i] && assignments[i] !== dominant[d]) counts[d] = (counts[d] ?? 0) + 1;
  }
  return counts;
}

function purity(data: ViewData, pick: Pick): HTMLElement {
  const { findings } = data.state;
  const table = el("table", "mtq-purity");
  const noun = classNoun(data.results);
  const caption = el(
    "caption",
    "",
    `Purity: share of each ${noun} in its dominant cluster, with its ${INTERVAL_METHODS.share} (click to select; “off” = the rest)`,
  );
  const head = el("tr");
  head.append(el("th", "", noun), ...findings.layers.map((l) => nameCell(l.name)));
  table.append(caption, head);
  const offCounts = findings.layers.map((_, li) => offDominantCounts(data, li));
  for (const digit of data.results.classes) {
    const row = el("tr");
    const digits = classPlural(data.results, digit);
    const th = nameCell(className(data.results, digit), "mtq-digit");
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
      const interval = layer.purityInterval?.[digit];
      if (interval) cell.append(" ", intervalSpan(interval));
      const off = offCounts[li][digit] ?? 0;
      if (off > 0)
        cell.append(
          " ",
          pick(
            `${off} off`,
            `Select the ${digits} outside cluster ${cluster} of layer ${li + 1}`,
            `${digits} off cluster ${cluster} of layer ${li + 1}`,
            () => onDominant(data, li, digit, false),
          ),
        );
      row.append(cell);
    });
    table.append(row);
  }
  return table;
}

/** A header cell for a name of any length (a class, a layer): cut to fit the side panel, whole in its tooltip. */
function nameCell(name: string, className = ""): HTMLElement {
  const th = el("th", className);
  th.title = name;
  th.append(el("span", "mtq-name", name));
  return th;
}

/** Per layer, whether its clusters depend on the labels beyond chance: the G-test and its permutation p-value. */
function independence(data: ViewData): HTMLElement {
  const layers = data.state.findings.layers.filter((l) => l.independence);
  const p = el("p", "mtq-muted mtq-independence");
  if (layers.length === 0) return p;
  const permutations = layers[0].independence.permutations;
  p.append(
    `${classNoun(data.results)[0].toUpperCase()}${classNoun(data.results).slice(1)} × cluster, G-test (p from ${permutations} label permutations): ` +
      layers.map((l, i) => `layer ${i + 1} G = ${l.independence.g.toFixed(1)}, ${pValueText(l.independence.pValue)}`).join("; ") +
      ".",
  );
  return p;
}

function injected(data: ViewData, pick: Pick): HTMLElement[] {
  const { images } = data.results;
  const { predictions, layers, findings } = data.state;
  return Object.entries(findings.injected).map(([digitKey, finding]) => {
    const digit = Number(digitKey);
    const digits = classPlural(data.results, digit);
    const all = () => imagesWhere(data, (i) => Boolean(images.injected[i]) && images.labels[i] === digit);
    const block = el("div", "mtq-injected");
    const heading = el("h3");
    heading.append(
      pick(`Injected ${digits} (${finding.count})`, `Select the ${finding.count} injected ${digits}`, `injected ${digits}`, all),
    );
    block.append(heading);
    const list = el("ul");
    const spread = findings.stability?.followsPathOf[digitKey];
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
      const interval = finding.followsPathOfInterval?.[kept];
      if (interval) item.append(" ", intervalSpan(interval));
      if (spread?.[kept]) {
        const [low, high] = spread[kept];
        const runs = el(
          "span",
          "mtq-muted mtq-spread",
          ` · ${percent(low)}–${percent(high)} over ${findings.stability!.runs} bootstrap runs`,
        );
        runs.title = INTERVAL_METHODS.stability;
        item.append(runs);
      }
      list.append(item);
    }
    if (finding.preference) {
      const { more, than, pValue } = finding.preference;
      list.append(
        el(
          "li",
          "mtq-muted mtq-preference",
          `the ${classPlural(data.results, more)}' path more than the ${classPlural(data.results, than)}': exact McNemar ${pValueText(pValue)}`,
        ),
      );
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
      const interval = finding.predictedInterval?.[predicted];
      if (interval) item.append(" ", intervalSpan(interval));
      list.append(item);
    }
    list.append(el("li", "mtq-muted", `path entropy ${finding.pathEntropy.toFixed(2)} bits (0 = one shared path; higher = scattered)`));
    block.append(list);
    return block;
  });
}

/** The outliers' heading and rule, and `items`, the list their lines go in (listOutliers). */
function outliers(data: ViewData, pick: Pick, items: HTMLElement): HTMLElement {
  const list = data.state.findings.outliers;
  const section = el("div", "mtq-outliers");
  const heading = el("h3");
  heading.append(pick(`Outliers (${list.length})`, "Select every outlier", "outliers", () => list.map((o) => o.image)));
  const rule = el("p", "mtq-muted mtq-outlier-rule", `Ranked by ${outlierRule(data.results)}.`);
  section.append(heading, rule, items);
  if (list.length > LISTED_OUTLIERS)
    section.append(el("p", "mtq-muted", `… and ${list.length - LISTED_OUTLIERS} more (all selected by the heading).`));
  return section;
}

/** The first LISTED_OUTLIERS outliers in `items`, a line each: its thumbnail, name, score and reasons, a button that selects it. */
function listOutliers(data: ViewData, pick: Pick, items: HTMLElement): void {
  for (const o of data.state.findings.outliers.slice(0, LISTED_OUTLIERS)) {
    const item = el("li");
    const reasons = outlierReasonsText(data.results, o, data.state.predictions[o.image]);
    const name = imageTitle(data.results, o.image);
    const b = pick(`${name} · score ${scoreText(o.score)}${reasons ? ` · ${reasons}` : ""}`, `Select ${name}`, name, () => [o.image]);
    b.prepend(thumbnailGrid(data, [o.image], 1, 1));
    item.append(b);
    items.append(item);
  }
}

/** The k charts' section: its heading (drawKCharts adds the charts). */
function clustering(): HTMLElement {
  const section = el("div", "mtq-clustering");
  section.append(el("h3", "", "k per layer (best mean silhouette)"));
  return section;
}

/** In `section`, per layer: its k, silhouette and charts of the silhouette and inertia against k. */
function drawKCharts(data: ViewData, section: HTMLElement): void {
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
}
