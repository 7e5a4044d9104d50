import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { BullmqAlone, type BullBackend } from './support/bullmq-baseline';
import { startNoopServer, type NoopServer } from './support/noop-server';
import { releaseJobs, startProduct, waitForAllFinished } from './support/product-process';
import { deleteRedisKeys } from './support/redis-keys';
import { seedJobs } from './support/seed';
import { Report, fmt, log, percentile, sleep, summarize } from './support/stats';

const ROUNDS = Number(process.env.BENCH_BURST_ROUNDS ?? 2);
const JOBS = Number(process.env.BENCH_BURST_JOBS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
/** How far ahead of the burst's instant the product starts looking (more than DISPATCH_LOOKAHEAD_MS). */
const LEAD_MS = 4_000;
const TIMEOUT_MS = 240_000;

interface BurstRound {
  /** Last start − the fire time (s). */
  lastStartS: number;
  p50: number;
  p99: number;
  /** Runs per second from the fire time to the last one finished. */
  drainPerSecond: number;
  /** Arrival at the sink − fire time, p99 (ms); NaN for the baseline. */
  arrivalP99: number;
}

function round(lagsMs: number[], lastFinishS: number, arrivalsMs: number[]): BurstRound {
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const arrivals = [...arrivalsMs].sort((a, b) => a - b);
  return {
    lastStartS: sorted[sorted.length - 1] / 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    drainPerSecond: lagsMs.length / lastFinishS,
    arrivalP99: percentile(arrivals, 99),
  };
}

/**
 * Product: one scheduler+worker process (worker processes: the default, one per core);
 * JOBS jobs all due at one instant (the next whole second LEAD_MS ahead: the dispatcher only
 * sees next_run_at, so this is a minute boundary's burst), task http.request to the local
 * sink. Waits until every run has finished.
 */
async function productRound(
  url: string,
  sink: NoopServer,
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<BurstRound> {
  const service = await startProduct(label, url, {
    ROLES: 'scheduler,worker',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ...extraEnv,
  });
  try {
    return await withClient(url, async (c) => {
      await sleep(1000);
      const [{ at }] = (
        await c.query<{ at: Date }>(`SELECT date_trunc('second', now()) + make_interval(secs => $1::int) AS at`, [
          Math.ceil(LEAD_MS / 1000),
        ])
      ).rows;
      sink.reset();
      await releaseJobs(c, `'${at.toISOString()}'::timestamptz`);
      await waitForAllFinished(c, JOBS, TIMEOUT_MS, 500);
      const { rows } = await c.query<{ lag: number; last: number }>(
        `SELECT extract(epoch FROM started_at - scheduled_for) * 1000 AS lag,
                extract(epoch FROM max(finished_at) OVER () - scheduled_for) AS last
           FROM executions WHERE started_at IS NOT NULL`,
      );
      const arrivals = sink
        .arrivals()
        .filter((a) => a.firedAt === at.getTime())
        .map((a) => a.at - a.firedAt);
      return round(
        rows.map((r) => Number(r.lag)),
        Math.max(...rows.map((r) => Number(r.last))),
        arrivals,
      );
    });
  } finally {
    await service.stop();
  }
}

/** Baseline: BullMQ alone on the same backend, JOBS messages delayed to one instant (added ahead in bulk), a no-op worker. */
async function baselineRound(backend: BullBackend, url: string): Promise<BurstRound> {
  const bull = new BullmqAlone(backend, url);
  try {
    const name = `burst-${Date.now()}`;
    const queue = bull.queue<{ at: number }>(name);
    await queue.waitUntilReady();
    const lags: number[] = [];
    let finish: () => void = () => undefined;
    const allDone = new Promise<void>((resolve) => (finish = resolve));
    const worker = bull.worker<{ at: number }>(
      name,
      async (job) => {
        lags.push(Date.now() - job.data.at);
        if (lags.length === JOBS) finish();
      },
      CONCURRENCY,
    );
    await worker.waitUntilReady();
    const at = Math.ceil(Date.now() / 1000) * 1000 + LEAD_MS;
    for (let i = 0; i < JOBS; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, JOBS - i) }, (_, k) => ({
          name: 'run',
          data: { at },
          opts: { jobId: `b${i + k}`, delay: Math.max(0, at - Date.now()), removeOnComplete: true },
        })),
      );
    }
    await Promise.race([allDone, sleep(TIMEOUT_MS).then(() => Promise.reject(new Error('baseline timed out')))]);
    return round(lags, (Date.now() - at) / 1000, []);
  } finally {
    await bull.close();
  }
}

