// Opens an experiment's data source: the built-in MNIST, a pair of IDX files, a CSV file or an
// image folder. Two ways in: `splitFacts` reads only what the checks need (headers, labels, each
// image's header), `loadImageSet` the images themselves, for the run.
import { resolve } from "node:path";
import type { Source } from "../shared/experiment";
import type { JsonPath } from "../shared/problems";
import { csvFacts, readCsvImages } from "./csv";
import { DataFileError } from "./dataFileError";
import { idxDims, readIdx } from "./idx";
import { folderClasses, imageHeader, listImages, readImageFolder, type FolderOptions, type ImageHeader } from "./imageFolder";
import type { ImageSet, LabeledImages } from "./images";
import { coloured, type Colouring } from "./coloredMnist";
import { mnistFile } from "./mnist";

export type Split = "train" | "test";

interface SourceFile {
  file: string;
  /** The experiment field that names this file. */
  path: JsonPath;
}

export interface SplitFiles {
  images: SourceFile;
  labels?: SourceFile;
  /** For an image folder (`images` is the folder): how to read it, and the training folder whose subfolders give the labels. */
  folder?: FolderOptions & { trainFolder: string };
  /** For Colored MNIST (`images` and `labels` are MNIST's): how its digits are coloured. */
  colouring?: Colouring;
}

/** The files behind a source's split, or undefined when the source has no such split. */
export function splitFiles(source: Source, split: Split, baseDir: string): SplitFiles | undefined {
  const at = (p: string, ...path: string[]): SourceFile => ({ file: resolve(baseDir, p), path: ["data", "source", ...path] });
  if (source === "mnist" || "coloredMnist" in source) {
    const prefix = split === "train" ? "train" : "t10k";
    const mnist = {
      images: { file: mnistFile(`${prefix}-images-idx3-ubyte`), path: ["data", "source"] },
      labels: { file: mnistFile(`${prefix}-labels-idx1-ubyte`), path: ["data", "source"] },
    };
    if (source === "mnist") return mnist;
    const { agreement, testAgreement, seed } = source.coloredMnist;
    return { ...mnist, colouring: { agreement: split === "train" ? agreement : testAgreement, seed, split } };
  }
  if ("idx" in source) {
    const { images, labels, testImages, testLabels } = source.idx;
    if (split === "train") return { images: at(images, "idx", "images"), labels: at(labels, "idx", "labels") };
    if (testImages && testLabels) return { images: at(testImages, "idx", "testImages"), labels: at(testLabels, "idx", "testLabels") };
    return undefined;
  }
  if ("folder" in source) {
    const { path, testPath, size, invert, channels } = source.folder;
    const folder = { size, invert, channels, trainFolder: resolve(baseDir, path) };
    if (split === "train") return { images: at(path, "folder", "path"), folder };
    return testPath ? { images: at(testPath, "folder", "testPath"), folder } : undefined;
  }
  // Imported signatures have rows, not images to read: src/data/signatures.ts reads them.
  if ("signatures" in source) return undefined;
  if (split === "train") return { images: at(source.csv, "csv") };
  return source.testCsv ? { images: at(source.testCsv, "testCsv") } : undefined;
}

/** The channels a source's images have: 3 for Colored MNIST, a folder's `channels` (absent: decided by the run), else 1. */
export function sourceChannels(source: Source): 1 | 3 | undefined {
  if (typeof source !== "object") return 1;
  if ("coloredMnist" in source) return 3;
  if ("folder" in source) return source.folder.channels;
  return 1;
}

/** An image folder's class names (label -> subfolder name), undefined when its subfolders are named by their labels or the source is not a folder. */
export function folderClassNames(source: Source, baseDir: string): Record<string, string> | undefined {
  if (typeof source !== "object" || !("folder" in source)) return undefined;
  const train = splitFiles(source, "train", baseDir)!;
  return withPath(train.images, () => folderClasses(train.images.file).classNames);
}

/** An error reading a data file, with the experiment field that named it. */
export class SourceFileError extends Error {
  constructor(
    readonly cause: DataFileError,
    readonly path: JsonPath,
  ) {
    super(cause.message);
  }
}

function withPath<T>(f: SourceFile, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof DataFileError) throw new SourceFileError(e, f.path);
    throw e;
  }
}

async function withPathAsync<T>(f: SourceFile, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof DataFileError) throw new SourceFileError(e, f.path);
    throw e;
  }
}

function labelDimsError(file: string, dims: number[]): DataFileError | undefined {
  if (dims.length === 1) return undefined;
  return new DataFileError(
    file,
    `a label file has 1 dimension, this one has ${dims.length}`,
    "point `labels` at the labels file (…-labels-idx1-ubyte)",
  );
}

function imageDimsError(file: string, dims: number[]): DataFileError | undefined {
  if (dims.length === 3 && (dims[1] === 0 || dims[2] === 0)) {
    return new DataFileError(
      file,
      `the images are ${dims[1]}x${dims[2]} pixels: they hold none`,
      "regenerate the file with the images' rows and columns",
    );
  }
  if (dims.length === 3) return undefined;
  return new DataFileError(
    file,
    `an image file has 3 dimensions (count, rows, columns), this one has ${dims.length}`,
    "point `images` at the images file (…-images-idx3-ubyte)",
  );
}

