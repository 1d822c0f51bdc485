// The large maps' raster (webview/raster.ts): the colour it draws at known pixels (a dot, a ring
// for an injected image, points on one another, the selected over the faded rest), the same image
// as stamping every point one by one in image order, and a new selection counted incrementally
// giving the same image as a fresh draw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import seedrandom from "seedrandom";
import { selectedScale } from "../webview/canvasPoints";
import { INJECTED, SELECTED, type GlFrame } from "../webview/glPoints";
import { PointRaster } from "../webview/raster";

/** A 40 x 30 image, map coordinates = CSS pixels, a dot of radius 1.3 (the crowded maps' size). */
const FRAME: GlFrame = { sx: 1, sy: 1, tx: 0, ty: 0, width: 40, height: 30, dpr: 1, radius: 1.3, selected: 0 };

const pixel = (r: PointRaster, x: number, y: number) => Array.from(r.pixels.subarray(4 * (y * r.width + x), 4 * (y * r.width + x) + 4));

function drawn(points: [number, number][], colors: number[][], flags: number[], frame: Partial<GlFrame> = {}): PointRaster {
  const raster = new PointRaster();
  raster.draw(Float32Array.from(points.flat()), Uint8Array.from(colors.flatMap((c) => [...c, 0])), Uint8Array.from(flags), {
    ...FRAME,
    ...frame,
  });
  return raster;
}

/** The image by stamping each point's disc (or ring) on its own, in image order: what the raster must equal. */
function stampedOneByOne(pos: Float32Array, rgba: Uint8Array, flags: Uint8Array, f: GlFrame): Uint8ClampedArray {
  const [w, h] = [Math.round(f.width * f.dpr), Math.round(f.height * f.dpr)];
  const sums = new Float64Array(w * h * 8);
  const any = f.selected > 0;
  for (let i = 0; i < flags.length; i++) {
    const selected = any && (flags[i] & SELECTED) !== 0;
    const ring = (flags[i] & INJECTED) !== 0;
    const r = f.radius * f.dpr * (selected ? selectedScale(f.selected) : 1);
    const stroke = (f.radius > 2 ? 1.5 : 1.1) * f.dpr;
    const cx = Math.floor((pos[2 * i] * f.sx + f.tx) * f.dpr);
    const cy = Math.floor((pos[2 * i + 1] * f.sy + f.ty) * f.dpr);
    const reach = Math.ceil(r + stroke / 2);
    let covered = 0;
    for (let dy = -reach; dy <= reach; dy++)
      for (let dx = -reach; dx <= reach; dx++) {
        const d = Math.hypot(dx, dy);
        if (!(ring ? Math.abs(d - r) <= stroke / 2 : d <= r)) continue;
        covered++;
        const [x, y] = [cx + dx, cy + dy];
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const o = (y * w + x) * 8 + (selected ? 4 : 0);
        sums[o]++;
        for (let c = 0; c < 3; c++) sums[o + 1 + c] += rgba[4 * i + c];
      }
    assert.ok(covered > 0);
  }
  const out = new Uint8ClampedArray(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const [n0, n1] = [sums[p * 8], sums[p * 8 + 4]];
    if (!n0 && !n1) continue;
    const a1 = 1 - 0.1 ** Math.min(n1, 40);
    const a0 = (1 - (any ? 0.82 : 0.1) ** Math.min(n0, 40)) * (1 - a1);
    const a = a0 + a1;
    const [w0, w1] = [n0 ? a0 / a / n0 : 0, n1 ? a1 / a / n1 : 0];
    for (let c = 0; c < 3; c++) out[4 * p + c] = Math.round(sums[p * 8 + 1 + c] * w0 + sums[p * 8 + 5 + c] * w1);
    out[4 * p + 3] = Math.round(a * 255);
  }
  return out;
}

