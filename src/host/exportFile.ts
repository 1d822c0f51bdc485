// An export from the results view as the bytes to save: SVG arrives as text, PNG as a base64 data
// URL (what a canvas gives).
import type { ExportFormat } from "../shared/protocol";

export const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  svg: { "SVG image": ["svg"] },
  png: { "PNG image": ["png"] },
};

export function exportBytes(format: ExportFormat, data: string): Uint8Array {
  if (format !== "png") return Buffer.from(data, "utf8");
  const match = /^data:image\/png;base64,(.*)$/s.exec(data);
  if (!match) throw new Error("the PNG export is not a base64 data URL");
  return Buffer.from(match[1], "base64");
}
