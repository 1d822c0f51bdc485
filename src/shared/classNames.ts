// How a label is shown: its class name when the results name the classes (an image folder's
// subfolders, `data.classNames`), else the number. Shared by the pipeline, the host and the
// webview's browser bundle, so it imports nothing that runs.
import type { Results } from "./results";

type Named = Pick<Results, "classNames">;

/** "Trouser" for label 1 of Fashion-MNIST, "1" for plain digits. */
export function className(named: Named, label: number | string): string {
  return named.classNames?.[label] ?? String(label);
}

/** "1 · Trouser" where the number matters too (the experiment's `digits` and `inject` use it); "1" for plain digits. */
export function labelAndName(named: Named, label: number | string): string {
  const name = named.classNames?.[label];
  return name === undefined ? String(label) : `${label} · ${name}`;
}

/** "1s", "fours", "Dresses": the images of a class, as the findings and the summary name them. */
export function classPlural(named: Named, label: number | string): string {
  const name = className(named, label);
  return /(s|x|z|ch|sh)$/i.test(name) ? `${name}es` : `${name}s`;
}

/** What one label is called: "class" when the results name the classes (an image folder, `data.classNames`), "digit" for plain digits. */
export function classNoun(named: Named): "digit" | "class" {
  return named.classNames ? "class" : "digit";
}

/** "digits" or "classes", as `classNoun` decides. */
export function classNounPlural(named: Named): "digits" | "classes" {
  return named.classNames ? "classes" : "digits";
}
