// Colored MNIST (Arjovsky et al., 2019, "Invariant Risk Minimization"), adapted to MTQ's labels:
// the digits keep their own labels (so the maps' purity is still by digit) and the colour carries
// the IRM binary label, digit < 5. Each digit is drawn in red (0-4) or green (5-9), except that a
// share 1 - agreement of the images take the other colour. IRM's 25% label noise is left out: MTQ
// asks what the model groups by, and noisy labels would blur the purity by digit it measures.
import type { LabeledImages } from "./images";
import { randomFor } from "./random";

export interface Colouring {
  /** Share of the split's images whose colour agrees with their digit. */
  agreement: number;
  seed: number;
  split: "train" | "test";
}

export const RED = 0;
export const GREEN = 1;

/** The colour a digit has when it agrees: red below 5, green from 5 (IRM's binary label). */
export const agreeingColour = (digit: number): number => (digit < 5 ? RED : GREEN);

/**
 * Each image's colour, RED or GREEN: one draw per image in file order from the stream of
 * (seed, split), so an image's colour never depends on which images an experiment picks.
 */
export function imageColours(labels: Uint8Array, { agreement, seed, split }: Colouring): Uint8Array {
  const random = randomFor(seed, `coloredMnist:${split}`);
  return labels.map((digit) => {
    const agrees = random() < agreement;
    return agrees ? agreeingColour(digit) : 1 - agreeingColour(digit);
  });
}

/** The grey images in colour, interleaved red, green, blue: the digit's ink in its colour's channel, the others black. */
export function coloured(grey: LabeledImages, colouring: Colouring): LabeledImages {
  const colours = imageColours(grey.labels, colouring);
  const size = grey.rows * grey.cols;
  const pixels = new Uint8Array(grey.count * size * 3);
  for (let i = 0; i < grey.count; i++) {
    const channel = colours[i];
    for (let p = 0; p < size; p++) pixels[(i * size + p) * 3 + channel] = grey.pixels[i * size + p];
  }
  return { ...grey, pixels, channels: 3 };
}
