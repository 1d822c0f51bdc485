// Which labels a results' kept images have, and which its injected ones: the Sankey's first column
// ("4 (injected)"), the results view's digits and legend, and the notebook's introduction all name
// them, from this one pass over the images. Browser-safe (the webview bundles it).

/** The labels of the kept images and those of the injected images, each ascending and once (a label may be in both). */
export function labelGroups(images: { labels: ArrayLike<number>; injected: ArrayLike<boolean | number> }): {
  kept: number[];
  injected: number[];
} {
  // Each label marked in a typed array indexed by label (1: a kept image has it, 2: an injected
  // one), grown as a label needs: a Set's add per image took 102 ms of a million images' first call.
  const { labels, injected } = images;
  let marks = new Uint8Array(16);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < MARKED_LABELS && label === Math.floor(label))) return inSets(images);
    if (label >= marks.length) {
      const grown = new Uint8Array(Math.max(label + 1, 2 * marks.length));
      grown.set(marks);
      marks = grown;
    }
    marks[label] |= injected[i] ? 2 : 1;
  }
  const out = { kept: [] as number[], injected: [] as number[] };
  marks.forEach((mark, label) => {
    if (mark & 1) out.kept.push(label);
    if (mark & 2) out.injected.push(label);
  });
  return out;
}

/** Labels counted or marked by place (in a typed array) up to this; a file with others (not a class's index) is grouped in sets. */
export const MARKED_LABELS = 2 ** 20;

function inSets(images: { labels: ArrayLike<number>; injected: ArrayLike<boolean | number> }): { kept: number[]; injected: number[] } {
  const kept = new Set<number>();
  const injected = new Set<number>();
  for (let i = 0; i < images.labels.length; i++) (images.injected[i] ? injected : kept).add(images.labels[i]);
  const ascending = (labels: Set<number>) => [...labels].sort((a, b) => a - b);
  return { kept: ascending(kept), injected: ascending(injected) };
}
