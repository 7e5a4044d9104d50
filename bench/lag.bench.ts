import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { BullmqAlone } from './support/bullmq-baseline';
import { startNoopServer } from './support/noop-server';
import { releaseJobs, startProduct } from './support/product-process';
import { deleteRedisKeys } from './support/redis-keys';
import { seedJobs } from './support/seed';
import { Report, fmt, log, percentile, sleep, summarize } from './support/stats';

const ROUNDS = 3;
const JOBS = Number(process.env.BENCH_LAG_JOBS ?? 1_000);
const WINDOW_S = Number(process.env.BENCH_LAG_SECONDS ?? 30);
const BASELINE_WINDOW_S = Number(process.env.BENCH_LAG_BASELINE_SECONDS ?? 5);
const GRACE_MS = 3_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

interface LagRound {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Fire times in the window that produced a run to start. */
  expected: number;
  started: number;
  skipped: number;
  neverStarted: number;
}

function lagRound(lagsMs: number[], counts: Omit<LagRound, 'p50' | 'p95' | 'p99' | 'max'>): LagRound {
  const sorted = [...lagsMs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    ...counts,
  };
}

/**
 * Product: one scheduler+worker process, JOBS jobs on a 1-second cron (`* * * * * *`),
 * task http.request to a local no-op server. Lag = started_at − scheduled_for of every run
 * whose fire time falls in the window. A run not started GRACE_MS after the window counts
 * with its lag so far (a lower bound); skipped fire times (overlap_policy skip) are counted apart.
 */
async function productRound(url: string, round: number, extraEnv: Record<string, string> = {}): Promise<LagRound> {
  const label = extraEnv.REDIS_URL ? 'lag-product-redis' : 'lag-product';
  const service = await startProduct(`${label}-${round}`, url, {
    ROLES: 'scheduler,worker',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ...extraEnv,
  });
  try {
    return await withClient(url, async (c) => {
      await sleep(1000);
      const [{ at: from }] = (
        await c.query<{ at: Date }>(`SELECT date_trunc('second', now()) + interval '2 seconds' AS at`)
      ).rows;
      await releaseJobs(c, `'${from.toISOString()}'::timestamptz`);
      const to = new Date(from.getTime() + WINDOW_S * 1000);
      await sleep(to.getTime() + GRACE_MS - Date.now());
      const { rows } = await c.query<{ status: string; lag: number | null; so_far: number }>(
        `SELECT status, extract(epoch FROM started_at - scheduled_for) * 1000 AS lag,
                extract(epoch FROM now() - scheduled_for) * 1000 AS so_far
           FROM executions WHERE "trigger" = 'schedule' AND scheduled_for >= $1 AND scheduled_for < $2`,
        [from, to],
      );
      const skipped = rows.filter((r) => r.status === 'skipped').length;
      const ran = rows.filter((r) => r.status !== 'skipped');
      const lags = ran.map((r) => (r.lag === null ? Number(r.so_far) : Number(r.lag)));
      return lagRound(lags, {
        expected: JOBS * WINDOW_S,
        started: ran.filter((r) => r.lag !== null).length,
        skipped,
        neverStarted: ran.filter((r) => r.lag === null).length,
      });
    });
  } finally {
    await service.stop();
  }
}

/**
 * Baseline: BullMQ alone on the same backend. Each second of the window, JOBS delayed
 * messages are added (one addBulk, a second ahead) to start at that second; a no-op worker
 * records Date.now() − the intended start.
 */
async function baselineRound(url: string): Promise<LagRound> {
  const bull = new BullmqAlone('postgres', url);
  try {
    const name = `lag-${Date.now()}`;
    const queue = bull.queue<{ at: number }>(name);
    await queue.waitUntilReady();
    const lags: number[] = [];
    const worker = bull.worker<{ at: number }>(
      name,
      async (job) => void lags.push(Date.now() - job.data.at),
      CONCURRENCY,
    );
    await worker.waitUntilReady();
    const from = Math.ceil(Date.now() / 1000) * 1000 + 2000;
    for (let s = 0; s < BASELINE_WINDOW_S; s++) {
      const at = from + s * 1000;
      await sleep(at - 1000 - Date.now());
      const delay = Math.max(0, at - Date.now());
      await queue.addBulk(
        Array.from({ length: JOBS }, (_, i) => ({
          name: 'run',
          data: { at },
          opts: { jobId: `s${s}-${i}`, delay, removeOnComplete: true },
        })),
      );
    }
    await sleep(from + BASELINE_WINDOW_S * 1000 + GRACE_MS - Date.now());
    const expected = JOBS * BASELINE_WINDOW_S;
    return lagRound(lags, { expected, started: lags.length, skipped: 0, neverStarted: expected - lags.length });
  } finally {
    await bull.close();
  }
}

