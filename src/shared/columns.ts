// The per-image columns of a results file: what `NAME.results.bin` holds beside the small JSON
// header `NAME.results.json`. Declared once here for the writer (src/results/write.ts), the reader
// (src/results/read.ts), the extension host and the webview, which all build a results' per-image
// lists from the same little-endian typed arrays (views onto one buffer, nothing copied per value).
import type { Images, LayerResult, ModelState, Results } from "./results";

/** A per-image list: a plain list as the pipeline builds it, or a typed array over the `.bin` as read. */
export type Column<T = number> = ArrayLike<T> & Iterable<T>;

export type Dtype = "uint8" | "int32" | "float32" | "float64";

const ARRAYS = { uint8: Uint8Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

/** Bytes per value of each dtype. */
export const DTYPE_BYTES: Record<Dtype, number> = { uint8: 1, int32: 4, float32: 4, float64: 8 };

/** One column's place in the `.bin`: `length` values of `dtype` from byte `offset` (a multiple of 8). */
export interface ColumnEntry {
  name: string;
  dtype: Dtype;
  offset: number;
  length: number;
}

/** The header's directory of its `.bin`: which file, how big, its content's hash, and where each column is. */
export interface ColumnsDirectory {
  /** The `.bin`'s name, beside the header: `NAME.results.bin`. */
  file: string;
  /** The `.bin`'s size in bytes. */
  bytes: number;
  /** SHA-256 of the `.bin` after its preamble, in hex; also in the preamble, so a header and a `.bin` of two runs are told apart. */
  sha256: string;
  columns: ColumnEntry[];
}

/** The `.bin` opens with these 8 bytes, then the 32 bytes of its SHA-256; the columns follow, each 8-byte aligned. */
export const BIN_MAGIC = "MTQCOLS1";
export const BIN_PREAMBLE = 40;

/** The header's pixels column's name: last in the `.bin`, so the rest is read in one piece and the pixels by range. */
export const PIXELS_COLUMN = "images.pixels";

/** Per model state, every Sankey link's images, the links' lists one after another (each link's `count` long). */
export const LINK_IMAGES = "flows.links.images";

/** A header's links of one state, [] when it has none (a header edited by hand: read.ts says what is wrong). */
function linksOf(state: ModelState): { count: number }[] {
  const links = (state.flows as Partial<ModelState["flows"]> | undefined)?.links;
  return Array.isArray(links) ? links : [];
}

/** images.split's codes in the `.bin`. */
export const SPLITS = ["train", "test"] as const;

/** A column the results hold, with its values as the pipeline or a reader has them. */
export interface ColumnValues {
  name: string;
  dtype: Dtype;
  /** Values per image: 2 for a map's x and y, rows*cols*channels for the pixels. */
  perImage: number;
  values: ArrayLike<number>;
}

/** The header's per-image fields of one model state, and how each is stored. */
const STATE_FIELDS = [
  ["predictions", "int32"],
  ["confidence", "float64"],
] as const;
/**
 * Each layer column: its field, how it is stored, values per image, and whether a file may lack it
 * (written since a later version of the pipeline than the `.bin` itself).
 */
const LAYER_FIELDS = [
  ["assignments", "int32", 1, false],
  ["silhouettes", "float64", 1, false],
  ["umap", "float64", 2, false],
  ["pca", "float64", 2, true],
  ["umapKept", "uint8", 1, true],
  ["pcaKept", "uint8", 1, true],
  // Per image its neighbourCount nearest in the layer: k values each, so perImage is read from the layer (perImageOf).
  ["neighbours", "int32", 0, true],
  ["neighbourDistances", "float32", 0, true],
] as const;
const LAYER_FIELD_NAMES: ReadonlySet<string> = new Set(LAYER_FIELDS.map(([field]) => field));

/**
 * Layer columns the results view does not read: the host leaves them out of what it posts, of
 * which they would be more than two thirds (120 of each layer's 158 bytes per image: 240 of a
 * million images' 342 MB), and reads them after what it posts. A view that comes to list an image's
 * neighbours asks for them, as for pixels; it shows the layers' mean silhouettes (the header's), not each image's.
 */
const UNVIEWED_LAYER_FIELDS: ReadonlySet<string> = new Set(["neighbours", "neighbourDistances", "silhouettes"]);

/**
 * Layer columns posted as float32, half their bytes: the maps' places, which the view draws, indexes
 * and measures as float32 (maps.ts's positions, neighbours.ts's keptOnMap) whatever it is given.
 */
const FLOAT32_VIEWED_FIELDS: ReadonlySet<string> = new Set(["umap", "pca"]);

const fieldOf = (c: ColumnEntry) => c.name.slice(c.name.lastIndexOf(".") + 1);

/** A column the host posts: where it is in the `.bin` (`from`), and where and as what in the buffer posted (`to`). */
export interface PostedColumn {
  from: ColumnEntry;
  to: ColumnEntry;
}

/**
 * What a results view is posted of a `.bin` with `directory`: every column it draws (all but the
 * neighbours' and the pixels) packed into `bytes`, each 8-byte aligned, the maps' places as float32;
 * the posted directory gives their places there (the pixels' entry, read by range, unchanged). At a
 * million images 67 MB of the `.bin`'s 342.
 */
export function postedLayout(directory: ColumnsDirectory): { directory: ColumnsDirectory; bytes: number; columns: PostedColumn[] } {
  const columns: PostedColumn[] = [];
  let bytes = 0;
  for (const from of directory.columns) {
    if (from.name === PIXELS_COLUMN || UNVIEWED_LAYER_FIELDS.has(fieldOf(from))) continue;
    const dtype = from.dtype === "float64" && FLOAT32_VIEWED_FIELDS.has(fieldOf(from)) ? "float32" : from.dtype;
    columns.push({ from, to: { ...from, dtype, offset: bytes } });
    bytes += Math.ceil((from.length * DTYPE_BYTES[dtype]) / 8) * 8;
  }
  const to = new Map(columns.map((c) => [c.from, c.to]));
  const posted = directory.columns.filter((c) => c.name === PIXELS_COLUMN || to.has(c)).map((c) => to.get(c) ?? c);
  return { directory: { ...directory, columns: posted }, bytes, columns };
}

/** `column`'s values from `values` (the column as the `.bin` holds it) into `into` at its posted place, converted to its posted type. */
export function putPosted(column: PostedColumn, values: ArrayLike<number>, into: ArrayBuffer): void {
  columnView(into, column.to.offset, column.to.dtype, column.to.length).set(values);
}

/** Values per image of a layer column: its declared count, or the layer's neighbourCount for the neighbours' columns. */
function perImageOf(layer: Pick<LayerResult, "neighbourCount">, perImage: number): number {
  return perImage || (layer.neighbourCount ?? 0);
}

/** Every model state of the results with the prefix of its columns' names: "" for the final model, "snapshots[i]." for a snapshot. */
function states<S extends ModelState>(results: { snapshots?: S[] } & ModelState): [string, ModelState][] {
  return [["", results], ...(results.snapshots ?? []).map((s, i): [string, ModelState] => [`snapshots[${i}].`, s])];
}

/**
 * Every per-image column of `results` in the `.bin`'s order (the pixels last), with its values coded
 * as stored: injected 1/0, split 0 for "train" and 1 for "test", an injected image's silhouette (null) NaN.
 */
export function columnsOf(results: Results, pixels: Uint8Array): ColumnValues[] {
  const { images } = results;
  const out: ColumnValues[] = [
    { name: "images.labels", dtype: "int32", perImage: 1, values: images.labels },
    { name: "images.injected", dtype: "uint8", perImage: 1, values: Array.from(images.injected, Number) },
    { name: "images.split", dtype: "uint8", perImage: 1, values: Array.from(images.split, (s) => SPLITS.indexOf(s)) },
    { name: "images.sourceIndex", dtype: "int32", perImage: 1, values: images.sourceIndex },
  ];
  for (const [prefix, state] of states(results)) {
    for (const [field, dtype] of STATE_FIELDS) {
      const values = state[field];
      if (values) out.push({ name: `${prefix}${field}`, dtype, perImage: 1, values });
    }
    state.layers.forEach((layer, n) => {
      for (const [field, dtype, perImage] of LAYER_FIELDS) {
        const values = field === "silhouettes" ? Array.from(layer.silhouettes, (s) => s ?? NaN) : layer[field];
        if (values) out.push({ name: `${prefix}layers[${n}].${field}`, dtype, perImage: perImageOf(layer, perImage), values });
      }
    });
    // Each image is on one link per step of its path: the Sankey's lists are per-image data too.
    const links = state.flows.links.flatMap((l) => Array.from(l.images));
    out.push({ name: `${prefix}${LINK_IMAGES}`, dtype: "int32", perImage: links.length / Math.max(1, images.count), values: links });
  }
  out.push({ name: PIXELS_COLUMN, dtype: "uint8", perImage: pixelBytes(images), values: pixels });
  return out;
}

/** Bytes of one image's pixels. */
export function pixelBytes(images: Pick<Images, "rows" | "cols" | "channels">): number {
  return images.rows * images.cols * (images.channels ?? 1);
}

/** The results without their per-image columns (and pixels): the header's content. */
export function withoutColumns(results: Results): Results {
  const strip = (state: ModelState) => {
    const { predictions: _p, confidence: _c, layers, flows, ...rest } = state;
    return {
      ...rest,
      layers: layers.map((layer) => Object.fromEntries(Object.entries(layer).filter(([field]) => !LAYER_FIELD_NAMES.has(field)))),
      flows: { ...flows, links: flows.links.map(({ images: _i, ...link }) => link) },
    };
  };
  const { labels: _l, injected: _i, split: _s, sourceIndex: _x, pixels: _p, pixelsBase64: _b, ...images } = results.images;
  return {
    ...strip(results),
    images,
    ...(results.snapshots && { snapshots: results.snapshots.map((s) => strip(s)) }),
  } as unknown as Results;
}

/**
 * The columns a header's results must have: each name with its dtype and length (values per image
 * times the image count). `confidence` is optional (imported predictions have none).
 */
export function expectedColumns(header: Results): { name: string; dtype: Dtype; length: number; optional?: true }[] {
  const count = header.images.count;
  const out: { name: string; dtype: Dtype; length: number; optional?: true }[] = [
    { name: "images.labels", dtype: "int32", length: count },
    { name: "images.injected", dtype: "uint8", length: count },
    { name: "images.split", dtype: "uint8", length: count },
    { name: "images.sourceIndex", dtype: "int32", length: count },
  ];
  for (const [prefix, state] of states(header)) {
    out.push({ name: `${prefix}predictions`, dtype: "int32", length: count });
    out.push({ name: `${prefix}confidence`, dtype: "float64", length: count, optional: true });
    (Array.isArray(state.layers) ? state.layers : []).forEach((layer, n) => {
      for (const [field, dtype, perImage, optional] of LAYER_FIELDS)
        out.push({
          name: `${prefix}layers[${n}].${field}`,
          dtype,
          length: perImageOf(layer, perImage) * count,
          ...(optional && { optional: true as const }),
        });
    });
    out.push({ name: `${prefix}${LINK_IMAGES}`, dtype: "int32", length: linksOf(state).reduce((sum, l) => sum + l.count, 0) });
  }
  out.push({ name: PIXELS_COLUMN, dtype: "uint8", length: count * pixelBytes(header.images) });
  return out;
}

export type ColumnArray = Uint8Array | Int32Array | Float32Array | Float64Array;

/** A typed array over `length` values of `dtype` at `offset` of `buffer` (no copy). */
export function columnView(buffer: ArrayBuffer, offset: number, dtype: Dtype, length: number): ColumnArray {
  return new ARRAYS[dtype](buffer, offset, length);
}

/**
 * The header's results with their per-image columns set to views onto `buffer`, which holds the
 * `.bin` from its first byte up to its pixels (which are read by range), where the header's
 * directory (`columns`) places them. `split` is decoded to its names (two shared strings per
 * image); the other columns stay typed arrays, an injected image's silhouette NaN. The entries
 * must have been checked against the header (read.ts does).
 */
export function withColumns(header: Results, buffer: ArrayBuffer): Results {
  const byName = new Map(header.columns!.columns.map((c) => [c.name, c]));
  return withColumnValues(header, (name) => {
    const c = byName.get(name);
    return c ? columnView(buffer, c.offset, c.dtype, c.length) : undefined;
  });
}

/** The header's results with each per-image column set to `view(name)` (withColumns's views, or the host's over its buffers). */
export function withColumnValues(header: Results, view: (name: string) => ColumnArray | undefined): Results {
  const results = header;
  const images = results.images;
  images.labels = view("images.labels")!;
  images.injected = view("images.injected")!;
  // The splits' words made when first read (a tooltip's line, a comparison's match, a table): a
  // list of a million strings was made at every load of the view, 46 ms of the million's first paint.
  const splitCodes = view("images.split")!;
  let split: Images["split"] | undefined;
  Object.defineProperty(images, "split", {
    get: () => (split ??= Array.from(splitCodes, (code) => SPLITS[code])),
    set: (value: Images["split"]) => (split = value),
    enumerable: true,
    configurable: true,
  });
  images.sourceIndex = view("images.sourceIndex")!;
  for (const [prefix, state] of states(results)) {
    state.predictions = view(`${prefix}predictions`)!;
    const confidence = view(`${prefix}confidence`);
    if (confidence) state.confidence = confidence;
    state.layers.forEach((layer: LayerResult, n) => {
      // The required columns are there: read.ts checked the directory against expectedColumns.
      for (const [field] of LAYER_FIELDS) {
        const values = view(`${prefix}layers[${n}].${field}`);
        if (values) (layer as unknown as Record<string, Column>)[field] = values;
      }
    });
    const links = view(`${prefix}${LINK_IMAGES}`)!;
    let at = 0;
    for (const link of state.flows.links) {
      link.images = links.subarray(at, at + link.count);
      at += link.count;
    }
  }
  return results;
}

/** An image's silhouette, null for an injected image (null in a plain list, NaN in a column). */
export function silhouetteOf(layer: Pick<LayerResult, "silhouettes">, image: number): number | null {
  const s = layer.silhouettes[image];
  return s === null || Number.isNaN(s) ? null : s;
}
