// grouped() writes a number as toLocaleString("en") does (the views' counts, without loading the
// page's number formats on the first paint), and imageCountText says a count in words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grouped, imageCountText } from "../src/shared/imageCount";

describe("grouped numbers", () => {
  it("groups thousands as toLocaleString('en') does, for whole numbers and others", () => {
    const numbers = [0, 1, 9, 12, 123, 999, 1000, 1234, 12_345, 123_456, 999_999, 1_000_000, 70_000, 10_000, 1_234_567_890];
    for (const n of [...numbers, ...numbers.filter((x) => x > 0).map((x) => -x), 2.5, 1234.5, 1e21, Number.MAX_SAFE_INTEGER])
      assert.equal(grouped(n), n.toLocaleString("en"), String(n));
  });

  it("says counts of images", () => {
    assert.equal(imageCountText(1), "1 image");
    assert.equal(imageCountText(70_000), "70,000 images");
  });
});