export async function runBurst(env: BenchEnvironment): Promise<Report> {
  const redisUrl = process.env.BENCH_BURST_REDIS === '0' ? undefined : await env.redis();
  const backends: BullBackend[] = redisUrl ? ['postgres', 'redis'] : ['postgres'];
  const report = new Report('burst', {
    jobs: JOBS,
    rounds: ROUNDS,
    workerConcurrency: CONCURRENCY,
    backends: backends.join(','),
  });
  const sink = await startNoopServer();
  const template = 'bench_burst_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: JOBS,
      scheduleType: 'interval',
      expression: '3600',
      nextRunAt: 'NULL',
      isEnabled: false,
      taskName: 'http.request',
      taskKwargs: { url: sink.url },
    }),
  );
  const results: Record<string, BurstRound[]> = {};
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      for (const backend of backends) {
        for (const side of ['baseline', 'product'] as const) {
          const key = `${side}-${backend}`;
          const db = `bench_burst_${side}_${backend}_${r}`;
          const url = await env.createDatabase(db, template);
          const prefix = `benchburst${Date.now()}`;
          try {
            const result =
              side === 'baseline'
                ? await baselineRound(backend, backend === 'redis' ? redisUrl! : url)
                : await productRound(
                    url,
                    sink,
                    `burst-${backend}-${r}`,
                    backend === 'redis' ? { REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix } : {},
                  );
            (results[key] ??= []).push(result);
            log(
              `  burst round ${r} ${key}: last start ${fmt(result.lastStartS)} s after the fire time, p50 ${fmt(result.p50)} ms, ` +
                `p99 ${fmt(result.p99)} ms, drained at ${fmt(result.drainPerSecond)} runs/s` +
                (side === 'product' ? `; arrival p99 ${fmt(result.arrivalP99)} ms` : ''),
            );
          } finally {
            if (backend === 'redis' && side === 'product') await deleteRedisKeys(redisUrl!, prefix);
            await env.dropDatabase(db);
          }
        }
      }
    }
  } finally {
    await sink.close();
    await env.dropDatabase(template);
  }
  for (const backend of backends) {
    const product = results[`product-${backend}`];
    const baseline = results[`baseline-${backend}`];
    const where = backend === 'redis' ? 'Redis (REDIS_URL)' : 'PostgreSQL';
    const baselineName = `BullMQ alone on ${backend === 'redis' ? 'Redis' : 'PostgreSQL'}, ${JOBS} delayed messages, no-op worker`;
    const figure = (name: string, unit: string, pick: (r: BurstRound) => number, withBaseline = true) =>
      report.add({
        name: `${where}: ${name}`,
        unit,
        product: summarize(product.map(pick)),
        baseline: withBaseline ? { name: baselineName, summary: summarize(baseline.map(pick)) } : undefined,
      });
    figure('fire time → last start', 's', (r) => r.lastStartS);
    figure('start lag p50', 'ms', (r) => r.p50);
    figure('start lag p99', 'ms', (r) => r.p99);
    figure('drained (runs per second, fire time → last finished)', 'runs/s', (r) => r.drainPerSecond);
    figure('arrival lag p99 (webhook sink)', 'ms', (r) => r.arrivalP99, false);
  }
  report.note(
    `${JOBS} jobs (http.request to a local sink) all due at one instant; compare the drain rate with the pipeline benchmark's runs/s on the same backend`,
  );
  return report;
}