/** The pixels that differ from `before` outside the box the raster gives as composed since it last gave it (as "x,y"), and that box. */
function changedOutside(
  before: Uint8ClampedArray,
  raster: PointRaster,
): { outside: string[]; box: ReturnType<PointRaster["takeComposedBox"]> } {
  const box = raster.takeComposedBox();
  const { x, y, width, height } = box;
  const outside: string[] = [];
  for (let p = 0; p < before.length / 4; p++) {
    const [px, py] = [p % raster.width, Math.floor(p / raster.width)];
    if (
      [0, 1, 2, 3].some((c) => before[4 * p + c] !== raster.pixels[4 * p + c]) &&
      !(px >= x && px < x + width && py >= y && py < y + height)
    )
      outside.push(`${px},${py}`);
  }
  return { outside, box };
}

/**
 * 8,000 points seeded by `seed` over a 100 x 60 map and a little past it, every 89th injected (a
 * ring): their positions and colours, their flags with none selected, those flags with the points
 * between x = `from` and `to` selected, and what a fresh raster draws of some flags.
 */
function scattered(seed: string) {
  const random = seedrandom(seed);
  const n = 8_000;
  const pos = Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? random() * 64 - 2 : random() * 104 - 2));
  const rgba = Uint8Array.from({ length: 4 * n }, () => Math.floor(random() * 256));
  const none = Uint8Array.from({ length: n }, (_, i) => (i % 89 === 0 ? INJECTED : 0));
  const between = (from: number, to: number) => none.map((fl, i) => (pos[2 * i] > from && pos[2 * i] < to ? fl | SELECTED : fl));
  const fresh = (flags: Uint8Array, frame: GlFrame) => {
    const r = new PointRaster();
    r.draw(pos, rgba, flags, frame);
    return r.pixels;
  };
  return { pos, rgba, none, between, fresh };
}

