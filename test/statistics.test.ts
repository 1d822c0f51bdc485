// The findings' statistics against reference values. Source of every expected number: Python's
// scipy 1.17.1 (Debian's python3-scipy), computed as
//   scipy.stats.binomtest(k, n).proportion_ci(0.95, "wilson")           (Wilson intervals)
//   scipy.stats.chi2_contingency(t, lambda_="log-likelihood", correction=False)  (G)
//   scipy.stats.fisher_exact(t), numpy permutations                     (exact permutation p-values)
//   scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue                  (exact McNemar)
//   numpy.percentile(values, [2.5, 97.5])                                (percentile intervals)
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findingsStability } from "../src/pipeline/findings";
import { gStatistic, independenceTest, mcnemarExact, percentileInterval, PERMUTATIONS, wilson } from "../src/pipeline/statistics";

const close = (actual: number, expected: number, relative = 1e-9, what = "") =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300), `${what} ${actual} against ${expected}`);

/** One item per cell count: the groups and clusters a table of counts stands for. */
function itemsOf(table: number[][]): { groups: number[]; clusters: number[] } {
  const groups: number[] = [];
  const clusters: number[] = [];
  table.forEach((row, r) =>
    row.forEach((count, c) => groups.push(...new Array<number>(count).fill(r)) && clusters.push(...new Array<number>(count).fill(c))),
  );
  return { groups, clusters };
}

describe("Wilson 95% intervals", () => {
  const cases: [number, number, number, number][] = [
    [89, 100, 0.8136870349691969, 0.9374580364293543],
    [0, 10, 0, 0.27753279986288926],
    [10, 10, 0.7224672001371109, 1],
    [96, 100, 0.9016292856411208, 0.9843366960084523],
    [1, 2000, 8.826773070546787e-5, 0.0028268625032662137],
    [1980, 2000, 0.984604061540925, 0.9935172321234474],
  ];
  for (const [k, n, low, high] of cases)
    it(`${k} of ${n}: [${low.toFixed(4)}, ${high.toFixed(4)}] as scipy gives it`, () => {
      const [l, h] = wilson(k, n);
      close(l, low, 1e-9, "low");
      close(h, high, 1e-9, "high");
    });

  it("says nothing ([0, 1]) without observations", () => assert.deepEqual(wilson(0, 0), [0, 1]));
});

describe("G-test of independence", () => {
  it("computes G as scipy's log-likelihood chi2_contingency does", () => {
    close(gStatistic([30, 10, 5, 8, 25, 12], 2, 3), 23.1768657485652, 1e-9);
    close(gStatistic([96, 4, 0, 100], 2, 2), 243.34995728915, 1e-9);
    close(gStatistic([20, 15, 15, 20], 2, 2), 1.433470620326304, 1e-9);
  });

  it("gives a strongly dependent table the smallest p its permutations allow, with the degrees of freedom of its used cells", () => {
    const { groups, clusters } = itemsOf([
      [30, 10, 5],
      [8, 25, 12],
    ]);
    const test = independenceTest(groups, clusters, 2, 3, 1);
    close(test.g, 23.1768657485652, 1e-9);
    assert.equal(test.degreesOfFreedom, 2);
    assert.equal(test.permutations, PERMUTATIONS);
    // scipy's asymptotic p is 9.3e-6: no permutation of 999 should reach it.
    assert.equal(test.pValue, 1 / (1 + PERMUTATIONS));
  });

  it("estimates the exact permutation p-value within three of its standard errors (0.045 at 999 permutations)", () => {
    // The exact permutation p of a 2 x 2 table is Fisher's exact p (scipy.stats.fisher_exact: 0.3391); for the 2 x 3 table,
    // 100,000 numpy permutations (default_rng(0)) give 0.8072. Their asymptotic chi-squared p-values (0.2312, 0.7046) are
    // what small cells make unsafe, and why the findings permute.
    for (const [table, expected] of [
      [
        [
          [20, 15],
          [15, 20],
        ],
        0.3390895218404635,
      ],
      [
        [
          [12, 10, 8],
          [9, 11, 10],
        ],
        0.80716,
      ],
    ] as [number[][], number][]) {
      const { groups, clusters } = itemsOf(table);
      const { pValue } = independenceTest(groups, clusters, table.length, table[0].length, 24);
      assert.ok(Math.abs(pValue - expected) < 0.045, `permutation p ${pValue}, exact ${expected}`);
    }
  });

  it("is reproducible from its seed", () => {
    const { groups, clusters } = itemsOf([
      [12, 10, 8],
      [9, 11, 10],
    ]);
    assert.deepEqual(independenceTest(groups, clusters, 2, 3, 7), independenceTest(groups, clusters, 2, 3, 7));
  });
});

describe("exact McNemar", () => {
  const cases: [number, number, number][] = [
    [81, 8, 2.5248620379419315e-16],
    [10, 5, 0.30175781249999994],
    [3, 3, 1],
    [0, 7, 0.015625],
    [1000, 900, 0.023108845108901193],
    [50, 0, 1.7763568394002505e-15],
  ];
  for (const [b, c, p] of cases)
    it(`b = ${b}, c = ${c}: p = ${p.toPrecision(4)} as scipy gives it`, () => close(mcnemarExact(b, c), p, 1e-9));

  it("is 1 when no pair discriminates", () => assert.equal(mcnemarExact(0, 0), 1));
});

describe("percentile intervals", () => {
  it("interpolates as numpy's default", () => {
    const [low, high] = percentileInterval([0.1, 0.5, 0.2, 0.9, 0.4]);
    close(low, 0.11, 1e-12);
    close(high, 0.86, 1e-12);
  });
});

describe("the findings' spread over stability runs", () => {
  // Four kept 1s, four kept 7s, four injected 4s; one hidden layer. Both runs keep 1s and 7s apart;
  // the first sends every 4 down the 7s' path, the second half of them.
  const input = {
    classes: [1, 7],
    labels: [1, 1, 1, 1, 7, 7, 7, 7, 4, 4, 4, 4],
    injected: [...new Array(8).fill(false), ...new Array(4).fill(true)],
  };
  const runs = [[Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1])], [Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0])]];

  it("tallies the separation layer and gives each follow-the-path share its 2.5th-97.5th percentiles (numpy's [0.5125, 0.9875])", () => {
    const stability = findingsStability(input, runs);
    assert.equal(stability.runs, 2);
    assert.deepEqual(stability.separationLayer, { "1": 2 });
    assert.deepEqual(stability.followsPathOf["4"]["7"], [0.5125, 0.9875]);
    assert.deepEqual(stability.followsPathOf["4"]["1"], [0.0125, 0.4875]);
  });

  it('counts a run where no layer separates as "none"', () => {
    const mixed = [Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])];
    assert.deepEqual(findingsStability(input, [mixed]).separationLayer, { none: 1 });
  });
});
