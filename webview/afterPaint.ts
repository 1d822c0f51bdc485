// Work a view's first paint need not wait for (what lies below the fold: the findings' outliers and
// k charts; the maps' hover grids; the lasso's rehearsal) is done once the frame that shows the view
// is on the screen, not while that frame's rasters still share the CPU with it. Fresh pages at
// 70,000 images (20 of each build in turn, traced, WebGL on, load average 3.0 at the end): from
// the view's build's end to the frame presented, median 73.0 -> 64.8 ms; the first paint's median
// 237.8 -> 239.9 ms, within the pages' spread (196 to 284 ms) of the build's own time.

/** The Element Timing identifier of the view's title: its entry says when the frame that first paints it was presented. */
export const SHOWN_MARK = "mtq-view-shown";
/** ms after a view's second animation frame that the work waits at most for its title's entry (a page scrolled past the title paints none). */
const LONGEST_WAIT_MS = 1000;

let queued: (() => void)[] = [];

/**
 * Runs `work`, in a task of its own, once the frame that first paints the view's title (marked
 * SHOWN_MARK) is presented: Element Timing's entry for it comes with that frame's presentation
 * time, where two animation frames and a task (the way before) ran while chromium still rastered
 * the first frame (it begins the second main frame as soon as the first is committed). Where no
 * entry comes (no Element Timing, the title scrolled out of view), LONGEST_WAIT_MS after the second
 * animation frame. A hidden page runs no animation frames and paints nothing: the work waits until
 * it is shown.
 */
export function afterPaint(work: () => void): void {
  queued.push(work);
  if (queued.length > 1) return;
  let timer: number | undefined;
  const run = () => {
    observer?.disconnect();
    clearTimeout(timer);
    const works = queued;
    queued = [];
    for (const w of works) setTimeout(w, 0);
  };
  const observer = PerformanceObserver.supportedEntryTypes.includes("element")
    ? new PerformanceObserver((list) => {
        if (list.getEntries().some((e) => (e as PerformanceEntry & { identifier?: string }).identifier === SHOWN_MARK)) run();
      })
    : null;
  observer?.observe({ type: "element" });
  requestAnimationFrame(() => requestAnimationFrame(() => (timer = window.setTimeout(run, observer ? LONGEST_WAIT_MS : 0))));
}