function countError(images: string, count: number, labelsFile: string, labels: number): DataFileError | undefined {
  if (count === labels) return undefined;
  return new DataFileError(images, `${count} images but ${labels} labels in ${labelsFile}`, "pair each image file with its own label file");
}

/** An IDX labels file, read whole (labels files are small: one byte per image). */
export function readIdxLabels(file: string): Uint8Array {
  const idx = readIdx(file);
  const wrong = labelDimsError(file, idx.dims);
  if (wrong) throw wrong;
  return idx.data;
}

/** A split's images: held in memory for MNIST, IDX, CSV and Colored MNIST, decoded on demand for an image folder. */
export function loadImageSet(files: SplitFiles): ImageSet {
  const { folder, colouring } = files;
  if (!folder) return colouring ? coloured(loadImages(files), colouring) : loadImages(files);
  const set = withPath(files.images, () => readImageFolder(files.images.file, folderClasses(folder.trainFolder), folder));
  const bothAt = set.bothAt!;
  return {
    ...set,
    pixelsAt: (index) => withPath(files.images, () => set.pixelsAt(index)),
    bothAt: (index) => withPath(files.images, () => bothAt(index)),
  };
}

/** The images of an MNIST, IDX or CSV split, all in memory. */
export function loadImages(files: SplitFiles): LabeledImages {
  const f = files.images;
  if (!files.labels) return withPath(f, () => readCsvImages(f.file));
  const labelsFile = files.labels;
  const labels = withPath(labelsFile, () => readIdxLabels(labelsFile.file));
  return withPath(f, () => {
    const idx = readIdx(f.file);
    const wrong = imageDimsError(f.file, idx.dims) ?? countError(f.file, idx.dims[0], labelsFile.file, labels.length);
    if (wrong) throw wrong;
    const [count, rows, cols] = idx.dims;
    return { count, rows, cols, pixels: idx.data, labels, file: f.file };
  });
}

/** What the checks need of a split: how many images, their size, their labels. */
export interface SplitFacts {
  count: number;
  rows: number;
  cols: number;
  labels: Uint8Array;
  /** The file (or folder) of the images, for messages. */
  file: string;
  /** An image folder's image files, in the order the labels count them: their headers are read for the images a run takes (`imageHeader`). */
  imageFiles?: string[];
}

/** The cheap readers `splitFacts` uses; the checks pass ones that remember each file's answer until it changes. */
export interface FactReaders {
  idxDims(file: string): Promise<number[]>;
  idxLabels(file: string): Promise<Uint8Array>;
  csvFacts(file: string): ReturnType<typeof csvFacts>;
  imageHeader(file: string): Promise<ImageHeader>;
}

export const directReaders: FactReaders = {
  idxDims,
  idxLabels: async (file) => readIdxLabels(file),
  csvFacts,
  imageHeader,
};

/**
 * A split's facts, reading only headers and labels (never a whole large file), or every error
 * found: each file of the split is read even when another fails, so that both files of a pair
 * missing are both named. An image folder is listed; its images' headers are read by `imageHeader`.
 */
export async function splitFacts(files: SplitFiles, read: FactReaders = directReaders): Promise<SplitFacts | SourceFileError[]> {
  const { images, labels, folder } = files;
  const settled = async <T>(f: SourceFile, reading: () => Promise<T>): Promise<T | SourceFileError> =>
    withPathAsync(f, reading).catch((e: unknown) => {
      if (e instanceof SourceFileError) return e;
      throw e;
    });
  if (folder) {
    const listing = await settled(images, async () => listImages(images.file, folderClasses(folder.trainFolder)));
    if (listing instanceof SourceFileError) return [listing];
    if (listing.files.length === 0) {
      return [
        new SourceFileError(
          new DataFileError(
            images.file,
            "no PNG or JPEG image in the class subfolders",
            "put .png, .jpg or .jpeg images in each class's subfolder",
          ),
          images.path,
        ),
      ];
    }
    const [rows, cols] = folder.size;
    return { count: listing.files.length, rows, cols, labels: listing.labels, file: images.file, imageFiles: listing.files };
  }
  if (!labels) {
    const csv = await settled(images, () => read.csvFacts(images.file));
    return csv instanceof SourceFileError ? [csv] : { ...csv, file: images.file };
  }
  const [dims, labelValues] = await Promise.all([
    settled(images, async () => {
      const d = await read.idxDims(images.file);
      const wrong = imageDimsError(images.file, d);
      if (wrong) throw wrong;
      return d;
    }),
    settled(labels, () => read.idxLabels(labels.file)),
  ]);
  const errors = [dims, labelValues].filter((r) => r instanceof SourceFileError);
  if (errors.length > 0) return errors;
  const [count, rows, cols] = dims as number[];
  const labelArray = labelValues as Uint8Array;
  const mismatch = countError(images.file, count, labels.file, labelArray.length);
  if (mismatch) return [new SourceFileError(mismatch, images.path)];
  return { count, rows, cols, labels: labelArray, file: images.file };
}
