import { histogramQuantile } from '../../../src/modules/executions/duration-histogram';

describe(histogramQuantile.name, () => {
  // Buckets: [0, 1), [1, 2), [2, 4), [4, ∞).
  const bounds = [1, 2, 4];

  it('is null when nothing was counted', () => {
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 0])).toBeNull();
  });

  it('interpolates linearly inside the bucket that holds the q-th value', () => {
    // 10 values: the 9.5th lies halfway into the [2, 4) bucket, which holds values 6 to 10 (after 5).
    expect(histogramQuantile(0.95, bounds, [2, 3, 5, 0])).toBeCloseTo(2 + 2 * (4.5 / 5), 10);
    // The median: the 5th of 10, the last of the [1, 2) bucket (values 3 to 5).
    expect(histogramQuantile(0.5, bounds, [2, 3, 5, 0])).toBe(2);
  });

  it('starts the first bucket at zero and skips empty buckets', () => {
    expect(histogramQuantile(0.5, bounds, [4, 0, 0, 0])).toBe(0.5);
    expect(histogramQuantile(0.95, bounds, [0, 0, 4, 0])).toBeCloseTo(3.9, 10);
  });

  it('answers the lower bound of the open last bucket when the q-th value falls there', () => {
    expect(histogramQuantile(0.95, bounds, [1, 0, 0, 19])).toBe(4);
  });

  it('stays within the bucket of the exact quantile', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 0.05 + (i % 97) * 0.031 + Math.floor(i / 97) * 0.2);
    const sorted = [...values].sort((a, b) => a - b);
    const logBounds = Array.from({ length: 54 }, (_, k) => 0.001 * 2 ** (k / 2));
    const counts = new Array<number>(logBounds.length + 1).fill(0);
    for (const v of values) counts[logBounds.filter((b) => b <= v).length] += 1;
    const exact = sorted[Math.ceil(0.95 * sorted.length) - 1];
    const estimate = histogramQuantile(0.95, logBounds, counts)!;
    const bucket = logBounds.filter((b) => b <= exact).length;
    expect(estimate).toBeGreaterThanOrEqual(logBounds[bucket - 1]);
    expect(estimate).toBeLessThanOrEqual(logBounds[bucket]);
  });

  it('refuses counts that do not fit the bounds', () => {
    expect(() => histogramQuantile(0.95, bounds, [1, 2, 3])).toThrow();
  });
});
