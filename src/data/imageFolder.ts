// The "image folder" layout: one subfolder per class, each holding PNG and JPEG images. Images are
// read in colour or as one grey channel and resized, so that they fit the same pipeline as MNIST's 28x28 digits.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { DataFileError } from "./dataFileError";
import { openedForReading, unreadable } from "./files";
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

/**
 * The most pixels an image may have: 4096x4096. Decoding holds the image as RGBA bytes (4 per
 * pixel), the PNG's inflated rows (up to 8 per pixel at 16 bits and 4 channels) and one plane of
 * floats (4 per pixel) at once, so an image at the limit takes about 270 MB while it is decoded.
 * A 12-megapixel phone photo fits; the networks take 28x28 to a few hundred pixels a side, and a
 * larger image is better resized before (its header alone is read before it is refused).
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
/** The largest image file read: an image within MAX_IMAGE_PIXELS stored uncompressed at 16-bit RGBA, and 1 MB of metadata. */
export const MAX_IMAGE_FILE_BYTES = MAX_IMAGE_PIXELS * 8 + 1024 * 1024;
const RESIZE_FIX = 'resize it to at most 4096x4096 pixels (ImageMagick: mogrify -resize "4096x4096>" FILE), or move it out of the folder';

export interface ImageHeader {
  format: "PNG" | "JPEG";
  width: number;
  height: number;
  /** Channels stored: PNG 1 (grey or palette), 2 (grey and alpha), 3 (RGB) or 4 (RGBA); JPEG its components (1, 3 or 4). */
  channels: number;
}

/** JPEG markers that start a frame (SOF0-15 but DHT, JPG and DAC), whose segment holds the image's size. */
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** PNG colour type -> channels stored, and the bit depths the PNG standard allows it. */
const PNG_COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { channels: 3, depths: [8, 16] },
  3: { channels: 1, depths: [1, 2, 4, 8] },
  4: { channels: 2, depths: [8, 16] },
  6: { channels: 4, depths: [8, 16] },
};

/** A request for `length` bytes at `at` of the file; the walk below is driven by a reader of the file or of bytes in memory. */
type HeaderWalk = Generator<{ at: number; length: number }, ImageHeader, Uint8Array>;

/** An image's size and channels from its header (PNG's IHDR, JPEG's frame segment), refused above MAX_IMAGE_PIXELS. */
function* headerWalk(file: string): HeaderWalk {
  const head = Buffer.from(yield { at: 0, length: 32 });
  if (isPng(head)) {
    if (head.length < 26 || head.toString("latin1", 12, 16) !== "IHDR") throw undecodable(file, "PNG", "no IHDR header");
    const [depth, colourType] = [head[24], head[25]];
    const type = PNG_COLOUR_TYPES[colourType];
    if (!type?.depths.includes(depth))
      throw undecodable(file, "PNG", `its header gives colour type ${colourType} at ${depth} bits, which PNG does not define`);
    return withinLimit(file, { format: "PNG", width: head.readUInt32BE(16), height: head.readUInt32BE(20), channels: type.channels });
  }
  if (!isJpeg(head)) throw notAnImage(file);
  // Walk the segments from the start-of-image marker to the frame header; entropy-coded data comes only after it.
  let at = 2;
  for (;;) {
    const marker = Buffer.from(yield { at, length: 10 });
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
      if (marker.length < 10) throw undecodable(file, "JPEG", "the frame header is cut short");
      return withinLimit(file, { format: "JPEG", height: marker.readUInt16BE(5), width: marker.readUInt16BE(7), channels: marker[9] });
    }
    at += 2 + marker.readUInt16BE(2);
  }
}

