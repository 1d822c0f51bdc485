// `mtq run`'s progress on stderr. On a terminal, one line updated in place with the percent and
// what runs now. Piped or redirected to a file (a CI log, `npm start > log`), a line per stage when
// it starts, with the time since the run began: a percent per line would fill the log with
// a hundred "[ 79%] UMAP maps".
import type { Stage } from "./shared/results";

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressPrinter {
  onProgress(stage: Stage, fraction: number, message: string): void;
  /** Ends the terminal's updating line, so that what is written next starts on a line of its own. */
  end(): void;
}

export function progressPrinter(stream: ProgressStream): ProgressPrinter {
  const start = performance.now();
  let last = "";
  let open = false;
  if (stream.isTTY)
    return {
      onProgress: (_stage, fraction, message) => {
        const line = `[${String(Math.round(fraction * 100)).padStart(3)}%] ${message}`;
        if (line === last) return;
        // Cut to the terminal's width: a wrapped line would not be rewritten by \r. \x1b[K clears what a longer previous line left.
        stream.write(`\r${stream.columns ? line.slice(0, stream.columns - 1) : line}\x1b[K`);
        last = line;
        open = true;
      },
      end: () => {
        if (open) stream.write("\n");
        open = false;
      },
    };
  return {
    onProgress: (stage, _fraction, message) => {
      if (stage === last) return;
      stream.write(`[${((performance.now() - start) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
      last = stage;
    },
    end: () => {},
  };
}
