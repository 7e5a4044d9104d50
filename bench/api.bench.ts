import autocannon from 'autocannon';
import * as path from 'node:path';
import type { BenchEnvironment } from './support/environment';
import { freePort, withClient } from './support/environment';
import { seedJobs } from './support/seed';
import { BENCH_ADMIN, ChildService, PRODUCT_MAIN, productEnv } from './support/service';
import { Report, fmt, log, summarize, type Summary } from './support/stats';

const ROUNDS = 3;
const JOBS = Number(process.env.BENCH_API_JOBS ?? 100_000);
const RUNS = Number(process.env.BENCH_API_RUNS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 3);
const CONNECTIONS = 10;
const BASELINE_MAIN = path.resolve(__dirname, 'baseline', 'keyset-app.js');

/** RUNS runs over the JOBS jobs: ten per job across 30 days, mostly succeeded, job counters to match. */
async function seedRuns(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(
      `UPDATE jobs SET is_enabled = (id % 10 <> 0), next_run_at = now() + (id % 3600) * interval '1 second'`,
    );
    await c.query(`ALTER TABLE executions DISABLE TRIGGER ALL`).catch(() => undefined);
    await c.query(
      `INSERT INTO executions (job_id, status, "trigger", scheduled_for, queued_at, started_at, finished_at, duration_seconds, kwargs, result, triggered_by, worker)
       SELECT job_id, status, 'schedule', at, at, at + interval '5 ms', at + interval '1 s', 1.0, '{}'::jsonb,
              CASE WHEN status = 'succeeded' THEN '{"status_code": 200, "body": "ok"}'::jsonb END, 'scheduler', 'bench:1'
         FROM (SELECT 1 + i % $1 AS job_id,
                      CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 97 = 0 THEN 'skipped' ELSE 'succeeded' END AS status,
                      date_trunc('hour', now()) - ((i / $1) * 72 + i % 72) * interval '1 hour' - (i % 3600) * interval '1 second' AS at
                 FROM generate_series(0, $2 - 1) AS i) s`,
      [JOBS, RUNS],
    );
    await c.query(`ALTER TABLE executions ENABLE TRIGGER ALL`).catch(() => undefined);
    // The overview's per-minute run counts, which the (disabled) triggers would have kept.
    await c.query(`SELECT run_minutes_rebuild()`);
    await c.query(
      `UPDATE jobs j SET total_runs = s.n, successful_runs = s.ok, failed_runs = s.failed, total_duration_seconds = s.n, last_run_at = s.last, last_run_status = 'succeeded'
         FROM (SELECT job_id, count(*) n, count(*) FILTER (WHERE status = 'succeeded') ok, count(*) FILTER (WHERE status = 'failed') failed, max(finished_at) last
                 FROM executions GROUP BY job_id) s WHERE s.job_id = j.id`,
    );
    await c.query('VACUUM ANALYZE');
  });
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Load {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, seconds = SECONDS): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function runApi(env: BenchEnvironment): Promise<Report> {
  const report = new Report('api', {
    jobs: JOBS,
    runs: RUNS,
    secondsPerLoad: SECONDS,
    connections: CONNECTIONS,
    rounds: ROUNDS,
  });
  if (JOBS < 100_000 || RUNS < 1_000_000) report.note(`scaled down: ${JOBS} jobs / ${RUNS} runs instead of 100k / 1M`);
  const db = 'bench_api';
  const url = await env.createSchemaDatabase(db);
  const seedStarted = Date.now();
  await withClient(url, (c) =>
    seedJobs(c, {
      count: JOBS,
      scheduleType: 'interval',
      expression: '60',
      nextRunAt: 'NULL',
      taskKwargs: { url: 'http://127.0.0.1:9/' },
    }),
  );
  await seedRuns(url);
  log(`  seeded ${JOBS} jobs and ${RUNS} runs in ${((Date.now() - seedStarted) / 1000).toFixed(0)} s`);

  const productPort = await freePort();
  const baselinePort = await freePort();
  const product = await new ChildService(
    'api-product',
    PRODUCT_MAIN,
    productEnv(url, {
      ROLES: 'api',
      PORT: String(productPort),
      ADMIN_USERNAME: BENCH_ADMIN.username,
      ADMIN_PASSWORD: BENCH_ADMIN.password,
    }),
  ).start();
  const baseline = await new ChildService('api-baseline', BASELINE_MAIN, {
    BENCH_DATABASE_URL: url,
    BENCH_PORT: String(baselinePort),
  }).start(/listening on/);
  try {
    const base = `http://127.0.0.1:${productPort}`;
    const auth = { authorization: `Bearer ${await login(base)}` };
    const perPage = Math.ceil(
      (await withClient(url, async (c) =>
        Number(
          (
            await c.query<{ n: string }>(
              `SELECT count(*) n FROM jobs WHERE is_enabled AND job_type = 'document_cleanup'`,
            )
          ).rows[0].n,
        ),
      )) / 20,
    );
    const deepPage = Math.max(1, Math.floor(perPage * 0.8));
    const [{ mid }] = await withClient(
      url,
      async (c) => (await c.query<{ mid: number }>(`SELECT (max(id) / 2)::int AS mid FROM jobs`)).rows,
    );
    const [{ top }] = await withClient(
      url,
      async (c) => (await c.query<{ top: number }>(`SELECT (max(id) + 1)::int AS top FROM executions`)).rows,
    );
    const targets = {
      'GET /jobs page 1 (filtered)': {
        url: `${base}/api/v1/jobs/?page=1&size=20&is_enabled=true&job_type=document_cleanup`,
        against: 'jobs',
      },
      [`GET /jobs page ${deepPage} (filtered)`]: {
        url: `${base}/api/v1/jobs/?page=${deepPage}&size=20&is_enabled=true&job_type=document_cleanup`,
        against: 'jobs',
      },
      'GET /executions': { url: `${base}/api/v1/executions?page=1&size=20`, against: 'executions' },
      'GET /jobs/stats/overview': { url: `${base}/api/v1/jobs/stats/overview`, against: 'jobs' },
    } as const;
    const baselines = {
      jobs: `http://127.0.0.1:${baselinePort}/jobs?after=${mid}`,
      executions: `http://127.0.0.1:${baselinePort}/executions?before=${top}`,
    };
    // Warm-up: one short load on every URL (JIT, connection pools, plan caches), not counted.
    for (const u of [...Object.values(targets).map((t) => t.url), ...Object.values(baselines)]) await load(u, auth, 1);

    const results: Record<string, Load[]> = {};
    const push = (key: string, value: Load) => (results[key] ??= []).push(value);
    for (let round = 1; round <= ROUNDS; round++) {
      const b1 = await load(baselines.jobs, {});
      push('baseline:jobs', b1);
      for (const [name, t] of Object.entries(targets)) {
        const r = await load(t.url, auth);
        push(name, r);
        log(
          `  api round ${round} ${name}: ${fmt(r.rps)} req/s, p99 ${r.p99} ms${r.errors ? `, ${r.errors} errors` : ''}`,
        );
      }
      const b2 = await load(baselines.executions, {});
      push('baseline:executions', b2);
      log(
        `  api round ${round} baseline keyset: jobs ${fmt(b1.rps)} req/s p99 ${b1.p99} ms; executions ${fmt(b2.rps)} req/s p99 ${b2.p99} ms`,
      );
    }
    for (const [name, t] of Object.entries(targets)) {
      const mine = results[name];
      const theirs = results[`baseline:${t.against}`];
      const baseName = `Nest + TypeORM keyset, 20 ${t.against} rows`;
      const errors = mine.reduce((n, r) => n + r.errors, 0);
      report.add({
        name: `${name}: throughput`,
        unit: 'req/s',
        product: summarize(mine.map((r) => r.rps)),
        baseline: { name: baseName, summary: summarize(theirs.map((r) => r.rps)) },
        target: { on: 'ratio', op: '>=', value: 0.8 },
        note: errors ? `${errors} non-2xx/errors` : undefined,
      });
      report.add({
        name: `${name}: p99 latency`,
        unit: 'ms',
        product: summarize(mine.map((r) => r.p99)),
        baseline: { name: baseName, summary: summarize(theirs.map((r) => r.p99)) },
        target: { on: 'ratio', op: '<=', value: 1.5 },
      });
    }
    await explainDeepPage(url, deepPage, report);
  } finally {
    await product.stop();
    await baseline.stop();
    await env.dropDatabase(db);
  }
  return report;
}

