// The k charts of the findings panel: silhouette and inertia (elbow) against k, as in the report's
// notebook, with both axes' values, and the chosen k marked by a line across the plot and named
// above it, off the curve.
import { axisBottom, axisLeft, extent, format, line, scaleLinear, select, type NumberValue } from "d3";
import { svgEl } from "./dom";

const W = 220;
const H = 128;
const M = { top: 30, right: 12, bottom: 30, left: 40 };

/** Up to 4 ticks on the values axis: 0.21 for silhouettes, 1.2k for inertias of thousands. */
function valueFormat(lo: number, hi: number): (v: NumberValue) => string {
  return Math.max(Math.abs(lo), Math.abs(hi)) >= 1000 ? format("~s") : format(".2~f");
}

/** A line of `values` over `ks`, with the chosen k marked. */
export function kChart(title: string, ks: number[], values: number[], chosen: number): SVGSVGElement {
  const svg = svgEl("svg", { class: "mtq-kchart", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  const i = ks.indexOf(chosen);
  const [lo, hi] = extent(values) as [number, number];
  const valueText = valueFormat(lo, hi);
  svg.setAttribute(
    "aria-label",
    `${title} against k: ${ks.map((k, n) => `k = ${k}, ${valueText(values[n])}`).join("; ")}. Chosen k = ${chosen}`,
  );
  svg.dataset.chosen = String(chosen);
  const x = scaleLinear()
    .domain(extent(ks) as [number, number])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([H - M.bottom, M.top])
    .nice(4);
  const heading = svgEl("text", { x: 0, y: 11, class: "mtq-kchart-title" });
  heading.textContent = title;
  const xAxis = svgEl("g", { class: "mtq-kchart-axis mtq-kchart-x", transform: `translate(0,${H - M.bottom})` });
  select(xAxis).call(axisBottom(x).tickValues(ks).tickFormat(format("d")).tickSizeOuter(0));
  const yAxis = svgEl("g", { class: "mtq-kchart-axis mtq-kchart-y", transform: `translate(${M.left},0)` });
  const [d0, d1] = y.domain();
  select(yAxis).call(axisLeft(y).ticks(4).tickFormat(valueFormat(d0, d1)).tickSizeOuter(0));
  const xLabel = svgEl("text", { x: (M.left + W - M.right) / 2, y: H - 2, "text-anchor": "middle", class: "mtq-kchart-label" });
  xLabel.textContent = "k (clusters)";
  svg.append(heading, xAxis, yAxis, xLabel);
  if (i >= 0) {
    // The chosen k: a dashed line across the plot, its name above the plot, its tick in bold.
    const cx = x(chosen);
    svg.append(svgEl("line", { x1: cx, x2: cx, y1: M.top - 4, y2: H - M.bottom, class: "mtq-kchart-mark" }));
    const label = svgEl("text", {
      x: Math.min(Math.max(cx, M.left + 20), W - M.right - 20),
      y: M.top - 8,
      "text-anchor": "middle",
      class: "mtq-kchart-chosen-label",
    });
    label.textContent = `k = ${chosen}`;
    svg.append(label);
    for (const tick of xAxis.querySelectorAll<SVGGElement>(".tick"))
      if (tick.textContent === String(chosen)) tick.classList.add("mtq-kchart-chosen-tick");
  }
  const points = ks.map((k, n) => [x(k), y(values[n])] as [number, number]);
  svg.append(svgEl("path", { d: line()(points) ?? "", class: "mtq-kchart-line" }));
  for (const [n, [px, py]] of points.entries())
    svg.append(svgEl("circle", { cx: px, cy: py, r: n === i ? 4 : 2, class: n === i ? "mtq-kchart-chosen" : "mtq-kchart-point" }));
  return svg;
}
