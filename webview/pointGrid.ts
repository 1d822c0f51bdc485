// The points under the pointer: a uniform grid over a map's UMAP positions (a counting sort of the
// points by cell, two typed arrays), for hover and click. Built in one pass where d3's quadtree
// adds points one by one: `npm run bench:map-index` (scripts/bench-map-index.ts) measures both.

export class PointGrid {
  private readonly cells: number;
  private readonly x0: number;
  private readonly y0: number;
  private readonly cellSize: number;
  /** The points sorted by cell; cell c's are order[start[c]] to order[start[c + 1] - 1]. */
  private readonly start: Int32Array;
  private readonly order: Int32Array;

  /** `pos`: [x0, y0, x1, y1, ...]; `bounds`: their [x0, y0, x1, y1]. */
  constructor(
    private readonly pos: Float32Array,
    [x0, y0, x1, y1]: [number, number, number, number],
  ) {
    const n = pos.length / 2;
    // About four points per cell on average.
    this.cells = Math.max(1, Math.ceil(Math.sqrt(n / 4)));
    this.x0 = x0;
    this.y0 = y0;
    this.cellSize = Math.max(x1 - x0, y1 - y0, 1e-9) / this.cells;
    const cellOf = new Int32Array(n);
    this.start = new Int32Array(this.cells * this.cells + 1);
    for (let i = 0; i < n; i++) {
      cellOf[i] = this.cell(pos[2 * i], pos[2 * i + 1]);
      this.start[cellOf[i] + 1]++;
    }
    for (let c = 0; c < this.cells * this.cells; c++) this.start[c + 1] += this.start[c];
    const fill = this.start.slice(0, -1);
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[fill[cellOf[i]]++] = i;
  }

  /** The point nearest (x, y) within `radius`, or null; ties go to the lower image number. */
  nearest(x: number, y: number, radius: number): number | null {
    const { cells, cellSize, pos } = this;
    const at = (v: number, v0: number) => Math.min(cells - 1, Math.max(0, Math.floor((v - v0) / cellSize)));
    const [cx0, cx1] = [at(x - radius, this.x0), at(x + radius, this.x0)];
    const [cy0, cy1] = [at(y - radius, this.y0), at(y + radius, this.y0)];
    let best: number | null = null;
    let bestDistance = radius * radius;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * cells + cx;
        for (let k = this.start[c]; k < this.start[c + 1]; k++) {
          const i = this.order[k];
          const d = (pos[2 * i] - x) ** 2 + (pos[2 * i + 1] - y) ** 2;
          if (d < bestDistance || (d === bestDistance && best !== null && i < best)) {
            best = i;
            bestDistance = d;
          }
        }
      }
    }
    return best;
  }

  private cell(x: number, y: number): number {
    const cx = Math.min(this.cells - 1, Math.max(0, Math.floor((x - this.x0) / this.cellSize)));
    const cy = Math.min(this.cells - 1, Math.max(0, Math.floor((y - this.y0) / this.cellSize)));
    return cy * this.cells + cx;
  }
}
