// How every view names an image and a class: the tree, the results view's tooltips, selections and
// legend, the Sankey, the findings. One word for the images passed through the trained model
// without training on them, the experiment's `inject` (the README and the report call them
// injected). Shared by the pipeline, the host and the webview's browser bundle, so it imports
// nothing that runs; the per-image arrays are only indexed (they may be typed arrays).
import { className } from "./classNames";
import type { Results } from "./results";

/** The word for an image passed through the trained model without training on it. */
export const INJECTED = "injected";

type Named = Pick<Results, "classNames">;

/** "3", "3 (injected)", "Trouser (injected)": a class as the legend, the Sankey and the tree name it. */
export function classLabel(named: Named, label: number | string, injected: boolean): string {
  return `${className(named, label)}${injected ? ` (${INJECTED})` : ""}`;
}

/** "image 85": an image by its place in the results (its source, "MNIST train #370", is imageSource's). */
function imageName(image: number): string {
  return `image ${image}`;
}

type Labelled = Named & { images: { labels: ArrayLike<number>; injected: ArrayLike<boolean | number> } };

/** "image 85 · 3 (injected)": what the tree's row, a map's tooltip and a one-image selection call an image. */
export function imageTitle(results: Labelled, image: number): string {
  return `${imageName(image)} · ${classLabel(results, results.images.labels[image], Boolean(results.images.injected[image]))}`;
}