/** The plan behind the deep page: OFFSET walks and discards every earlier row, and the count scans them all. */
async function explainDeepPage(url: string, page: number, report: Report): Promise<void> {
  await withClient(url, async (c) => {
    const plan = async (sql: string) => {
      type Plan = { Plan: { 'Node Type': string }; 'Execution Time': number };
      const { rows } = await c.query<{ 'QUERY PLAN': Plan[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
      const top = rows[0]['QUERY PLAN'][0];
      return `${top.Plan['Node Type']}, ${top['Execution Time'].toFixed(1)} ms`;
    };
    const where = `WHERE is_enabled AND job_type = 'document_cleanup'`;
    report.note(
      `EXPLAIN ANALYZE: page ${page} = ORDER BY id OFFSET ${(page - 1) * 20} LIMIT 20: ${await plan(`SELECT * FROM jobs ${where} ORDER BY id OFFSET ${(page - 1) * 20} LIMIT 20`)}; ` +
        `its count(*): ${await plan(`SELECT count(*) FROM jobs ${where}`)}; keyset equivalent: ${await plan(`SELECT * FROM jobs ${where} AND id > 50000 ORDER BY id LIMIT 20`)}; ` +
        `executions page 1 count(*): ${await plan(`SELECT count(*) FROM executions`)}`,
    );
  });
}

export type { Summary };
