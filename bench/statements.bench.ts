import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchEnvironment } from './support/environment';
import { withClient } from './support/environment';
import { startNoopServer } from './support/noop-server';
import { releaseJobs, startProduct, waitForAllFinished } from './support/product-process';
import { deleteRedisKeys } from './support/redis-keys';
import { seedJobs } from './support/seed';
import { Report, fmt, log, sleep, summarize } from './support/stats';

const RUNS = Number(process.env.BENCH_STATEMENTS_RUNS ?? 4_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TIMEOUT_MS = 180_000;

interface Profile {
  seconds: number;
  total: number;
  /** BullMQ's own statements (its SQL starts with a `--` comment; PostgreSQL backend only). */
  bullmq: number;
  byText: Map<string, number>;
}

/** The statement's first meaningful line, shortened: what the profile groups by. */
function statementKey(line: string): string {
  const sql = line.replace(/^.*LOG:\s+(statement|execute [^:]*): /, '');
  return sql.replace(/\s+/g, ' ').trim().slice(0, 72);
}

/**
 * Where a run's SQL goes: RUNS jobs (http.request to a local sink) become due at once and one
 * scheduler+worker process runs them all; every statement of the measured database in that
 * window is read from the server's log (`log_statement = all` on that database only) and grouped.
 * Needs the server's log: the embedded server's, or BENCH_PG_LOG (an external server's log file,
 * with the database name in its log_line_prefix, as Debian's default `%q%u@%d` has it).
 */
async function profileRound(
  env: BenchEnvironment,
  logFile: string,
  template: string,
  backend: 'postgres' | 'redis',
  redisUrl: string | undefined,
): Promise<Profile> {
  const db = `bench_statements_${backend}`;
  const url = await env.createDatabase(db, template);
  const prefix = `benchstmt${Date.now()}`;
  await withClient(env.serverUrl, (c) => c.query(`ALTER DATABASE "${db}" SET log_statement = 'all'`));
  const service = await startProduct(`statements-${backend}`, url, {
    ROLES: 'scheduler,worker',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ...(backend === 'redis' ? { REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix } : {}),
  });
  try {
    await sleep(1500);
    const from = fs.statSync(logFile).size;
    const started = Date.now();
    await withClient(url, async (c) => {
      await releaseJobs(c);
      await waitForAllFinished(c, RUNS, TIMEOUT_MS);
    });
    const seconds = (Date.now() - started) / 1000;
    await sleep(300);
    const to = fs.statSync(logFile).size;
    const buffer = Buffer.alloc(to - from);
    const fd = fs.openSync(logFile, 'r');
    fs.readSync(fd, buffer, 0, buffer.length, from);
    fs.closeSync(fd);
    const byText = new Map<string, number>();
    let total = 0;
    let bullmq = 0;
    for (const line of buffer.toString('utf8').split('\n')) {
      if (!new RegExp(`[@=]${db} `).test(line) || !/LOG:\s+(statement|execute)/.test(line)) continue;
      const key = statementKey(line);
      // The benchmark's own polling is not the product's work.
      if (key.startsWith('SELECT count(*) AS n, count(*) FILTER')) continue;
      total++;
      if (key.startsWith('--')) bullmq++;
      byText.set(key, (byText.get(key) ?? 0) + 1);
    }
    return { seconds, total, bullmq, byText };
  } finally {
    await service.stop();
    if (backend === 'redis') await deleteRedisKeys(redisUrl!, prefix);
    await env.dropDatabase(db);
  }
}

export async function runStatements(env: BenchEnvironment): Promise<Report> {
  const report = new Report('statements', { runs: RUNS, workerConcurrency: CONCURRENCY });
  const logFile = env.embeddedDir ? path.join(env.embeddedDir, 'postgres.log') : process.env.BENCH_PG_LOG;
  if (!logFile || !fs.existsSync(logFile)) {
    report.note(
      'no server log to read: run on the embedded server (no DATABASE_URL) or set BENCH_PG_LOG to the external server log',
    );
    return report;
  }
  if (env.embeddedDir)
    await withClient(env.serverUrl, async (c) => {
      await c.query(`ALTER SYSTEM SET log_line_prefix = '%m [%p] db=%d '`);
      await c.query('SELECT pg_reload_conf()');
    });
  const redisUrl = await env.redis();
  const sink = await startNoopServer();
  const template = 'bench_statements_tpl';
  const tplUrl = await env.createSchemaDatabase(template);
  await withClient(tplUrl, (c) =>
    seedJobs(c, {
      count: RUNS,
      scheduleType: 'interval',
      expression: '3600',
      nextRunAt: 'NULL',
      isEnabled: false,
      taskName: 'http.request',
      taskKwargs: { url: sink.url },
    }),
  );
  try {
    for (const backend of redisUrl ? (['postgres', 'redis'] as const) : (['postgres'] as const)) {
      const p = await profileRound(env, logFile, template, backend, redisUrl);
      const where = backend === 'redis' ? 'queues on Redis' : 'queues on PostgreSQL';
      const ours = p.total - p.bullmq;
      log(
        `  statements, ${where}: ${RUNS} runs in ${fmt(p.seconds)} s; ${fmt(p.total / RUNS)} per run (the product's ${fmt(ours / RUNS)}, BullMQ's ${fmt(p.bullmq / RUNS)})`,
      );
      report.add({ name: `${where}: SQL statements per run, all`, unit: '/run', product: summarize([p.total / RUNS]) });
      report.add({
        name: `${where}: SQL statements per run, the product's own (claims, starts, outcomes, statistics, dispatch)`,
        unit: '/run',
        product: summarize([ours / RUNS]),
        target: { on: 'value', op: '<=', value: 1 },
      });
      const top = [...p.byText.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
      report.note(`${where}, most frequent: ${top.map(([t, n]) => `${fmt(n / RUNS)}/run "${t}"`).join('; ')}`);
    }
  } finally {
    await sink.close();
    await env.dropDatabase(template);
  }
  return report;
}
