// The small k charts of the findings panel: silhouette and inertia (elbow) against k, the chosen
// k marked, as in the report's notebook.
import { extent, line, scaleLinear } from "d3";
import { svgEl } from "./dom";

const W = 150;
const H = 64;
const M = { top: 20, right: 8, bottom: 14, left: 8 };

/** A line of `values` over `ks`, with the point at `chosen` circled. */
export function kChart(title: string, ks: number[], values: number[], chosen: number): SVGSVGElement {
  const svg = svgEl("svg", { class: "mtq-kchart", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
  svg.setAttribute("aria-label", `${title} for k = ${ks[0]} to ${ks[ks.length - 1]}; chosen k = ${chosen}`);
  const x = scaleLinear()
    .domain(extent(ks) as [number, number])
    .range([M.left, W - M.right]);
  const [lo, hi] = extent(values) as [number, number];
  const y = scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([H - M.bottom, M.top]);
  const points = ks.map((k, i) => [x(k), y(values[i])] as [number, number]);
  const heading = svgEl("text", { x: M.left, y: 10, class: "mtq-kchart-title" });
  heading.textContent = title;
  const axis = svgEl("text", { x: M.left, y: H - 3, class: "mtq-kchart-axis" });
  axis.textContent = `k ${ks[0]}…${ks[ks.length - 1]}`;
  svg.append(heading, axis, svgEl("path", { d: line()(points) ?? "", class: "mtq-kchart-line" }));
  const i = ks.indexOf(chosen);
  if (i >= 0) {
    svg.append(svgEl("circle", { cx: points[i][0], cy: points[i][1], r: 3.5, class: "mtq-kchart-chosen" }));
    const right = points[i][0] > W / 2;
    const label = svgEl("text", {
      x: points[i][0] + (right ? -6 : 6),
      y: points[i][1] + 4,
      "text-anchor": right ? "end" : "start",
      class: "mtq-kchart-axis",
    });
    label.textContent = `k=${chosen}`;
    svg.append(label);
  }
  return svg;
}
