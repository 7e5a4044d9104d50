import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.setup';
import { AppConfig } from '../src/config/app-config';
import { ScheduleDispatcherService } from '../src/modules/dispatcher/schedule-dispatcher.service';
import { ExecutionsService } from '../src/modules/executions/executions.service';
import { QueueService } from '../src/modules/executions/queue/queue.service';
import { SchedulesService } from '../src/modules/schedules/schedules.service';
import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { rawClaimAll } from './support/raw-claim';
import { seedJobs } from './support/seed';
import { Report, fmt, log, summarize } from './support/stats';

const ROUNDS = 3;
/** The size is 100k; override with BENCH_DISPATCH_JOBS. */
const JOBS = Number(process.env.BENCH_DISPATCH_JOBS ?? 30_000);

/** Makes every seeded job due (identically before A and B), then cleans up the dead tuples it leaves. */
async function makeDue(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`UPDATE jobs SET next_run_at = date_trunc('second', now()) - interval '30 seconds'`);
    await c.query('VACUUM ANALYZE jobs');
  });
}

async function countRuns(url: string): Promise<number> {
  return withClient(url, async (c) =>
    Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM executions')).rows[0].n),
  );
}

/** B: the product's ScheduleDispatcherService in a Nest app with ROLES=scheduler (record + advance + enqueue on BullMQ). */
async function productRound(
  url: string,
): Promise<{ rows: number; seconds: number; enqueueSeconds: number; fireTimeSeconds: number }> {
  const config = AppConfig.from({}, {
    DATABASE_URL: url,
    ROLES: 'scheduler',
    LOG_LEVEL: 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
  } as never);
  const app = await createApp(config, { logger: false });
  await app.init();
  try {
    const dispatcher = app.get(ScheduleDispatcherService);
    await app.get(QueueService).ping(); // connect + BullMQ migrations check, outside the timing
    await dispatcher.idle();
    const enqueue = timeCalls(app.get(ExecutionsService), 'enqueue');
    const fireTimes = timeCalls(app.get(SchedulesService), 'dueFireTimes');
    await makeDue(url);
    const started = process.hrtime.bigint();
    dispatcher.wake();
    await dispatcher.idle();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      rows: await countRuns(url),
      seconds,
      enqueueSeconds: enqueue.seconds(),
      fireTimeSeconds: fireTimes.seconds(),
    };
  } finally {
    await app.close();
  }
}

/** Wraps one method of a live provider to add up the time spent in it (the profile behind the figure). */
function timeCalls<T extends object>(target: T, method: keyof T & string): { seconds(): number } {
  let total = 0n;
  const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
  (target as Record<string, unknown>)[method] = (...args: unknown[]) => {
    const started = process.hrtime.bigint();
    const result = original(...args);
    if (result instanceof Promise) return result.finally(() => (total += process.hrtime.bigint() - started));
    total += process.hrtime.bigint() - started;
    return result;
  };
  return { seconds: () => Number(total) / 1e9 };
}

async function baselineRound(url: string): Promise<{ rows: number; seconds: number }> {
  await makeDue(url);
  return rawClaimAll(url, 100);
}

export async function runDispatch(env: BenchEnvironment): Promise<Report> {
  const report = new Report('dispatch', {
    jobs: JOBS,
    rounds: ROUNDS,
    productBatch: 'DISPATCH_BATCH_SIZE default (200)',
    baselineBatch: 100,
  });
  if (JOBS < 100_000)
    report.note(`scaled down: ${JOBS} due jobs instead of the issue's 100k (set BENCH_DISPATCH_JOBS to change)`);
  const template = 'bench_dispatch_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  // Interval 60 min, not due yet: each round makes them due the same way.
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: JOBS,
      scheduleType: 'interval',
      expression: '60',
      nextRunAt: 'NULL',
      taskKwargs: { url: 'http://127.0.0.1:9/' },
    }),
  );
  const product: number[] = [];
  const baseline: number[] = [];
  const enqueueShare: number[] = [];
  const fireTimeShare: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of ['baseline', 'product'] as const) {
      const db = `bench_dispatch_${side}_${round}`;
      const url = await env.createDatabase(db, template);
      try {
        let rows: number;
        let seconds: number;
        if (side === 'product') {
          const result = await productRound(url);
          ({ rows, seconds } = result);
          enqueueShare.push(result.enqueueSeconds / seconds);
          fireTimeShare.push(result.fireTimeSeconds / seconds);
        } else {
          ({ rows, seconds } = await baselineRound(url));
        }
        const recorded = await countRuns(url);
        if (recorded !== JOBS || rows !== JOBS)
          report.note(`round ${round} ${side}: ${rows} dispatched, ${recorded} runs recorded, ${JOBS} expected`);
        ({ product, baseline })[side].push(rows / seconds);
        log(
          `  dispatch round ${round} ${side}: ${rows} rows in ${seconds.toFixed(2)} s = ${fmt(rows / seconds)} rows/s`,
        );
      } finally {
        await env.dropDatabase(db);
      }
    }
  }
  await env.dropDatabase(template);
  const share = (xs: number[]) => `${(summarize(xs).median * 100).toFixed(0)} %`;
  report.note(
    `product profile (median of rounds): ${share(enqueueShare)} of the wall time in ExecutionsService.enqueue (BullMQ addBulk after commit), ` +
      `${share(fireTimeShare)} computing fire times (croner); the rest is the claim/record/advance transaction`,
  );
  report.add({
    name: 'rows dispatched per second',
    unit: 'rows/s',
    product: summarize(product),
    baseline: { name: 'raw claim SQL (100/tx)', summary: summarize(baseline) },
    target: { on: 'ratio', op: '>=', value: 0.55 },
  });
  return report;
}
