// Work a view's first paint need not wait for: what lies below the fold (the findings' outliers and
// k charts) is built once the frame that shows the view is on its way to the screen.

/**
 * Runs `work` after the frame that shows what the page holds now: in a task after the next
 * animation frame's and the one after it (chromium begins a main frame only once the frame before
 * is activated, its rasters done), so the work does not hold up that frame, nor share the CPU with
 * its rasters. A hidden page runs no animation frames: the work waits until the page is shown.
 */
export function afterPaint(work: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(work, 0)));
}
