import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { bullmqNoopThroughput, type BullBackend } from './support/bullmq-baseline';
import { startNoopServer } from './support/noop-server';
import { deleteRedisKeys } from './support/redis-keys';
import { releaseJobs, startProduct } from './support/product-process';
import { rawClaimAll } from './support/raw-claim';
import { seedJobs } from './support/seed';
import { Report, fmt, log, sleep, summarize } from './support/stats';

const ROUNDS = 3;
const RUNS = Number(process.env.BENCH_PIPELINE_RUNS ?? 2_000);
/** Same for the product's WORKER_CONCURRENCY and the BullMQ baselines' worker. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TIMEOUT_MS = 150_000;
/** BENCH_PIPELINE_PROTOTYPE=1 adds the synchronous_commit=off rounds (~40 s more). */
const WITH_PROTOTYPE = process.env.BENCH_PIPELINE_PROTOTYPE === '1';

/** Committed + rolled-back transactions of one database so far (each autocommit statement is one). */
async function transactions(env: BenchEnvironment, db: string): Promise<number> {
  return withClient(env.serverUrl, async (c) =>
    Number(
      (
        await c.query<{ n: string }>(
          `SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`,
          [db],
        )
      ).rows[0].n,
    ),
  );
}

/**
 * Product: one scheduler+worker process; RUNS jobs (http.request to a local no-op server)
 * become due at once. Runs per second from the release (database clock) to the last
 * finished_at, once every run is finished: recorded, queued, claimed, run, outcome and job
 * statistics written.
 */
