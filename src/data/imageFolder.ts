// The "image folder" layout: one subfolder per class, each holding PNG and JPEG images. Images are
// read in colour or as one grey channel and resized, so that they fit the same pipeline as MNIST's 28x28 digits.
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { DataFileError } from "./dataFileError";
import { openedForReading } from "./files";
import type { FolderImage, OnDemandImages } from "./images";
import { resizedArea } from "./resize";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);
const NUMERIC_LABEL = /^(0|[1-9][0-9]{0,2})$/;

export interface FolderOptions {
  /** [rows, columns] every image is resized to. */
  size: readonly [number, number];
  /** Dark-on-light images become light-on-dark, like MNIST. */
  invert: boolean;
  /** 1: grey, 3: colour; absent: the run decides from the images it takes (`bothAt`). */
  channels?: 1 | 3;
}

/** The classes of a training folder: subfolder name -> label, and the names to show. */
export interface FolderClasses {
  labelOf: Map<string, number>;
  /** Label -> subfolder name; absent when the subfolders are named by their labels already. */
  classNames?: Record<string, string>;
}

function entries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith("."));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "folder not found"
        : code === "ENOTDIR"
          ? "this is a file, not a folder"
          : `cannot read the folder (${code ?? String(e)})`;
    throw new DataFileError(dir, message, "check the path; relative paths are resolved from the experiment file's folder");
  }
}

function subfolders(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Subfolders named 0-255 keep those numbers as labels; any other naming numbers them alphabetically. */
export function folderClasses(trainDir: string): FolderClasses {
  const names = subfolders(trainDir);
  if (names.length === 0) {
    throw new DataFileError(
      trainDir,
      "the folder has no subfolders",
      "put each class's images in a subfolder named after the class (e.g. cats/, dogs/)",
    );
  }
  if (names.length > 256) {
    throw new DataFileError(
      trainDir,
      `the folder has ${names.length} subfolders; at most 256 classes are supported`,
      "keep one subfolder per class, at most 256",
    );
  }
  if (names.every((n) => NUMERIC_LABEL.test(n) && Number(n) <= 255)) {
    return { labelOf: new Map(names.map((n) => [n, Number(n)])) };
  }
  return { labelOf: new Map(names.map((n, i) => [n, i])), classNames: Object.fromEntries(names.map((n, i) => [String(i), n])) };
}

export interface Listing {
  files: string[];
  /** Each file's path relative to the folder, "/"-separated: "four/img_003.png". */
  relativePaths: string[];
  labels: Uint8Array;
}

/** Every image file of `dir`, class by class then by name: the order `sourceIndex` counts in. */
export function listImages(dir: string, classes: FolderClasses): Listing {
  const files: string[] = [];
  const relativePaths: string[] = [];
  const labels: number[] = [];
  for (const name of subfolders(dir)) {
    const label = classes.labelOf.get(name);
    if (label === undefined) {
      throw new DataFileError(
        join(dir, name),
        `subfolder "${name}" is not one of the training folder's classes (${[...classes.labelOf.keys()].join(", ")})`,
        "name the test subfolders like the training ones",
      );
    }
    const images = entries(join(dir, name))
      .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
    for (const image of images) {
      files.push(join(dir, name, image));
      relativePaths.push(`${name}/${image}`);
      labels.push(label);
    }
  }
  return { files, relativePaths, labels: Uint8Array.from(labels) };
}

const isPng = (bytes: Uint8Array) => bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
const isJpeg = (bytes: Uint8Array) => bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8;

function notAnImage(file: string): DataFileError {
  return new DataFileError(
    file,
    "not a PNG or JPEG image (its first bytes are neither)",
    "convert it to PNG or JPEG, or move it out of the folder",
  );
}

function undecodable(file: string, format: "PNG" | "JPEG", reason: string): DataFileError {
  return new DataFileError(file, `cannot decode this ${format} (${reason})`, "save it again as PNG or JPEG, or move it out of the folder");
}

/** jpeg-js's cap on decoding memory, so that one huge photo fails clearly instead of exhausting the worker. */
const JPEG_MEMORY_MB = 512;

/** RGBA pixels of a PNG or JPEG, recognised by their content rather than their extension. */
function decoded(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = readFileSync(file);
  const png = isPng(bytes);
  if (!png && !isJpeg(bytes)) throw notAnImage(file);
  try {
    if (png) {
      const image = PNG.sync.read(bytes);
      return { width: image.width, height: image.height, rgba: image.data };
    }
    const jpg = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: JPEG_MEMORY_MB });
    return { width: jpg.width, height: jpg.height, rgba: jpg.data };
  } catch (e) {
    throw undecodable(file, png ? "PNG" : "JPEG", e instanceof Error ? e.message : String(e));
  }
}

export interface ImageHeader {
  format: "PNG" | "JPEG";
  width: number;
  height: number;
}

/** JPEG markers that start a frame (SOF0-15 but DHT, JPG and DAC), whose segment holds the image's size. */
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * An image's format and size from its header (PNG's IHDR, JPEG's frame segment), without
 * decoding its pixels; throws DataFileError for a file that is neither, or whose header is broken.
 */
