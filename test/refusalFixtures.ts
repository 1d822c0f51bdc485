// What the refusal suites (check-twins.test.ts, hostile.test.ts) cut from the real MNIST files, and
// the experiment each of their cases changes one field of.
import { PNG } from "pngjs";
import { readIdx } from "../src/data/idx";
import { mnistFile } from "../src/data/mnist";
import { idxBytes } from "./helpers";

export const mnistImages = readIdx(mnistFile("train-images-idx3-ubyte"));
export const mnistLabels = readIdx(mnistFile("train-labels-idx1-ubyte"));

/** The first `n` real MNIST training images and labels, as IDX files' bytes. */
export const firstImages = (n: number) => idxBytes([n, 28, 28], mnistImages.data.subarray(0, n * 784));
export const firstLabels = (n: number) => idxBytes([n], mnistLabels.data.subarray(0, n));

/** The `i`th MNIST training image as a 28x28 PNG file's bytes. */
export function mnistPng(i: number): Buffer {
  const rgba = Buffer.alloc(784 * 4);
  mnistImages.data.subarray(i * 784, (i + 1) * 784).forEach((v, p) => rgba.set([v, v, v, 255], p * 4));
  return PNG.sync.write(Object.assign(new PNG({ width: 28, height: 28 }), { data: rgba }));
}

/** The experiment the cases change: 1s and 7s of the first 200 MNIST digits, from images.idx and labels.idx. */
export function refusalExperiments(name: string) {
  const base = {
    name,
    data: { source: { idx: { images: "images.idx", labels: "labels.idx" } }, digits: [1, 7], perDigit: 10, holdout: { perDigit: 5 } },
    training: { epochs: 1 },
    clustering: { kMin: 2, kMax: 4 },
  };
  return {
    base,
    /** The base with other IDX files. */
    idx: (files: { images?: string; labels?: string }) => ({
      ...base,
      data: { ...base.data, source: { idx: { ...base.data.source.idx, ...files } } },
    }),
    /** Signatures imported from .npy files (sig-*.npy, the first 200 MNIST digits' pixels as a layer): no model, no training. */
    signatures: (files: object = {}, more: object = {}) => ({
      name,
      data: {
        ...base.data,
        source: { signatures: { layers: ["sig-h1.npy"], labels: "sig-labels.npy", predictions: "sig-labels.npy", ...files } },
      },
      clustering: base.clustering,
      ...more,
    }),
    saved: (path: string, more: object = {}) => ({ ...base, model: { kind: "saved", path, ...more } }),
    onnx: (path: string, more: object = {}) => ({ ...base, model: { kind: "onnx", path, ...more } }),
  };
}
