// Elements built with the DOM API, never from HTML strings: the strict CSP forbids inline styles,
// and text set as textContent cannot inject markup.

/** A new element with the given classes and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A new SVG element with the given attributes. */
export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** A button that runs `action` on click (and so on Enter and Space, as buttons do). */
export function button(className: string, text: string, title: string, action: (e: MouseEvent) => void): HTMLButtonElement {
  const b = el("button", className, text);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", action);
  return b;
}

/** Makes a non-button element (an SVG node or link) act like one for the keyboard and screen readers. */
export function actAsButton(node: Element, label: string, action: (e: MouseEvent | KeyboardEvent) => void): void {
  node.setAttribute("tabindex", "0");
  node.setAttribute("role", "button");
  node.setAttribute("aria-label", label);
  node.addEventListener("click", (e) => action(e as MouseEvent));
  node.addEventListener("keydown", (e) => {
    const key = (e as KeyboardEvent).key;
    if (key !== "Enter" && key !== " ") return;
    e.preventDefault();
    action(e as KeyboardEvent);
  });
}
