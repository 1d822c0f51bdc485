// One floating box for every hover: points, Sankey nodes and links.
import { el } from "./dom";

export class Tooltip {
  readonly element = el("div", "mtq-tooltip");

  constructor() {
    this.element.setAttribute("role", "tooltip");
    this.element.hidden = true;
  }

  /** Shows `lines` (the first in bold) and `extra` nodes near the client point (x, y), kept on screen. */
  show(x: number, y: number, lines: string[], extra: Node[] = []): void {
    this.element.replaceChildren(...lines.map((line, i) => el("div", i === 0 ? "mtq-tooltip-title" : "", line)), ...extra);
    this.element.hidden = false;
    this.move(x, y);
  }

  move(x: number, y: number): void {
    if (this.element.hidden) return;
    const box = this.element.getBoundingClientRect();
    const left = x + 14 + box.width > window.innerWidth ? x - 14 - box.width : x + 14;
    const top = Math.min(y + 14, window.innerHeight - box.height - 4);
    this.element.style.left = `${Math.max(4, left) + window.scrollX}px`;
    this.element.style.top = `${Math.max(4, top) + window.scrollY}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
