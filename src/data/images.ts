/** A set of labelled images, row-major, one byte (0-255) per pixel and channel; colour ones interleaved (red, green, blue). */
export interface LabeledImages {
  count: number;
  rows: number;
  cols: number;
  /** 3 for colour images; absent: grey. */
  channels?: 3;
  pixels: Uint8Array;
  labels: Uint8Array;
  /** The file the images came from, for messages. */
  file: string;
}

export function pixelsPerImage(set: Pick<LabeledImages, "rows" | "cols" | "channels">): number {
  return set.rows * set.cols * (set.channels ?? 1);
}

/** Images decoded one at a time when asked for (an image folder): only the picked ones are ever decoded. */
export interface OnDemandImages extends Omit<LabeledImages, "pixels"> {
  /** One image's rows*cols bytes, grey. */
  pixelsAt(index: number): Uint8Array;
  /** An image folder's: one image's grey bytes and its rows*cols*3 colour bytes, and whether any pixel's channels differ. */
  bothAt?(index: number): FolderImage;
  /** An image folder's: each image's path relative to the folder, "/"-separated ("four/img_003.png"). */
  relativePaths?: string[];
}

export interface FolderImage {
  grey: Uint8Array;
  colour: Uint8Array;
  distinct: boolean;
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
