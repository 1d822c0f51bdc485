// CSV images: one image per row, the label first, then the pixels (784 for 28x28), values 0-255.
// The run reads the file whole; the checks stream it line by line and keep only the labels.
import { DataFileError } from "./dataFileError";
import { contentChunks, fileKind, holdsOnDisk, MAX_DATA_FILE_BYTES, readMaybeGzip, tooLarge } from "./files";
import type { LabeledImages } from "./images";

/** The cell's value, NaN when it is not a number; plain digits are read without `Number()`, which dominates a large file's time. */
function cellValue(cell: string): number {
  let v = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return cell.trim() === "" ? NaN : Number(cell);
    v = v * 10 + c;
  }
  return cell.length > 0 ? v : NaN;
}

const isNumber = (cell: string) => Number.isFinite(cellValue(cell));

/**
 * The longest line a CSV row may be: 16 MB, a 2048x2048 image's row at 4 characters a pixel
 * ("255,"). The checks hold one line at a time: a file without line breaks would otherwise be
 * held whole, as one string, before its first row is judged.
 */
export const MAX_CSV_LINE = 16 * 1024 * 1024;
const COMMA = 44;

/** The rows of a CSV file, fed one line at a time: each checked as it comes, its label kept, its pixels handed to `onPixels` when given. */
class CsvRows {
  private width = 0;
  private side = 0;
  private lineNumber = 0;
  readonly labels: number[] = [];

  constructor(
    private readonly file: string,
    private readonly onPixels?: (pixels: Uint8Array) => void,
  ) {}

  line(text: string): void {
    this.lineNumber++;
    if (text.length > MAX_CSV_LINE) this.tooLong(this.lineNumber);
    // A header row: its first cell is not a number.
    if (this.lineNumber === 1 && !isNumber(text.split(",", 1)[0] ?? "")) return;
    if (text.trim() === "") return;
    const line = this.lineNumber;
    if (this.width === 0) {
      this.width = text.split(",").length;
      this.side = Math.round(Math.sqrt(this.width - 1));
      if (this.width < 2 || this.side * this.side !== this.width - 1) {
        throw new DataFileError(
          this.file,
          `line ${line} has ${this.width} columns; expected a label then a square image's pixels (785 for 28x28)`,
          "write the label in the first column and one column per pixel",
        );
      }
    }
    const pixels = this.onPixels && new Uint8Array(this.width - 1);
    // Scanned in place rather than split: a 60,000-row file has 47 million cells, and a string for each doubles the time.
    let column = 0;
    let start = 0;
    let value = 0;
    let plain = true;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : COMMA;
      if (c !== COMMA) {
        if (c >= 48 && c <= 57) value = value * 10 + c - 48;
        else plain = false;
        continue;
      }
      const v = plain && i > start ? value : cellValue(text.slice(start, i));
      if (!Number.isFinite(v) || v < 0 || v > 255 || (column === 0 && !Number.isInteger(v))) this.badCell(text, line, column);
      if (column === 0) this.labels.push(v);
      else if (pixels && column <= pixels.length) pixels[column - 1] = Math.round(v);
      column++;
      [start, value, plain] = [i + 1, 0, true];
    }
    this.checkWidth(column, line);
    if (pixels) this.onPixels!(pixels);
  }

  /** Throws for a line longer than MAX_CSV_LINE: by default the one not yet ended. */
  tooLong(line = this.lineNumber + 1): never {
    throw new DataFileError(
      this.file,
      `line ${line} is longer than ${MAX_CSV_LINE / 1024 ** 2} MB ` + "(a row of a 2048x2048 image), or the file has no line breaks",
      "write one image per line: the label, then the pixel values, separated by commas",
    );
  }

  private checkWidth(columns: number, line: number): void {
    if (columns === this.width) return;
    throw new DataFileError(
      this.file,
      `line ${line} has ${columns} columns, the first row has ${this.width}`,
      "give every row the same number of columns: the label then every pixel",
    );
  }

  /** Throws for the bad cell at `column`; a row of the wrong width is said first, as its cells are then misplaced. */
  private badCell(text: string, line: number, column: number): never {
    const cells = text.split(",");
    this.checkWidth(cells.length, line);
    throw new DataFileError(
      this.file,
      `line ${line}, column ${column + 1}: "${cells[column].trim()}" is not ${column === 0 ? "an integer label 0-255" : "a pixel value 0-255"}`,
      "use integer labels and pixel values from 0 to 255",
    );
  }

  /** The image size and the labels, once every line is in. */
  end(): { count: number; rows: number; cols: number; labels: Uint8Array } {
    if (this.labels.length === 0) {
      throw new DataFileError(this.file, "the CSV file has no data rows", "put one image per row: label, then the pixel values");
    }
    return { count: this.labels.length, rows: this.side, cols: this.side, labels: Uint8Array.from(this.labels) };
  }
}

export function parseCsvImages(text: string, file: string): LabeledImages {
  const images: Uint8Array[] = [];
  const rows = new CsvRows(file, (pixels) => images.push(pixels));
  for (const line of text.split(/\r?\n/)) rows.line(line);
  const { count, rows: side, cols, labels } = rows.end();
  const pixels = new Uint8Array(count * side * cols);
  images.forEach((image, i) => pixels.set(image, i * image.length));
  return { count, rows: side, cols, pixels, labels, file };
}

/** The labels and image size of a CSV file, every row checked, read line by line in constant memory (but for one byte per label). */
export async function csvFacts(file: string): Promise<{ count: number; rows: number; cols: number; labels: Uint8Array }> {
  const { gzip, size } = await fileKind(file);
  if (!gzip && size > MAX_DATA_FILE_BYTES) throw tooLarge(file, holdsOnDisk(size));
  const rows = new CsvRows(file);
  const decoder = new TextDecoder();
  let rest = "";
  const lines = (text: string) => {
    // A chunk without a line break only lengthens the line: no split, which would copy the line each time.
    if (!text.includes("\n")) {
      rest += text;
      if (rest.length > MAX_CSV_LINE) rows.tooLong();
      return;
    }
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    for (const part of parts) rows.line(part.endsWith("\r") ? part.slice(0, -1) : part);
    if (rest.length > MAX_CSV_LINE) rows.tooLong();
  };
  for await (const chunk of contentChunks(file, gzip)) lines(decoder.decode(chunk, { stream: true }));
  lines(decoder.decode());
  rows.line(rest);
  return rows.end();
}

export function readCsvImages(file: string): LabeledImages {
  return parseCsvImages(new TextDecoder().decode(readMaybeGzip(file)), file);
}
