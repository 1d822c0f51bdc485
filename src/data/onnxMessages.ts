// The messages between MTQ and the child process that runs onnxruntime (src/data/onnxProcess.ts,
// bundled as dist/onnxProcess.js; the parent side is onnxSession in onnxModel.ts). One union per
// direction; each side handles its union in one switch.

/** A tensor as it crosses the process boundary (the IPC channel's structured clone copies typed arrays). */
export interface OnnxTensorData {
  data: Float32Array;
  dims: readonly number[];
}

export type ToOnnxProcess =
  /**
   * Watch the process's memory, then create the session from the model file (written by the parent
   * into a temporary folder, beside links to its external data files). Sent once, first.
   */
  | { type: "open"; file: string; boundBytes: number }
  /** Run the session on one batch; `fetch` absent: every graph output. */
  | { type: "run"; input: string; tensor: OnnxTensorData; fetch?: string[] };

export type FromOnnxProcess =
  | { type: "opened" }
  | { type: "ran"; outputs: Record<string, OnnxTensorData> }
  /** onnxruntime refused: its message (an operator it lacks, a shape that does not fit). */
  | { type: "failed"; message: string }
  /**
   * The process's resident memory passed the bound, and the process killed itself. Written by the
   * memory watch as one JSON line on the child's stderr (the IPC channel belongs to the main
   * thread, which is inside onnxruntime then), just before the kill.
   */
  | { type: "outOfMemory"; rssBytes: number; boundBytes: number };

/** What starts the memory watch's line on stderr, so that the parent tells it from onnxruntime's own logging. */
export const OUT_OF_MEMORY_MARK = '{"type":"outOfMemory"';