export async function runLag(env: BenchEnvironment): Promise<Report> {
  const report = new Report('lag', {
    jobs: JOBS,
    windowSeconds: WINDOW_S,
    baselineWindowSeconds: BASELINE_WINDOW_S,
    rounds: ROUNDS,
    workerConcurrency: CONCURRENCY,
  });
  if (BASELINE_WINDOW_S < WINDOW_S)
    report.note(
      `baseline window shortened to ${BASELINE_WINDOW_S} s per round (product: ${WINDOW_S} s) to stay within three minutes`,
    );
  const noop = await startNoopServer();
  const template = 'bench_lag_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: JOBS,
      scheduleType: 'cron',
      expression: '* * * * * *',
      nextRunAt: 'NULL',
      isEnabled: false,
      taskName: 'http.request',
      taskKwargs: { url: noop.url },
    }),
  );
  const product: LagRound[] = [];
  const productRedis: LagRound[] = [];
  const baseline: LagRound[] = [];
  // BENCH_LAG_REDIS=1 adds rounds of the product with its queues on Redis (about 40 s each).
  const redisUrl = process.env.BENCH_LAG_REDIS === '1' ? await env.redis() : undefined;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of ['baseline', 'product', 'product-redis'] as const) {
        if (side === 'product-redis' && !redisUrl) continue;
        const db = `bench_lag_${side.replace('-', '_')}_${round}`;
        const url = await env.createDatabase(db, template);
        try {
          const prefix = `benchlag${Date.now()}`;
          const r =
            side === 'baseline'
              ? await baselineRound(url)
              : side === 'product'
                ? await productRound(url, round)
                : await productRound(url, round, { REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix }).finally(() =>
                    deleteRedisKeys(redisUrl!, prefix),
                  );
          (side === 'baseline' ? baseline : side === 'product' ? product : productRedis).push(r);
          log(
            `  lag round ${round} ${side}: p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)}, p99 ${fmt(r.p99)}, max ${fmt(r.max)}; ` +
              `${r.started} started, ${r.skipped} skipped, ${r.neverStarted} never started of ${r.expected} fire times`,
          );
        } finally {
          await env.dropDatabase(db);
        }
      }
    }
  } finally {
    await noop.close();
    await env.dropDatabase(template);
  }
  const baselineName = 'BullMQ on PostgreSQL, delayed messages, no-op worker';
  const targets: Partial<Record<keyof LagRound, number>> = { p50: 25, p99: 100 };
  for (const key of ['p50', 'p95', 'p99', 'max'] as const) {
    const target = targets[key];
    report.add({
      name: `start lag ${key}`,
      unit: 'ms',
      product: summarize(product.map((r) => r[key])),
      baseline: { name: baselineName, summary: summarize(baseline.map((r) => r[key])) },
      target: target === undefined ? undefined : { on: 'value', op: '<=', value: target },
    });
  }
  if (productRedis.length > 0) {
    for (const key of ['p50', 'p99'] as const) {
      report.add({
        name: `start lag ${key}, product on Redis (REDIS_URL)`,
        unit: 'ms',
        product: summarize(productRedis.map((r) => r[key])),
        baseline: { name: baselineName, summary: summarize(baseline.map((r) => r[key])) },
        target: { on: 'value', op: '<=', value: targets[key]! },
      });
    }
  }
  const started = summarize(product.map((r) => r.started / r.expected));
  const skipped = summarize(product.map((r) => r.skipped / r.expected));
  report.note(
    `product: median ${(started.median * 100).toFixed(1)} % of the ${JOBS * WINDOW_S} fire times started, ${(skipped.median * 100).toFixed(1)} % skipped ` +
      `(overlap_policy skip: the previous run still queued); lags of runs never started count as their lag so far (lower bounds)`,
  );
  return report;
}
