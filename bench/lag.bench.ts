import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { BullmqAlone, type BullBackend } from './support/bullmq-baseline';
import { startNoopServer, type NoopServer } from './support/noop-server';
import { releaseJobs, startProduct } from './support/product-process';
import { deleteRedisKeys } from './support/redis-keys';
import { seedJobs } from './support/seed';
import { Report, fmt, log, percentile, sleep, summarize } from './support/stats';

const ROUNDS = Number(process.env.BENCH_LAG_ROUNDS ?? 3);
/** One or more scales, comma-separated: every-second jobs per round. */
const JOB_COUNTS = (process.env.BENCH_LAG_JOBS ?? '200,1000').split(',').map(Number);
const WINDOW_S = Number(process.env.BENCH_LAG_SECONDS ?? 30);
const BASELINE_WINDOW_S = Number(process.env.BENCH_LAG_BASELINE_SECONDS ?? 5);
const GRACE_MS = 3_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);

interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface LagRound {
  /** started_at − scheduled_for (the product's record; the baseline's worker clock). */
  start: Percentiles;
  /** Arrival at the webhook sink − fire time (product only). */
  arrival: Percentiles;
  /** Fire times in the window that should have run. */
  expected: number;
  started: number;
  skipped: number;
  neverStarted: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/**
 * Product: one `npm start`-like process with the scheduler and worker roles (its worker
 * processes: WORKER_PROCESSES default, one per core), `jobs` jobs on a 1-second cron
 * (`* * * * * *`), task http.request to the local sink. Start lag = started_at − scheduled_for
 * of every run whose fire time falls in the window; arrival lag = when the sink got the call −
 * the fire time it carries. A run not started GRACE_MS after the window counts with its lag so
 * far (a lower bound); skipped fire times (overlap_policy skip) are counted apart.
 */
async function productRound(
  url: string,
  jobs: number,
  sink: NoopServer,
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<LagRound> {
  const service = await startProduct(label, url, {
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
      sink.reset();
      await releaseJobs(c, `'${from.toISOString()}'::timestamptz`);
      const to = new Date(from.getTime() + WINDOW_S * 1000);
      await sleep(to.getTime() + GRACE_MS - Date.now());
      const { rows } = await c.query<{ status: string; lag: number | null; so_far: number }>(
        `SELECT status, extract(epoch FROM started_at - scheduled_for) * 1000 AS lag,
                extract(epoch FROM now() - scheduled_for) * 1000 AS so_far
           FROM executions WHERE "trigger" = 'schedule' AND scheduled_for >= $1 AND scheduled_for < $2`,
        [from, to],
      );
      const arrivals = sink
        .arrivals()
        .filter((a) => a.firedAt >= from.getTime() && a.firedAt < to.getTime())
        .map((a) => a.at - a.firedAt);
      const skipped = rows.filter((r) => r.status === 'skipped').length;
      const ran = rows.filter((r) => r.status !== 'skipped');
      return {
        start: percentiles(ran.map((r) => (r.lag === null ? Number(r.so_far) : Number(r.lag)))),
        arrival: percentiles(arrivals),
        expected: jobs * WINDOW_S,
        started: ran.filter((r) => r.lag !== null).length,
        skipped,
        neverStarted: ran.filter((r) => r.lag === null).length,
      };
    });
  } finally {
    await service.stop();
  }
}

/**
 * Baseline: BullMQ alone on the same backend. Each second of the window, `jobs` delayed
 * messages are added (one addBulk, a second ahead) to start at that second; a no-op worker
 * records Date.now() − the intended start.
 */
async function baselineRound(backend: BullBackend, url: string, jobs: number): Promise<LagRound> {
  const bull = new BullmqAlone(backend, url);
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
        Array.from({ length: jobs }, (_, i) => ({
          name: 'run',
          data: { at },
          opts: { jobId: `s${s}-${i}`, delay, removeOnComplete: true },
        })),
      );
    }
    await sleep(from + BASELINE_WINDOW_S * 1000 + GRACE_MS - Date.now());
    const expected = jobs * BASELINE_WINDOW_S;
    const start = percentiles(lags);
    return {
      start,
      arrival: start,
      expected,
      started: lags.length,
      skipped: 0,
      neverStarted: expected - lags.length,
    };
  } finally {
    await bull.close();
  }
}

type Backend = 'postgres' | 'redis';

/** The targets: every fire time at 200 jobs/s within p50 25 ms / p99 100 ms (both backends); 99 % at 1,000/s on Redis within p99 250 ms. */
function targetsFor(jobs: number, backend: Backend): { p50?: number; p99?: number; ranShare?: number } {
  if (jobs <= 200) return { p50: 25, p99: 100, ranShare: 100 };
  if (jobs >= 1000 && backend === 'redis') return { p99: 250, ranShare: 99 };
  return {};
}

