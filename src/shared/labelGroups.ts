// Which labels a results' kept images have, and which its injected ones: the Sankey's first column
// ("4 (injected)"), the results view's digits and legend, and the notebook's introduction all name
// them, from this one pass over the images. Browser-safe (the webview bundles it).

/** The labels of the kept images and those of the injected images, each ascending and once (a label may be in both). */
export function labelGroups(images: { labels: ArrayLike<number>; injected: ArrayLike<boolean | number> }): {
  kept: number[];
  injected: number[];
} {
  const kept = new Set<number>();
  const injected = new Set<number>();
  for (let i = 0; i < images.labels.length; i++) (images.injected[i] ? injected : kept).add(images.labels[i]);
  const ascending = (labels: Set<number>) => [...labels].sort((a, b) => a - b);
  return { kept: ascending(kept), injected: ascending(injected) };
}