describe("PointRaster", () => {
  it("draws a dot in its colour at 90%, over the pixels within its radius, nothing elsewhere", () => {
    const r = drawn([[10.5, 10.5]], [[200, 100, 50]], [0]);
    assert.deepEqual(pixel(r, 10, 10), [200, 100, 50, 230]);
    for (const [x, y] of [
      [9, 10],
      [11, 10],
      [10, 9],
      [10, 11],
    ])
      assert.deepEqual(pixel(r, x, y), [200, 100, 50, 230], `(${x}, ${y}) is within 1.3 of the centre`);
    assert.deepEqual(pixel(r, 11, 11), [0, 0, 0, 0], "1.41 from the centre: outside");
    assert.equal(r.pixels.filter((_, k) => k % 4 === 3 && r.pixels[k] > 0).length, 5);
  });

  it("draws an injected image as a ring: its centre empty", () => {
    const r = drawn([[20.5, 15.5]], [[10, 20, 30]], [INJECTED]);
    assert.deepEqual(pixel(r, 20, 15), [0, 0, 0, 0]);
    assert.deepEqual(pixel(r, 21, 15), [10, 20, 30, 230]);
    assert.deepEqual(pixel(r, 21, 16), [10, 20, 30, 230]);
  });

  it("mixes points on one another: their mean colour, as opaque as two dots of 90%", () => {
    const r = drawn(
      [
        [5.2, 5.7],
        [5.9, 5.1],
      ],
      [
        [200, 0, 0],
        [0, 0, 100],
      ],
      [0, 0],
    );
    assert.deepEqual(pixel(r, 5, 5), [100, 0, 50, Math.round(0.99 * 255)]);
  });

  it("fades the unselected to 18% under a selection, the selected larger and over them", () => {
    const f = { selected: 1 };
    const r = drawn(
      [
        [10.5, 10.5],
        [30.5, 10.5],
      ],
      [
        [200, 0, 0],
        [0, 200, 0],
      ],
      [0, SELECTED],
      f,
    );
    assert.deepEqual(pixel(r, 10, 10), [200, 0, 0, Math.round(0.18 * 255)]);
    assert.deepEqual(pixel(r, 30, 10), [0, 200, 0, 230]);
    // One image selected alone is drawn 2.2 times as large: 2 pixels from its centre is within 2.86.
    assert.deepEqual(pixel(r, 32, 10), [0, 200, 0, 230]);
    assert.deepEqual(pixel(r, 12, 10), [0, 0, 0, 0]);
    const both = drawn(
      [
        [10.5, 10.5],
        [10.5, 10.5],
      ],
      [
        [200, 0, 0],
        [0, 200, 0],
      ],
      [0, SELECTED],
      f,
    );
    // The selected at 90% over the faded at 18%: a = 0.9 + 0.18 * 0.1, colour weighted so.
    const a0 = 0.18 * 0.1;
    assert.deepEqual(pixel(both, 10, 10), [
      Math.round((200 * a0) / (0.9 + a0)),
      Math.round((200 * 0.9) / (0.9 + a0)),
      0,
      Math.round((0.9 + a0) * 255),
    ]);
  });

  it("draws what stamping every point one by one draws, on a crowded map, zoomed, with a selection, and at a device pixel ratio of 2", () => {
    const random = seedrandom("raster");
    const n = 20_000;
    const pos = new Float32Array(2 * n);
    const rgba = new Uint8Array(4 * n);
    const flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      // Blobs and a thin spread, some points off the map's edges.
      const blob = i % 4;
      pos[2 * i] = blob < 3 ? 20 + blob * 25 + random() * 10 : random() * 110 - 5;
      pos[2 * i + 1] = blob < 3 ? 10 + blob * 12 + random() * 8 : random() * 70 - 5;
      rgba.set([Math.floor(random() * 256), Math.floor(random() * 256), Math.floor(random() * 256)], 4 * i);
      flags[i] = i % 97 === 0 ? INJECTED : 0;
    }
    const frames: GlFrame[] = [
      { ...FRAME, width: 100, height: 60 },
      { ...FRAME, width: 100, height: 60, sx: 3, sy: 3, tx: -60, ty: -40, radius: 2.4 },
      { ...FRAME, width: 100, height: 60, dpr: 2 },
    ];
    const raster = new PointRaster();
    for (const f of frames) {
      raster.draw(pos, rgba, flags, f);
      assert.deepEqual(raster.pixels, stampedOneByOne(pos, rgba, flags, f));
      // A selection: the flags change, the placement stays (counted again only where they changed).
      const selected = flags.map((fl, i) => (i % 3 === 0 ? fl | SELECTED : fl));
      raster.draw(pos, rgba, selected, { ...f, selected: 5000 });
      assert.deepEqual(raster.pixels, stampedOneByOne(pos, rgba, selected, { ...f, selected: 5000 }));
      // Other selections over the same look: more than half the points changed (every pixel stamped afresh), then fewer (only
      // what the points that changed reach drawn again, rings among them).
      for (const every of [5, 2, 7, 41, 53, 47]) {
        const next = flags.map((fl, i) => (i % every === 0 ? fl | SELECTED : fl));
        raster.draw(pos, rgba, next, { ...f, selected: 5000 });
        assert.deepEqual(raster.pixels, stampedOneByOne(pos, rgba, next, { ...f, selected: 5000 }), `every ${every}th selected`);
      }
      raster.draw(pos, rgba, flags, f);
      assert.deepEqual(raster.pixels, stampedOneByOne(pos, rgba, flags, f), "the selection cleared");
    }
  });

  it("draws a selection staged ahead (a lasso as it is drawn) as a fresh raster draws it, whatever was staged, and gives the box to put again", () => {
    const { pos, rgba, none, between, fresh } = scattered("staged");
    const f = { ...FRAME, width: 100, height: 60, selected: 2000 };
    const changed = (a: Uint8Array, b: Uint8Array) => a.filter((fl, i) => fl !== b[i]).length;
    const wide = changed(between(20, 22), between(20, 66));
    assert.ok(wide > (100 * 60) / 2 && wide < 8000 / 2, `${wide} points changed by the wide staging`);
    const raster = new PointRaster();
    raster.draw(pos, rgba, between(10, 20), f);
    // Staged as the lasso grows (rings among its points), then picked as staged, or otherwise: a lasso pulled back, another, one changing more
    // than half the points (not drawn: left to the pick's draw), dots of another look (likewise), none after some.
    for (const [staged, picked, what] of [
      [[between(10, 25), between(10, 30)], between(10, 30), "picked as last staged"],
      [[between(10, 34), between(10, 38)], between(10, 36), "pulled back before it was let go"],
      [[between(40, 50)], between(0, 8), "another lasso picked"],
      [[between(0, 70)], between(20, 30), "a staging of most points, then a strip picked"],
      [[between(20, 34)], between(20, 34), "a staging of one image's size (dots of another look), picked"],
      [[between(20, 22), none], none, "a staging of none, picked"],
      [[between(20, 22)], between(20, 22), "a first selection staged, picked"],
      [[between(20, 66)], between(20, 66), "a staging of more points than half the pixels, fewer than half the points, picked"],
    ] as const) {
      raster.takeComposedBox();
      const shown = raster.pixels.slice();
      for (const flags of staged) {
        const frame = { ...f, selected: what.includes("one image") ? 1 : flags === none ? 0 : f.selected };
        const drawn = raster.redraw(pos, rgba, flags, frame);
        assert.equal(drawn, !what.includes("most points") && !what.includes("one image"), `${what}: staged, drawn or not`);
        if (drawn) assert.deepEqual(raster.pixels, fresh(flags, frame), `${what}: staged as a fresh raster draws it`);
      }
      raster.draw(pos, rgba, picked, { ...f, selected: picked === none ? 0 : f.selected });
      assert.deepEqual(raster.pixels, fresh(picked, { ...f, selected: picked === none ? 0 : f.selected }), what);
      assert.deepEqual(changedOutside(shown, raster).outside, [], `${what}: every pixel changed since the last put in the box put`);
    }
  });

  it("clears a selection of more points than the image has pixels (the selected sums added to the rest's) as a fresh raster draws none", () => {
    const { pos, rgba, none, between, fresh } = scattered("crowded clear");
    // The map at half its size: 8,000 points on 50 x 30 pixels.
    const f = { ...FRAME, width: 50, height: 30, sx: 0.5, sy: 0.5 };
    const most = between(-Infinity, 80);
    assert.ok(most.filter((fl) => fl & SELECTED).length > 50 * 30);
    const raster = new PointRaster();
    raster.draw(pos, rgba, none, f);
    for (const [flags, frame, what] of [
      [most, { ...f, selected: 6000 }, "most selected"],
      [none, f, "cleared"],
      [between(20, 30), { ...f, selected: 800 }, "a strip selected after"],
      [none, f, "the strip cleared"],
    ] as const) {
      raster.draw(pos, rgba, flags, frame);
      assert.deepEqual(raster.pixels, fresh(flags, frame), what);
    }
  });

  it("draws a first selection, and none again, as a fresh raster draws them, over the whole image, and a strip's change in a box about it", () => {
    const { pos, rgba, none, between, fresh } = scattered("first");
    // A lasso's: the points left of x = 60 (rings among them), more than half the 8,000 points (drawn afresh); then a strip, fewer.
    const some = between(-Infinity, 60);
    const strip = between(60, 70);
    const wider = between(60, 75);
    assert.ok(some.filter((fl) => fl & SELECTED).length > 4000 && strip.filter((fl) => fl & SELECTED).length < 4000);
    const f = { ...FRAME, width: 100, height: 60 };
    const raster = new PointRaster();
    raster.draw(pos, rgba, none, f);
    for (const [flags, frame, what] of [
      [some, { ...f, selected: 3000 }, "the first selection"],
      [none, f, "the selection cleared"],
      [some, { ...f, selected: 3000 }, "a selection again"],
      [strip, { ...f, selected: 3000 }, "a strip"],
      [none, f, "the strip cleared"],
      [strip, { ...f, selected: 3000 }, "a strip again"],
      [wider, { ...f, selected: 3000 }, "the strip widened"],
      [some, { ...f, selected: 3000 }, "a selection after the strip"],
    ] as const) {
      const before = raster.pixels.slice();
      raster.draw(pos, rgba, flags, frame);
      assert.deepEqual(raster.pixels, fresh(flags, frame), what);
      // What the map puts on its canvas again: every pixel that changed is in the box composed.
      const { outside, box } = changedOutside(before, raster);
      assert.deepEqual(outside, [], `${what}: pixels changed outside the box`);
      if (what === "the strip widened")
        assert.ok(box.x >= 60 - 4 && box.x + box.width <= 77 + 4, `${what}: a box from x = ${box.x}, ${box.width} wide`);
    }
  });
});
