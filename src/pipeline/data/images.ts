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
