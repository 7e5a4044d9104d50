/**
 * A quantile estimated from a histogram, the way Prometheus' histogram_quantile does: find the
 * bucket that holds the q-th run and interpolate linearly inside it. `bounds` are the ascending
 * bucket bounds; `counts` has one entry more: counts[0] is [0, bounds[0]), counts[i] is
 * [bounds[i-1], bounds[i]), the last one [bounds[last], ∞). The answer lies in the same bucket
 * as the exact quantile, so its error is at most that bucket's width; when the q-th run falls in
 * the open last bucket, the answer is that bucket's lower bound. Null when nothing was counted.
 */
export function histogramQuantile(q: number, bounds: readonly number[], counts: readonly number[]): number | null {
  if (counts.length !== bounds.length + 1) throw new Error('a histogram has one count more than bounds');
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i];
    if (n > 0 && below + n >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      if (i === bounds.length) return lower;
      return lower + (bounds[i] - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return bounds[bounds.length - 1];
}
