// Each label's colour in the results view (maps, Sankey, legend, charts) and in the notebook's map
// (src/results/notebook.ts), so a digit is the same colour in both.

/**
 * Labels 0-9, ordered so the report's digits (1 vs 7, then the injected 4s and 3s) get the most
 * distinct hues; the view and the notebook each colour other labels their own way.
 */
export const DIGIT_COLORS: Readonly<Record<number, string>> = {
  0: "#76b7b2",
  1: "#4e79a7",
  2: "#edc949",
  3: "#e15759",
  4: "#59a14f",
  5: "#af7aa1",
  6: "#ff9da7",
  7: "#f28e2c",
  8: "#9c755f",
  9: "#bab0ab",
};
