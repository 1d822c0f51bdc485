// The kept and the injected images' labels (src/shared/labelGroups.ts), as the Sankey, the view's
// digits and legend and the notebook name them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelGroups } from "../src/shared/labelGroups";
import { classCounts } from "../webview/data";

describe("labelGroups", () => {
  it("lists each group's labels once, ascending, a label in both groups in both", () => {
    const labels = Int32Array.from([7, 1, 7, 1, 4, 3, 4, 7]);
    const injected = Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual(labelGroups({ labels, injected }), { kept: [1, 7], injected: [3, 4, 7] });
  });

  it("reads plain lists as the pipeline builds them, and no images as none", () => {
    assert.deepEqual(labelGroups({ labels: [2, 0], injected: [false, false] }), { kept: [0, 2], injected: [] });
    assert.deepEqual(labelGroups({ labels: [], injected: [] }), { kept: [], injected: [] });
  });

  it("groups labels that are no class's index too (negative, past a million, fractional), as labels", () => {
    const labels = [5, -1, 3_000_000, 2.5, 5, 0];
    assert.deepEqual(labelGroups({ labels, injected: [0, 0, 1, 0, 1, 0] }), { kept: [-1, 0, 2.5, 5], injected: [5, 3_000_000] });
  });
});

describe("classCounts (a Sankey node's and the selection's class mix)", () => {
  it("counts the images' classes, most frequent first, then by class", () => {
    const classes = Int32Array.from([3, 1, 3, 0, 1, 3]);
    assert.deepEqual(classCounts(classes, [0, 1, 2, 3, 4, 5]), [
      [3, 3],
      [1, 2],
      [0, 1],
    ]);
    assert.deepEqual(classCounts(classes, [1, 3]), [
      [0, 1],
      [1, 1],
    ]);
  });

  it("counts labels that are no class's index (negative, 2^31 - 1, fractional) too, without an array as long as the label", () => {
    const classes = Int32Array.from([2 ** 31 - 1, -4, 2 ** 31 - 1, 7]);
    const before = process.memoryUsage().arrayBuffers;
    assert.deepEqual(classCounts(classes, [0, 1, 2, 3]), [
      [2 ** 31 - 1, 2],
      [-4, 1],
      [7, 1],
    ]);
    assert.deepEqual(classCounts([2.5, 2.5, 1], [0, 1, 2]), [
      [2.5, 2],
      [1, 1],
    ]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 2 ** 20);
  });
});