/** The header, or why its image cannot be decoded: no pixels, or more than MAX_IMAGE_PIXELS. */
function withinLimit(file: string, header: ImageHeader): ImageHeader {
  const { format, width, height } = header;
  if (width === 0 || height === 0) throw undecodable(file, format, "its header gives no pixels");
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DataFileError(
      file,
      `the ${format} header gives ${width}x${height} = ${(width * height).toLocaleString("en-US")} pixels, ` +
        `above the ${MAX_IMAGE_PIXELS.toLocaleString("en-US")} (4096x4096) an image may have (decoding it would take about ` +
        `${Math.ceil((width * height * 16) / 1024 ** 3)} GB)`,
      RESIZE_FIX,
    );
  }
  return header;
}

function tooLarge(file: string, size: number): DataFileError {
  return new DataFileError(
    file,
    `the image file holds ${(size / 1024 ** 2).toFixed(0)} MB, above the ${MAX_IMAGE_FILE_BYTES / 1024 ** 2} MB an image within ` +
      `${MAX_IMAGE_PIXELS.toLocaleString("en-US")} pixels takes`,
    RESIZE_FIX,
  );
}

/** The header of an image held in memory. */
function headerOf(file: string, bytes: Uint8Array): ImageHeader {
  const walk = headerWalk(file);
  let step = walk.next();
  while (!step.done) step = walk.next(bytes.subarray(step.value.at, step.value.at + step.value.length));
  return step.value;
}

/**
 * An image's format, size and channels from its header (PNG's IHDR, JPEG's frame segment), without
 * decoding its pixels; throws DataFileError for a file that is neither, whose header is broken, or
 * that is larger than an image may be (MAX_IMAGE_PIXELS, MAX_IMAGE_FILE_BYTES).
 */
export async function imageHeader(file: string): Promise<ImageHeader> {
  const handle = await openedForReading(file);
  try {
    const { size } = await handle.stat();
    if (size > MAX_IMAGE_FILE_BYTES) throw tooLarge(file, size);
    const walk = headerWalk(file);
    let step = walk.next();
    while (!step.done) {
      const buffer = Buffer.alloc(step.value.length);
      const { bytesRead } = await handle.read(buffer, 0, step.value.length, step.value.at);
      step = walk.next(buffer.subarray(0, bytesRead));
    }
    return step.value;
  } finally {
    await handle.close();
  }
}

/**
 * RGBA pixels of a PNG or JPEG, recognised by their content rather than their extension; its size
 * is read from the file and its header first, so an image larger than an image may be is refused
 * before anything is allocated for its pixels.
 */
function decoded(file: string): { width: number; height: number; rgba: Uint8Array } {
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_IMAGE_FILE_BYTES) throw tooLarge(file, size);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw unreadable(file, e);
  }
  const { format } = headerOf(file, bytes);
  try {
    if (format === "PNG") {
      const image = PNG.sync.read(bytes);
      return { width: image.width, height: image.height, rgba: image.data };
    }
    // jpeg-js's own caps, should a later frame claim more than the first one read above.
    const jpg = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: Math.ceil((MAX_IMAGE_PIXELS * 16) / 1024 ** 2),
    });
    return { width: jpg.width, height: jpg.height, rgba: jpg.data };
  } catch (e) {
    throw undecodable(file, format, e instanceof Error ? e.message : String(e));
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

/** The red, green or blue plane 0-255, transparent pixels counting as white like `grey`: one at a time, a float per pixel. */
function plane({ width, height, rgba }: { width: number; height: number; rgba: Uint8Array }, c: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const a = rgba[4 * i + 3] / 255;
    out[i] = rgba[4 * i + c] * a + 255 * (1 - a);
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
    for (let c = 0; c < 3; c++) toBytes(resizedArea(plane(image, c), image.height, image.width, rows, cols), pixels, 3, c);
    return pixels;
  };
  const pixelsAt = (index: number): Uint8Array => (channels === 3 ? colourOf : greyOf)(decoded(files[index]));
  const bothAt = (index: number): FolderImage => {
    const image = decoded(files[index]);
    return { grey: greyOf(image), colour: colourOf(image), distinct: hasColour(image.rgba) };
  };
  return { count: files.length, rows, cols, ...(channels === 3 && { channels }), labels, file: dir, relativePaths, pixelsAt, bothAt };
}
