// How many images, in words: the host's prompts, notifications and tree rows say it the same way.

/** "1 image", "2,000 images". */
export function imageCountText(n: number): string {
  return `${n.toLocaleString("en-US")} image${n === 1 ? "" : "s"}`;
}
