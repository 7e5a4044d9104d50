import { Histogram, type Registry } from 'prom-client';

/** How often the loop is sampled: a stall shorter than this may be seen only in part. */
const SAMPLE_INTERVAL_MS = 100;
const DELAY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `nodejs_eventloop_delay_seconds`: a histogram of how late a 100 ms timer fires, i.e. how
 * long the event loop was blocked. Unlike prom-client's `nodejs_eventloop_lag_*` gauges (a
 * window that each scrape resets), it is cumulative, so `rate()` and `histogram_quantile()`
 * work with any number of scrapers, and `…_sum` counts the seconds the loop stood still.
 * Returns the function that stops the sampling.
 */
export function sampleEventLoopDelay(registry: Registry, intervalMs = SAMPLE_INTERVAL_MS): () => void {
  const delay = new Histogram({
    name: 'nodejs_eventloop_delay_seconds',
    help: `How late a ${intervalMs} ms timer fired: the time the event loop was blocked (sampled every ${intervalMs} ms)`,
    buckets: DELAY_BUCKETS,
    registers: [registry],
  });
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    delay.observe(Math.max(0, now - expected) / 1000);
    expected = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