async function productRound(
  url: string,
  label: string,
  extraEnv: Record<string, string> = {},
): Promise<{ perSecond: number; statuses: Record<string, number> }> {
  const process = await startProduct(label, url, {
    ROLES: 'scheduler,worker',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ...extraEnv,
  });
  try {
    return await withClient(url, async (c) => {
      await sleep(1000);
      const released = await releaseJobs(c);
      const deadline = Date.now() + TIMEOUT_MS;
      for (;;) {
        const { rows } = await c.query<{ pending: string; last: Date | null }>(
          `SELECT count(*) FILTER (WHERE finished_at IS NULL) AS pending, max(finished_at) AS last FROM executions`,
        );
        const { rows: total } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM executions`);
        if (Number(total[0].n) >= RUNS && Number(rows[0].pending) === 0) {
          const { rows: byStatus } = await c.query<{ status: string; n: string }>(
            `SELECT status, count(*) AS n FROM executions GROUP BY status`,
          );
          const statuses = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
          return { perSecond: RUNS / ((rows[0].last!.getTime() - released.getTime()) / 1000), statuses };
        }
        if (Date.now() > deadline)
          throw new Error(
            `product: ${total[0].n} runs recorded, ${rows[0].pending} unfinished after ${TIMEOUT_MS / 1000} s`,
          );
        await sleep(250);
      }
    });
  } finally {
    await process.stop();
  }
}

export async function runPipeline(env: BenchEnvironment): Promise<Report> {
  const redisUrl = await env.redis();
  const report = new Report('pipeline', {
    runs: RUNS,
    rounds: ROUNDS,
    workerConcurrency: CONCURRENCY,
    redis: env.redisSource,
  });
  report.note(
    `${RUNS} runs per round (no-op-ish task: http.request POST to a local no-op server); WORKER_CONCURRENCY=${CONCURRENCY} for the product and the BullMQ workers`,
  );
  const noop = await startNoopServer();
  const template = 'bench_pipeline_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: RUNS,
      scheduleType: 'interval',
      expression: '60',
      nextRunAt: 'NULL',
      taskName: 'http.request',
      taskKwargs: { url: noop.url },
    }),
  );
  const results: Record<string, number[]> = {
    product: [],
    'product-redis': [],
    'bullmq-postgres': [],
    'bullmq-redis': [],
    'raw-sql': [],
    prototype: [],
  };
  const xactsPerRun: Record<string, number[]> = { product: [], 'bullmq-postgres': [] };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const side of [
        'bullmq-postgres',
        'bullmq-redis',
        'raw-sql',
        'product',
        'product-redis',
        'prototype',
      ] as const) {
        if ((side === 'bullmq-redis' || side === 'product-redis') && !redisUrl) continue;
        if (side === 'prototype' && !WITH_PROTOTYPE) continue;
        const db = `bench_pipeline_${side.replace(/-/g, '_')}_${round}`;
        const url = await env.createDatabase(db, template);
        try {
          const x0 = await transactions(env, db);
          let perSecond: number;
          if (side === 'prototype') {
            // Not the product: the same process with commits that do not wait for the WAL flush.
            await withClient(env.serverUrl, (c) => c.query(`ALTER DATABASE "${db}" SET synchronous_commit = off`));
            perSecond = (await productRound(url, `pipeline-prototype-${round}`)).perSecond;
          } else if (side === 'product') {
            const result = await productRound(url, `pipeline-product-${round}`);
            perSecond = result.perSecond;
            if ((result.statuses.succeeded ?? 0) !== RUNS)
              report.note(`round ${round} product: run outcomes ${JSON.stringify(result.statuses)}`);
          } else if (side === 'product-redis') {
            // The same product with its queues on Redis (REDIS_URL), as deployments that scale out run it.
            const prefix = `benchprod${Date.now()}`;
            try {
              const result = await productRound(url, `pipeline-product-redis-${round}`, {
                REDIS_URL: redisUrl!,
                QUEUE_PREFIX: prefix,
              });
              perSecond = result.perSecond;
              if ((result.statuses.succeeded ?? 0) !== RUNS)
                report.note(`round ${round} product on Redis: run outcomes ${JSON.stringify(result.statuses)}`);
            } finally {
              await deleteRedisKeys(redisUrl!, prefix);
            }
          } else if (side === 'raw-sql') {
            await withClient(url, (c) => releaseJobs(c));
            const { rows, seconds } = await rawClaimAll(url, 100);
            perSecond = rows / seconds;
          } else {
            const backend: BullBackend = side === 'bullmq-redis' ? 'redis' : 'postgres';
            perSecond = await bullmqNoopThroughput(backend, backend === 'redis' ? redisUrl! : url, RUNS, CONCURRENCY);
          }
          results[side].push(perSecond);
          if (side in xactsPerRun) {
            await sleep(1100); // backends report their statistics at most once a second
            xactsPerRun[side].push((await transactions(env, db)) - x0);
          }
          log(`  pipeline round ${round} ${side}: ${fmt(perSecond)} /s`);
        } finally {
          await env.dropDatabase(db);
        }
      }
    }
  } finally {
    await noop.close();
    await env.dropDatabase(template);
  }
  const perRun = (side: string) => (summarize(xactsPerRun[side]).median / RUNS).toFixed(1);
  report.note(
    `database transactions (≈ autocommit statements, pg_stat_database) per run: product ${perRun('product')}, BullMQ alone on PostgreSQL ${perRun('bullmq-postgres')}`,
  );
  const product = summarize(results.product);
  report.add({
    name: 'runs completed per second vs BullMQ alone (PostgreSQL backend)',
    unit: 'runs/s',
    product,
    baseline: { name: 'BullMQ on PostgreSQL, no-op worker', summary: summarize(results['bullmq-postgres']) },
    note: 'the product runs on this backend; informative (the issue sets its target against Redis)',
  });
  if (results['bullmq-redis'].length > 0) {
    report.add({
      name: 'runs completed per second, product on Redis (REDIS_URL) vs BullMQ-on-Redis',
      unit: 'runs/s',
      product: summarize(results['product-redis']),
      baseline: {
        name: `BullMQ on Redis (${env.redisSource}), no-op worker`,
        summary: summarize(results['bullmq-redis']),
      },
      target: { on: 'ratio', op: '>=', value: 0.35 },
    });
    report.add({
      name: 'runs completed per second, product on PostgreSQL (the default) vs BullMQ-on-Redis',
      unit: 'runs/s',
      product,
      baseline: {
        name: `BullMQ on Redis (${env.redisSource}), no-op worker`,
        summary: summarize(results['bullmq-redis']),
      },
      note: 'informative: the queue backends differ',
    });
  } else {
    report.note('no Redis (REDIS_URL unset and no redis-server on PATH): the BullMQ-on-Redis ratio is not measured');
  }
  const onRedis = results['product-redis'].length > 0;
  report.add({
    name: `runs completed per second${onRedis ? ', product on Redis,' : ''} vs raw claim SQL`,
    unit: 'runs/s',
    product: onRedis ? summarize(results['product-redis']) : product,
    baseline: { name: 'raw claim SQL (100/tx)', summary: summarize(results['raw-sql']) },
    target: { on: 'ratio', op: '>=', value: 0.15 },
  });
  if (WITH_PROTOTYPE) {
    report.add({
      name: 'prototype: the product with synchronous_commit = off on its database (bench-only setting)',
      unit: 'runs/s',
      product: summarize(results.prototype),
      baseline: { name: 'the product as is', summary: product },
      note: 'not the product: shows how much of a run is waiting for WAL flushes (about 5 commits per run)',
    });
  }
  return report;
}