export async function imageHeader(file: string): Promise<ImageHeader> {
  const handle = await openedForReading(file);
  try {
    const bytesAt = async (position: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const head = await bytesAt(0, 32);
    if (isPng(head)) {
      if (head.length < 24 || head.toString("latin1", 12, 16) !== "IHDR") throw undecodable(file, "PNG", "no IHDR header");
      const header = { format: "PNG" as const, width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
      if (header.width === 0 || header.height === 0) throw undecodable(file, "PNG", "its header gives no pixels");
      return header;
    }
    if (!isJpeg(head)) throw notAnImage(file);
    // Walk the segments from the start-of-image marker to the frame header; entropy-coded data comes only after it.
    let at = 2;
    for (;;) {
      const marker = await bytesAt(at, 9);
      if (marker.length < 4 || marker[0] !== 0xff) throw undecodable(file, "JPEG", "no frame header before the image data");
      const code = marker[1];
      if (code === 0xff) {
        at += 1; // fill byte
        continue;
      }
      if (code === 0xd9 || code === 0xda) throw undecodable(file, "JPEG", "no frame header before the image data");
      if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
        at += 2;
        continue;
      }
      if (isFrameMarker(code)) {
        if (marker.length < 9) throw undecodable(file, "JPEG", "the frame header is cut short");
        const header = { format: "JPEG" as const, height: marker.readUInt16BE(5), width: marker.readUInt16BE(7) };
        if (header.width === 0 || header.height === 0) throw undecodable(file, "JPEG", "its header gives no pixels");
        const megabytes = (header.width * header.height * 4) / (1024 * 1024);
        if (megabytes > JPEG_MEMORY_MB)
          throw undecodable(
            file,
            "JPEG",
            `${header.width}x${header.height} pixels need more than the ${JPEG_MEMORY_MB} MB allowed to decode one image`,
          );
        return header;
      }
      at += 2 + marker.readUInt16BE(2);
    }
  } finally {
    await handle.close();
  }
}

/** Luminance 0-255, transparent pixels counting as white (what an image viewer shows on a light page). */
function grey({ width, height, rgba }: { width: number; height: number; rgba: Uint8Array }): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const [r, g, b, a] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3] / 255];
    out[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (1 - a);
  }
  return out;
}

/** Red, green and blue planes 0-255, transparent pixels counting as white like `grey`. */
function planes({ width, height, rgba }: { width: number; height: number; rgba: Uint8Array }): Float32Array[] {
  const out = [0, 1, 2].map(() => new Float32Array(width * height));
  for (let i = 0; i < width * height; i++) {
    const a = rgba[4 * i + 3] / 255;
    for (let c = 0; c < 3; c++) out[c][i] = rgba[4 * i + c] * a + 255 * (1 - a);
  }
  return out;
}

/** Whether any visible pixel's red, green and blue differ: a colour image, not a grey one saved as RGB. */
function hasColour(rgba: Uint8Array): boolean {
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] > 0 && (rgba[i] !== rgba[i + 1] || rgba[i + 1] !== rgba[i + 2])) return true;
  }
  return false;
}

/** The folder's images, decoded (resized, greyed or in colour) only when asked for one, since photos take milliseconds each. */
export function readImageFolder(dir: string, classes: FolderClasses, { size, invert, channels }: FolderOptions): OnDemandImages {
  const { files, relativePaths, labels } = listImages(dir, classes);
  if (files.length === 0)
    throw new DataFileError(
      dir,
      "no PNG or JPEG image in the class subfolders",
      "put .png, .jpg or .jpeg images in each class's subfolder",
    );
  const [rows, cols] = size;
  const toBytes = (resized: Float32Array, out: Uint8Array, stride: number, offset: number) => {
    for (let p = 0; p < resized.length; p++) {
      const v = Math.min(255, Math.max(0, Math.round(resized[p])));
      out[p * stride + offset] = invert ? 255 - v : v;
    }
  };
  const greyOf = (image: ReturnType<typeof decoded>): Uint8Array => {
    const pixels = new Uint8Array(rows * cols);
    toBytes(resizedArea(grey(image), image.height, image.width, rows, cols), pixels, 1, 0);
    return pixels;
  };
  const colourOf = (image: ReturnType<typeof decoded>): Uint8Array => {
    const pixels = new Uint8Array(rows * cols * 3);
    planes(image).forEach((plane, c) => toBytes(resizedArea(plane, image.height, image.width, rows, cols), pixels, 3, c));
    return pixels;
  };
  const pixelsAt = (index: number): Uint8Array => (channels === 3 ? colourOf : greyOf)(decoded(files[index]));
  const bothAt = (index: number): FolderImage => {
    const image = decoded(files[index]);
    return { grey: greyOf(image), colour: colourOf(image), distinct: hasColour(image.rgba) };
  };
  return { count: files.length, rows, cols, ...(channels === 3 && { channels }), labels, file: dir, relativePaths, pixelsAt, bothAt };
}