export async function runLag(env: BenchEnvironment): Promise<Report> {
  const redisUrl = process.env.BENCH_LAG_REDIS === '0' ? undefined : await env.redis();
  const backends: Backend[] = redisUrl ? ['postgres', 'redis'] : ['postgres'];
  const report = new Report('lag', {
    jobs: JOB_COUNTS.join(','),
    windowSeconds: WINDOW_S,
    baselineWindowSeconds: BASELINE_WINDOW_S,
    rounds: ROUNDS,
    workerConcurrency: CONCURRENCY,
    backends: backends.join(','),
  });
  if (BASELINE_WINDOW_S < WINDOW_S)
    report.note(`baseline window ${BASELINE_WINDOW_S} s per round (product: ${WINDOW_S} s)`);
  if (!redisUrl) report.note('no Redis (BENCH_LAG_REDIS=0, or no REDIS_URL and no redis-server): PostgreSQL only');
  const sink = await startNoopServer();
  try {
    for (const jobs of JOB_COUNTS) {
      const template = `bench_lag_tpl_${jobs}`;
      const tplUrl = await env.createSchemaDatabase(template);
      await withClient(tplUrl, (c) =>
        seedJobs(c, {
          count: jobs,
          scheduleType: 'cron',
          expression: '* * * * * *',
          nextRunAt: 'NULL',
          isEnabled: false,
          taskName: 'http.request',
          taskKwargs: { url: sink.url },
        }),
      );
      const results: Record<string, LagRound[]> = {};
      try {
        for (let round = 1; round <= ROUNDS; round++) {
          for (const backend of backends) {
            for (const side of ['baseline', 'product'] as const) {
              const key = `${side}-${backend}`;
              const db = `bench_lag_${jobs}_${side}_${backend}_${round}`;
              const url = await env.createDatabase(db, template);
              const prefix = `benchlag${Date.now()}`;
              try {
                const r =
                  side === 'baseline'
                    ? await baselineRound(backend, backend === 'redis' ? redisUrl! : url, jobs)
                    : await productRound(
                        url,
                        jobs,
                        sink,
                        `lag-${jobs}-${backend}-${round}`,
                        backend === 'redis' ? { REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix } : {},
                      );
                (results[key] ??= []).push(r);
                log(
                  `  lag ${jobs} jobs round ${round} ${key}: start p50 ${fmt(r.start.p50)} ms, p95 ${fmt(r.start.p95)}, p99 ${fmt(r.start.p99)}, max ${fmt(r.start.max)}` +
                    (side === 'product'
                      ? `; arrival p50 ${fmt(r.arrival.p50)}, p95 ${fmt(r.arrival.p95)}, p99 ${fmt(r.arrival.p99)}, max ${fmt(r.arrival.max)}`
                      : '') +
                    `; ${r.started} started, ${r.skipped} skipped, ${r.neverStarted} never started of ${r.expected} fire times`,
                );
              } finally {
                if (backend === 'redis' && side === 'product') await deleteRedisKeys(redisUrl!, prefix);
                await env.dropDatabase(db);
              }
            }
          }
        }
      } finally {
        await env.dropDatabase(template);
      }
      for (const backend of backends)
        addFigures(report, jobs, backend, results[`product-${backend}`], results[`baseline-${backend}`]);
    }
  } finally {
    await sink.close();
  }
  report.note(
    "start lag: started_at − scheduled_for from the product's records; arrival lag: the webhook sink's clock at the call − the fire time in its X-Jobs-Scheduled-For header; lags of runs never started count as their lag so far (lower bounds)",
  );
  return report;
}

function addFigures(report: Report, jobs: number, backend: Backend, product: LagRound[], baseline: LagRound[]): void {
  const targets = targetsFor(jobs, backend);
  const where = `${jobs} jobs, ${backend === 'redis' ? 'Redis (REDIS_URL)' : 'PostgreSQL'}`;
  const baselineName = `BullMQ alone on ${backend === 'redis' ? 'Redis' : 'PostgreSQL'}, delayed messages, no-op worker`;
  for (const measure of ['start', 'arrival'] as const) {
    for (const key of ['p50', 'p95', 'p99', 'max'] as const) {
      const target = key === 'p50' || key === 'p99' ? targets[key] : undefined;
      report.add({
        name: `${where}: ${measure} lag ${key}`,
        unit: 'ms',
        product: summarize(product.map((r) => r[measure][key])),
        baseline: { name: baselineName, summary: summarize(baseline.map((r) => r.start[key])) },
        target: target === undefined ? undefined : { on: 'value', op: '<=', value: target },
      });
    }
  }
  report.add({
    name: `${where}: fire times that ran`,
    unit: '%',
    product: summarize(product.map((r) => (100 * r.started) / r.expected)),
    target: targets.ranShare === undefined ? undefined : { on: 'value', op: '>=', value: targets.ranShare },
    note: `skipped (overlap_policy skip: the previous run still going) median ${fmt(
      summarize(product.map((r) => (100 * r.skipped) / r.expected)).median,
    )} %`,
  });
}
