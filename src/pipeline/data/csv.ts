// CSV images: one image per row, the label first, then the pixels (784 for 28x28), values 0-255.
import { DataFileError } from "./dataFileError";
import { readMaybeGzip } from "./idx";
import type { LabeledImages } from "./images";

const isNumber = (cell: string) => cell.trim() !== "" && Number.isFinite(Number(cell));

export function parseCsvImages(text: string, file: string): LabeledImages {
  const lines = text.split(/\r?\n/);
  let first = 0;
  if (lines.length > 0 && !isNumber(lines[0].split(",")[0] ?? "")) first = 1; // header row
  const rowsOfCells: string[][] = [];
  const lineNumbers: number[] = [];
  for (let i = first; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    rowsOfCells.push(lines[i].split(","));
    lineNumbers.push(i + 1);
  }
  if (rowsOfCells.length === 0) {
    throw new DataFileError(file, "the CSV file has no data rows", "put one image per row: label, then the pixel values");
  }
  const width = rowsOfCells[0].length;
  const side = Math.round(Math.sqrt(width - 1));
  if (width < 2 || side * side !== width - 1) {
    throw new DataFileError(
      file,
      `line ${lineNumbers[0]} has ${width} columns; expected a label then a square image's pixels (785 for 28x28)`,
      "write the label in the first column and one column per pixel",
    );
  }
  const count = rowsOfCells.length;
  const pixels = new Uint8Array(count * (width - 1));
  const labels = new Uint8Array(count);
  rowsOfCells.forEach((cells, r) => {
    if (cells.length !== width) {
      throw new DataFileError(
        file,
        `line ${lineNumbers[r]} has ${cells.length} columns, the first row has ${width}`,
        "give every row the same number of columns: the label then every pixel",
      );
    }
    cells.forEach((cell, c) => {
      const v = Number(cell);
      const max = 255;
      if (!isNumber(cell) || v < 0 || v > max || (c === 0 && !Number.isInteger(v))) {
        throw new DataFileError(
          file,
          `line ${lineNumbers[r]}, column ${c + 1}: "${cell.trim()}" is not ${c === 0 ? "an integer label 0-255" : "a pixel value 0-255"}`,
          "use integer labels and pixel values from 0 to 255",
        );
      }
      if (c === 0) labels[r] = v;
      else pixels[r * (width - 1) + c - 1] = Math.round(v);
    });
  });
  return { count, rows: side, cols: side, pixels, labels, file };
}

export function readCsvImages(file: string): LabeledImages {
  return parseCsvImages(new TextDecoder().decode(readMaybeGzip(file)), file);
}
