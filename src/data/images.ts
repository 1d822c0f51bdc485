/** A set of labelled grey images, row-major, one byte (0-255) per pixel. */
export interface LabeledImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
  /** The file the images came from, for messages. */
  file: string;
}

export function pixelsPerImage(set: Pick<LabeledImages, "rows" | "cols">): number {
  return set.rows * set.cols;
}

/** Images decoded one at a time when asked for (an image folder): only the picked ones are ever decoded. */
export interface OnDemandImages extends Omit<LabeledImages, "pixels"> {
  /** One image's rows*cols bytes. */
  pixelsAt(index: number): Uint8Array;
  /** An image folder's: each image's path relative to the folder, "/"-separated ("four/img_003.png"). */
  relativePaths?: string[];
}

export type ImageSet = LabeledImages | OnDemandImages;

/** Image `index` of a set, whether it is held in memory or decoded on demand. */
export function imageAt(set: ImageSet, index: number): Uint8Array {
  if ("pixelsAt" in set) return set.pixelsAt(index);
  const size = pixelsPerImage(set);
  return set.pixels.subarray(index * size, (index + 1) * size);
}

/** How many images each label has. */
export function countPerLabel(labels: Uint8Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return counts;
}
