// What a Colored MNIST run shows: whether the model groups the digits by shape or by colour. From
// a results file alone (the colour of an image is read from its pixels), so that a script, a test
// and anyone with the results compute the same figures.
import { round4 } from "../shared/figures";
import type { Results } from "../shared/results";

export interface LayerByAttribute {
  name: string;
  k: number;
  /** Share of the kept images in a cluster whose most frequent digit is their own. */
  purityByDigit: number;
  /** The same by colour (red or green). */
  purityByColour: number;
  /**
   * The kept images drawn in the colour of the other digit: the share in their own digit's dominant
   * cluster (the model follows the shape) and in the other digit's (it follows the colour); null when there are none.
   */
  disagreeing: { count: number; withTheirDigit: number | null; withTheirColour: number | null };
}

export interface ColoredMnistFigures {
  /** Kept images whose colour agrees with their digit (red below 5, green from 5). */
  agreement: number;
  layers: LayerByAttribute[];
  /** Accuracy on the kept images whose colour agrees, and on those whose colour disagrees (null: none does). */
  accuracyAgreeing: number | null;
  accuracyDisagreeing: number | null;
  /** Accuracy on the held-out images (the test split, coloured with `testAgreement`). */
  testAccuracy: number | null;
}

/** Each image's colour from its pixels: 0 when its red ink outweighs its green, else 1. */
export function coloursOf(results: Pick<Results, "images">): number[] {
  const { images } = results;
  if (images.channels !== 3) throw new Error("the results hold grey images: Colored MNIST's figures need colour ones");
  const pixels = images.pixels ?? new Uint8Array(0);
  const size = images.rows * images.cols * 3;
  return Array.from(images.labels, (_, i) => {
    let red = 0;
    let green = 0;
    for (let p = i * size; p < (i + 1) * size; p += 3) {
      red += pixels[p];
      green += pixels[p + 1];
    }
    return red >= green ? 0 : 1;
  });
}

/** Share of `members` in a cluster whose most frequent value of `attribute` is their own. */
function purity(assignments: ArrayLike<number>, attribute: ArrayLike<number>, members: number[]): number {
  const counts = new Map<number, Map<number, number>>();
  for (const i of members) {
    const inCluster = counts.get(assignments[i]) ?? new Map<number, number>();
    inCluster.set(attribute[i], (inCluster.get(attribute[i]) ?? 0) + 1);
    counts.set(assignments[i], inCluster);
  }
  let majority = 0;
  for (const inCluster of counts.values()) majority += Math.max(...inCluster.values());
  return majority / members.length;
}

/** The figures of a two-digit Colored MNIST run: one digit below 5 (red when it agrees), one from 5 (green). */
export function coloredMnistFigures(results: Results): ColoredMnistFigures {
  const { images, classes } = results;
  if (classes.length !== 2 || classes[0] >= 5 || classes[1] < 5)
    throw new Error("the figures compare two kept digits, one below 5 and one from 5 (e.g. 1 and 7)");
  const colours = coloursOf(results);
  const kept = Array.from(images.labels, (_, i) => i).filter((i) => !images.injected[i]);
  const digitColour = (digit: number) => (digit < 5 ? 0 : 1);
  const agrees = (i: number) => colours[i] === digitColour(images.labels[i]);
  const disagreeing = kept.filter((i) => !agrees(i));
  const accuracy = (members: number[]) =>
    members.length === 0 ? null : round4(members.filter((i) => results.predictions[i] === images.labels[i]).length / members.length);
  const layers = results.layers.map((layer, l) => {
    const finding = results.findings.layers[l];
    const other = (digit: number) => (digit === classes[0] ? classes[1] : classes[0]);
    const share = (inCluster: (i: number) => number) =>
      disagreeing.length === 0
        ? null
        : round4(disagreeing.filter((i) => layer.assignments[i] === inCluster(i)).length / disagreeing.length);
    return {
      name: layer.name,
      k: layer.k,
      purityByDigit: round4(purity(layer.assignments, images.labels, kept)),
      purityByColour: round4(purity(layer.assignments, colours, kept)),
      disagreeing: {
        count: disagreeing.length,
        withTheirDigit: share((i) => finding.dominantCluster[String(images.labels[i])]),
        withTheirColour: share((i) => finding.dominantCluster[String(other(images.labels[i]))]),
      },
    };
  });
  return {
    agreement: round4(kept.filter(agrees).length / kept.length),
    layers,
    accuracyAgreeing: accuracy(kept.filter(agrees)),
    accuracyDisagreeing: accuracy(disagreeing),
    testAccuracy: results.findings.accuracy.test,
  };
}
