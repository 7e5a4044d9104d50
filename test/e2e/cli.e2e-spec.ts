import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { jobBody } from '../factories/job.factory';
import { buildOnce, manageEnv, ROOT, runManage as run } from '../support/manage';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

const CLI_ACTOR = `cli:${os.userInfo().username}`;
/** Starts the embedded PostgreSQL of DATA_DIR argv[1] (dist build), deletes one migration's record, stops it. */
const FORGET_MIGRATION = `
const { EmbeddedPostgres } = require('./dist/src/database/embedded-postgres.js');
const { Client } = require('pg');
(async () => {
  const pg = new EmbeddedPostgres(process.argv[1]);
  const handle = await pg.acquire();
  const client = new Client({ connectionString: handle.url });
  await client.connect();
  await client.query("DELETE FROM migrations WHERE name LIKE 'JobCounts%'");
  await client.end();
  await pg.stop();
})().catch((error) => { console.error(error); process.exit(1); });`;

/**
 * `work` over `items`, at most `limit` at once, answers in order: each CLI process is about a
 * second of CPU, and a dozen at once on a two-core machine under load can take a minute.
 */
async function inBatches<T, R>(items: T[], work: (item: T) => Promise<R>, limit = 3): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit)
    results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}

/** The API and the CLI on one test database: API (and a worker) in-process, the CLI as child processes. */
describe('./manage (CLI)', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  let webhook: WebhookServer;
  const manage = (args: string[], input?: string) => run(args, env, input);
  const json = async (args: string[]) => {
    const result = await manage([...args, '--json']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    buildOnce();
    // No scheduler: jobs made overdue here stay overdue; the worker executes queued runs.
    t = await createTestApp('cli', { ROLES: 'api,worker' });
    webhook = await new WebhookServer().start();
    env = manageEnv(t);
    const defaults = await t.http.get('/api/v1/jobs/?job_type=system_health_check').expect(200);
    expect(defaults.body.items[0]).toMatchObject({ id: 1, schedule_type: 'interval' });
  });
  afterAll(async () => {
    await webhook?.stop();
    await t?.close();
  });

  it("lists jobs and overdue jobs exactly as the seed writes it; --json is the API's answer", async () => {
    const overdue = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'late_job' }))
        .expect(201)
    ).body;
    await withClient(t.db.url, (c) =>
      c.query(`UPDATE jobs SET next_run_at = now() - interval '2 hours' WHERE id = $1`, [overdue.id]),
    );
    try {
      const seed = [
        [],
        ['--status', 'active'],
        ['--type', 'system_health_check'],
        ['--enabled-only'],
        ['--overdue-only'],
        ['--page', '2', '--size', '10'],
      ];
      const results = await Promise.all([
        ...seed.map((args) => manage(['jobs', 'list', ...args])),
        manage(['jobs', 'overdue']),
      ]);
      results.forEach((r) => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' }));
      expect(results[0].stdout).toMatch(/ID\s+NAME\s+TYPE\s+SCHEDULE/);
      expect(results[2].stdout).toContain('system_health_check');
      expect(results[2].stdout).not.toContain('document_cleanup');
      expect(results[4].stdout).toContain('late_job');
      expect(results[4].stdout).toMatch(/2 h/);
      expect(results[6].stdout).toContain('late_job');

      const [all, byType, page2, overdueOnly, overdueList] = await Promise.all([
        json(['jobs', 'list']),
        json(['jobs', 'list', '--type', 'system_health_check', '--status', 'active', '--enabled-only']),
        json(['jobs', 'list', '--page', '2', '--size', '2']),
        json(['jobs', 'list', '--overdue-only']),
        json(['jobs', 'overdue']),
      ]);
      expect(all).toEqual((await t.http.get('/api/v1/jobs/').expect(200)).body);
      expect(byType).toEqual(
        (await t.http.get('/api/v1/jobs/?job_type=system_health_check&status=active&is_enabled=true').expect(200)).body,
      );
      expect(page2).toEqual((await t.http.get('/api/v1/jobs/?page=2&size=2').expect(200)).body);
      // --overdue-only asks the service (GET /api/v1/jobs/?overdue=true), not a filter over one page.
      expect(overdueOnly).toMatchObject({ total: 1, items: [{ id: overdue.id, name: 'late_job' }] });
      expect(overdueOnly).toEqual((await t.http.get('/api/v1/jobs/?overdue=true').expect(200)).body);
      const apiOverdue = (await t.http.get('/api/v1/jobs/overdue/list').expect(200)).body;
      const withoutLateness = (jobs: { overdue_seconds: number }[]) =>
        jobs.map(({ overdue_seconds: _late, ...job }) => job);
      expect(withoutLateness(overdueList)).toEqual(withoutLateness(apiOverdue));
    } finally {
      await t.http.delete(`/api/v1/jobs/${overdue.id}`).expect(204);
    }
  });

  it('shows job 1 with its last runs; --json equals GET /api/v1/jobs/1', async () => {
    const [human, asJson] = await Promise.all([manage(['jobs', 'show', '1']), json(['jobs', 'show', '1'])]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Job 1: system_health_check');
    expect(human.stdout).toContain('Last runs');
    expect(asJson).toEqual((await t.http.get('/api/v1/jobs/1').expect(200)).body);
  });

  it('creates the seed job; the API serves it, audited as cli:<user>; a duplicate is exit 1', async () => {
    const create = [
      'jobs',
      'create',
      'system_backup',
      'System Backup Job',
      'database_maintenance',
      'daily',
      '03:00',
      'app.tasks.backup.create_backup',
    ];
    const options = [
      '--description',
      'Daily system backup',
      '--queue',
      'backup',
      '--priority',
      '8',
      '--timeout',
      '7200',
      '--enabled',
    ];
    const created = await manage([...create, ...options]);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/Created job \d+ system_backup/);
    const [job] = (await t.http.get('/api/v1/jobs/?search=system_backup').expect(200)).body.items;
    expect(job).toMatchObject({
      name: 'system_backup',
      title: 'System Backup Job',
      description: 'Daily system backup',
      job_type: 'database_maintenance',
      schedule_type: 'daily',
      schedule_expression: '03:00',
      task_name: 'app.tasks.backup.create_backup',
      task_queue: 'backup',
      task_priority: 8,
      timeout_seconds: 7200,
      is_enabled: true,
      created_by: CLI_ACTOR,
    });
    const audit = await t.http.get(`/api/v1/audit-logs?action=job.create&entity_id=${job.id}`).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: CLI_ACTOR, entity_type: 'job' })]);

    const duplicate = await manage(create);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('A job named "system_backup" already exists');
  });

  it('validates input with the API DTOs: exit 1 naming the field, nothing created', async () => {
    const before = (await t.http.get('/api/v1/jobs/').expect(200)).body.total;
    const base = ['jobs', 'create', 'bad_job', 'Bad', 'custom', 'daily', '03:00', 'app.tasks.backup.create_backup'];
    const [abc, eleven, schedule, kwargs] = await Promise.all([
      manage([...base, '--priority', 'abc']),
      manage([...base, '--priority', '11']),
      manage(['jobs', 'create', 'bad_job', 'Bad', 'custom', 'daily', '25:00', 'app.tasks.backup.create_backup']),
      manage([...base, '--kwargs', '{not json']),
    ]);
    expect([abc.code, eleven.code, schedule.code, kwargs.code]).toEqual([1, 1, 1, 1]);
    expect(abc.stderr).toContain('--priority must be an integer number');
    expect(eleven.stderr).toContain('--priority must not be greater than 10');
    expect(schedule.stderr).toContain('schedule_expression: the hour 25 is out of range');
    expect(kwargs.stderr).toContain('--kwargs must be a JSON object');
    expect((await t.http.get('/api/v1/jobs/').expect(200)).body.total).toBe(before);
  });

  it('says one thing per invalid field, in the words of the command line', async () => {
    const base = ['jobs', 'create', 'bad_job', 'Bad', 'custom', 'daily', '03:00', 'app.tasks.backup.create_backup'];
    const [emptyTitle, many, zone, emptyUpdate, badSchedule] = await Promise.all([
      manage(['jobs', 'create', 'bad_job', '', 'custom', 'daily', '03:00', 'app.tasks.backup.create_backup']),
      manage([
        ...base,
        ...['--priority', 'abc', '--timeout', '0', '--max-retries', '101', '--retry-backoff-seconds', '-1'],
        ...['--misfire-policy', 'often', '--overlap-policy', 'never', '--status', 'sleeping'],
      ]),
      manage([...base, '--timezone', 'Mars/Base']),
      manage(['jobs', 'update', '1', '--title', '']),
      manage(['jobs', 'update', '1', '--schedule', '25:00', '--schedule-type', 'daily']),
    ]);
    expect(emptyTitle).toMatchObject({ code: 1, stderr: 'error: title must not be empty\n' });
    expect(many.code).toBe(1);
    expect(many.stderr).toBe(
      [
        'error: invalid input',
        '  --priority must be an integer number',
        '  --timeout must not be less than 1',
        '  --max-retries must not be greater than 100',
        '  --retry-backoff-seconds must not be less than 0',
        '  --misfire-policy must be one of: run_once, skip, run_all',
        '  --overlap-policy must be one of: skip, allow, queue, replace',
        '  --status must be one of: active, paused',
        '',
      ].join('\n'),
    );
    expect(zone.code).toBe(1);
    expect(zone.stderr).toMatch(/^error: --timezone: "Mars\/Base" is not a known IANA time zone/);
    expect(emptyUpdate).toMatchObject({ code: 1, stderr: 'error: --title must not be empty\n' });
    expect(badSchedule.code).toBe(1);
    expect(badSchedule.stderr).toMatch(/^error: --schedule: the hour 25 is out of range/);
  });

  it('create sets every job field by its flag and update changes every one; show reads them back', async () => {
    const created = await manage([
      ...['jobs', 'create', 'every_flag', 'Every Flag', 'database_maintenance', 'daily', '03:00'],
      'app.tasks.backup.create_backup',
      ...['--description', 'All the fields', '--timezone', 'America/New_York'],
      ...['--args', '["first", 2]', '--kwargs', '{"keep": 3}', '--queue', 'backup', '--priority', '8'],
      ...['--timeout', '7200', '--max-retries', '3', '--retry-backoff-seconds', '120'],
      ...['--misfire-policy', 'run_all', '--overlap-policy', 'queue', '--status', 'active', '--disabled'],
      ...['--config', '{"notify": true}', '--metadata', '{"team": "ops"}'],
      ...['--start-at', '2027-01-01T00:00:00Z', '--end-at', '2027-06-01T00:00:00Z', '--max-runs', '10'],
      ...['--jitter-seconds', '30'],
    ]);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const id = /Created job (\d+)/.exec(created.stdout)![1];
    expect(await json(['jobs', 'show', id])).toMatchObject({
      name: 'every_flag',
      title: 'Every Flag',
      description: 'All the fields',
      job_type: 'database_maintenance',
      schedule_type: 'daily',
      schedule_expression: '03:00',
      timezone: 'America/New_York',
      task_name: 'app.tasks.backup.create_backup',
      task_args: ['first', 2],
      task_kwargs: { keep: 3 },
      task_queue: 'backup',
      task_priority: 8,
      timeout_seconds: 7200,
      max_retries: 3,
      retry_backoff_seconds: 120,
      misfire_policy: 'run_all',
      overlap_policy: 'queue',
      status: 'active',
      is_enabled: false,
      config: { notify: true },
      metadata: { team: 'ops' },
      start_at: '2027-01-01T00:00:00.000Z',
      end_at: '2027-06-01T00:00:00.000Z',
      max_runs: 10,
      remaining_runs: 10,
      jitter_seconds: 30,
      created_by: CLI_ACTOR,
    });

    const updated = await manage([
      ...['jobs', 'update', id, '--name', 'every_flag_2', '--title', 'Every Flag 2'],
      ...['--description', 'Changed', '--job-type', 'custom', '--schedule', '0 6 * * 1', '--schedule-type', 'cron'],
      ...['--timezone', 'Europe/Paris', '--task-name', 'http.request', '--args', '[]'],
      ...['--kwargs', '{"url": "http://127.0.0.1:9/unused"}', '--queue', 'default', '--priority', '2'],
      ...['--timeout', '60', '--max-retries', '5', '--retry-backoff-seconds', '30'],
      ...['--misfire-policy', 'skip', '--overlap-policy', 'allow', '--status', 'paused', '--enabled'],
      ...['--config', '{}', '--metadata', '{"team": "infra"}'],
      ...['--start-at', 'none', '--end-at', '2028-01-01T00:00:00+01:00', '--max-runs', 'none', '--jitter-seconds', '0'],
    ]);
    expect({ code: updated.code, stderr: updated.stderr }).toEqual({ code: 0, stderr: '' });
    expect(updated.stdout).toContain('name: "every_flag" → "every_flag_2"');
    const after = await json(['jobs', 'show', id]);
    expect(after).toMatchObject({
      name: 'every_flag_2',
      title: 'Every Flag 2',
      description: 'Changed',
      job_type: 'custom',
      schedule_type: 'cron',
      schedule_expression: '0 6 * * 1',
      timezone: 'Europe/Paris',
      task_name: 'http.request',
      task_args: [],
      task_kwargs: { url: 'http://127.0.0.1:9/unused' },
      task_queue: 'default',
      task_priority: 2,
      timeout_seconds: 60,
      max_retries: 5,
      retry_backoff_seconds: 30,
      misfire_policy: 'skip',
      overlap_policy: 'allow',
      status: 'paused',
      is_enabled: true,
      config: {},
      metadata: { team: 'infra' },
      start_at: null,
      end_at: '2027-12-31T23:00:00.000Z',
      max_runs: null,
      remaining_runs: null,
      jitter_seconds: 0,
    });
    expect(after).toEqual((await t.http.get(`/api/v1/jobs/${id}`).expect(200)).body);

    // Active again, the job has a next run: shown in UTC and in its own zone.
    expect((await manage(['jobs', 'update', id, '--status', 'active'])).code).toBe(0);
    const shown = await manage(['jobs', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /Next run\s+\d{4}-\d\d-\d\d \d\d:00:00 UTC \(in [^;]+; 06:00 GMT\+[12], Europe\/Paris\)/,
    );
    expect(shown.stdout).toContain('Arguments     args [], kwargs {"url":"http://127.0.0.1:9/unused"}');
    expect(shown.stdout).toContain('Metadata      {"team":"infra"}');
    await t.http.delete(`/api/v1/jobs/${id}`).expect(204);
  });

  it('updates job 1 exactly as the seed writes it', async () => {
    const steps: [string[], Record<string, unknown>][] = [
      [['--schedule', '04:00'], { schedule_type: 'daily', schedule_expression: '04:00' }],
      [['--priority', '9'], { task_priority: 9 }],
      [['--enabled'], { is_enabled: true }],
      [['--disabled'], { is_enabled: false, next_run_at: null }],
    ];
    for (const [args, expected] of steps) {
      const result = await manage(['jobs', 'update', '1', ...args]);
      expect({ args, code: result.code }).toEqual({ args, code: 0 });
      expect((await t.http.get('/api/v1/jobs/1').expect(200)).body).toMatchObject(expected);
    }
    const audit = await t.http.get('/api/v1/audit-logs?action=job.update&entity_id=1').expect(200);
    expect(audit.body.items.filter((e: { actor: string }) => e.actor === CLI_ACTOR)).toHaveLength(4);
  });

  it('executes: a disabled job needs --force; the run is queued for the server, triggered by cli:<user>', async () => {
    const refused = await manage(['jobs', 'execute', '1']);
    expect(refused).toMatchObject({ code: 1, stderr: 'error: Job 1 is disabled; use --force to run it anyway\n' });
    const forced = await manage(['jobs', 'execute', '1', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Queued run \d+ of job 1/);
    await t.http.put('/api/v1/jobs/1').send({ is_enabled: true }).expect(200);
    expect((await manage(['jobs', 'execute', '1'])).code).toBe(0);
    const runs = (await t.http.get('/api/v1/jobs/1/executions').expect(200)).body.items;
    expect(runs).toHaveLength(2);
    runs.forEach((r: { trigger: string; triggered_by: string }) =>
      expect(r).toMatchObject({ trigger: 'manual', triggered_by: CLI_ACTOR }),
    );
    expect(await json(['jobs', 'runs', '1'])).toEqual((await t.http.get('/api/v1/jobs/1/executions').expect(200)).body);
  });

  it('execute --wait follows the run to its end: exit 0 when it succeeds, 1 when it fails', async () => {
    const ok = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ task_kwargs: { url: `${webhook.url}/ok` } }))
        .expect(201)
    ).body;
    const failing = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ task_kwargs: { url: `${webhook.url}/fail` } }))
        .expect(201)
    ).body;
    const [succeeded, failed] = await Promise.all([
      manage([
        'jobs',
        'execute',
        String(ok.id),
        '--wait',
        '--json',
        '--kwargs',
        JSON.stringify({ body: { from: 'cli' } }),
      ]),
      manage(['jobs', 'execute', String(failing.id), '--wait']),
    ]);
    expect(succeeded.code).toBe(0);
    expect(JSON.parse(succeeded.stdout)).toMatchObject({
      job_id: ok.id,
      status: 'succeeded',
      kwargs: { body: { from: 'cli' } },
    });
    expect(webhook.hits('/ok')[0].body).toEqual({ from: 'cli' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/run \d+ ended failed/);
  });

  it('backfills a past range: runs by cli:<user>, again records none; --json is the API answer; bad input exit 1', async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(
          jobBody({
            schedule_type: 'daily',
            schedule_expression: '09:00',
            timezone: 'Europe/Paris',
            task_kwargs: { url: `${webhook.url}/ok/backfill` },
          }),
        )
        .expect(201)
    ).body;
    const id = String(job.id);
    const range = ['--from', '2026-03-27T00:00:00Z', '--to', '2026-03-31T00:00:00Z'];
    const first = await manage(['jobs', 'backfill', id, ...range]);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toContain('4 runs recorded (trigger backfill) and queued; 0 fire times already had one');
    // Spring forward on 2026-03-29: 09:00 in Paris is 08:00 UTC before, 07:00 UTC after.
    expect(first.stdout).toContain('2026-03-28 08:00:00 UTC (09:00 GMT+1, Europe/Paris)');
    expect(first.stdout).toContain('2026-03-29 07:00:00 UTC (09:00 GMT+2, Europe/Paris)');
    expect(await json(['jobs', 'backfill', id, ...range, '--max', '4'])).toEqual({
      recorded: 0,
      already_present: 4,
      fire_times: [
        '2026-03-27T08:00:00.000Z',
        '2026-03-28T08:00:00.000Z',
        '2026-03-29T07:00:00.000Z',
        '2026-03-30T07:00:00.000Z',
      ],
    });
    const runs = await eventually('the backfill runs to succeed', async () => {
      const items = (await t.http.get(`/api/v1/jobs/${id}/executions`).expect(200)).body.items;
      return items.length === 4 && items.every((r: { status: string }) => r.status === 'succeeded') ? items : null;
    });
    runs.forEach((r: { trigger: string; triggered_by: string }) =>
      expect(r).toMatchObject({ trigger: 'backfill', triggered_by: CLI_ACTOR }),
    );
    const audit = await t.http.get(`/api/v1/audit-logs?action=job.backfill&entity_id=${id}`).expect(200);
    expect(audit.body.items.map((e: { actor: string }) => e.actor)).toEqual([CLI_ACTOR, CLI_ACTOR]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const cases: [string[], number, RegExp][] = [
      [[...range, '--max', '3'], 1, /^error: --max: the range holds more than 3 fire times/],
      [['--from', '2026-03-27T00:00:00Z', '--to', future], 1, /^error: --to: must not be in the future/],
      [
        ['--from', 'yesterday', '--to', '2026-03-31T00:00:00Z', '--max', '0'],
        1,
        /--from must be an ISO 8601[^]*--max must not be less than 1/,
      ],
      [['--to', '2026-03-31T00:00:00Z'], 2, /required option '--from <iso>' not specified/],
    ];
    const results = await inBatches(cases, ([args]) => manage(['jobs', 'backfill', id, ...args]));
    results.forEach((r, i) =>
      expect({ args: cases[i][0], code: r.code, matches: cases[i][2].test(r.stderr) }).toEqual({
        args: cases[i][0],
        code: cases[i][1],
        matches: true,
      }),
    );
    const unknown = await manage(['jobs', 'backfill', '999999', ...range]);
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: Job 999999 was not found\n' });
    expect((await t.http.get(`/api/v1/jobs/${id}/executions`).expect(200)).body.total).toBe(4);
  });

  it("runs show prints a run and the start of its log; runs logs prints every line (--json: the API's lines), --follow until the end", async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ task_kwargs: { url: `${webhook.url}/slow/1500` } }))
        .expect(201)
    ).body;
    const runId = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({}).expect(202)).body.id as number;
    // --follow started while the run goes: it prints both lines and returns when the run ends.
    const followed = await manage(['runs', 'logs', String(runId), '--follow']);
    expect({ code: followed.code, stderr: followed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(followed.stdout).toMatch(/DEBUG +POST http:\/\/127\.0\.0\.1:\d+\/slow\/1500: sending/);
    expect(followed.stdout).toMatch(/INFO +POST .*\/slow\/1500 answered HTTP 200 in \d+ ms {.*"status":200/);
    const run = (await t.http.get(`/api/v1/executions/${runId}`).expect(200)).body;
    expect(run.status).toBe('succeeded');

    const shown = await manage(['runs', 'show', String(runId)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Run ${runId} of job ${job.id} (${job.name})`);
    expect(shown.stdout).toMatch(/Status +succeeded/);
    expect(shown.stdout).toMatch(/Log\n.*: sending .*\n.*answered HTTP 200/);
    expect(await json(['runs', 'show', String(runId)])).toEqual(run);

    const lines = await manage(['runs', 'logs', String(runId), '--json', '--after', '1']);
    expect(lines.code).toBe(0);
    const api = (await t.http.get(`/api/v1/executions/${runId}/logs?after=1`).expect(200)).body.items;
    expect(
      lines.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(api);

    const missing = await manage(['runs', 'logs', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Execution 999999 was not found/);
    const bad = await manage(['runs', 'logs', String(runId), '--after', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--after');
  });

  it('channels create|list|test|delete, and jobs name them with --notify-channels / --notify-on', async () => {
    const made = await manage(
      ['channels', 'create', 'cli-hook', '--type', 'webhook', '--url', `${webhook.url}/ok`, '--secret-stdin', '--json'],
      'cli-signing-secret\n',
    );
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
    const channel = JSON.parse(made.stdout);
    expect(channel).toMatchObject({ name: 'cli-hook', type: 'webhook', has_secret: true, is_default: false });
    const listed = await manage(['channels', 'list']);
    expect(listed.stdout).toMatch(
      new RegExp(`${channel.id}\\s+cli-hook\\s+webhook\\s+http://127\\.0\\.0\\.1:\\d+/ok\\s+set`),
    );
    const tested = await manage(['channels', 'test', String(channel.id)]);
    expect({ code: tested.code, stdout: tested.stdout.trim() }).toEqual({
      code: 0,
      stdout: 'Delivered the test message (HTTP 200)',
    });
    const bad = await manage(['channels', 'create', 'no-url', '--type', 'webhook']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--url');

    const job = await json([
      'jobs',
      'create',
      'alerting_job',
      'Alerting job',
      'custom',
      'interval',
      '30',
      'http.request',
      '--kwargs',
      JSON.stringify({ url: `${webhook.url}/ok` }),
      '--notify-channels',
      String(channel.id),
      '--notify-on',
      'run.failed,job.recovered',
    ]);
    expect(job).toMatchObject({ notify_channel_ids: [channel.id], notify_on: ['run.failed', 'job.recovered'] });
    const unknown = await manage(['jobs', 'update', String(job.id), '--notify-channels', '999999']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--notify-channels');
    const wrongEvent = await manage(['jobs', 'update', String(job.id), '--notify-on', 'run.exploded']);
    expect(wrongEvent.code).toBe(1);
    expect(wrongEvent.stderr).toContain('--notify-on');

    const refused = await manage(['channels', 'delete', String(channel.id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect((await manage(['channels', 'delete', String(channel.id), '--force'])).code).toBe(0);
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body.notify_channel_ids).toEqual([]);
    await t.http.delete(`/api/v1/jobs/${job.id}`).expect(204);
  });

  it('tags jobs with --tag (repeatable) on create and update, lists by --tag, and pauses with --reason', async () => {
    const create = (name: string, ...tags: string[]) =>
      json([
        'jobs',
        'create',
        name,
        name,
        'custom',
        'interval',
        '60',
        'http.request',
        '--kwargs',
        JSON.stringify({ url: `${webhook.url}/ok` }),
        ...tags.flatMap((tag) => ['--tag', tag]),
      ]);
    const one = await create('cli_tagged_one', 'team:cli', 'env/test');
    const two = await create('cli_tagged_two', 'team:cli');
    expect(one.tags).toEqual(['team:cli', 'env/test']);
    const both = await json(['jobs', 'list', '--tag', 'team:cli', '--tag', 'env/test']);
    expect(both).toMatchObject({ total: 1, items: [{ id: one.id }] });
    expect(await json(['jobs', 'list', '--tag', 'team:cli'])).toMatchObject({ total: 2 });
    expect(await json(['jobs', 'update', String(two.id), '--tag', ''])).toMatchObject({ tags: [] });
    const bad = await manage(['jobs', 'update', String(two.id), '--tag', 'Not A Tag']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--tag');

    const paused = await json(['jobs', 'pause', String(one.id), '--reason', 'waiting for the new API key']);
    expect(paused).toMatchObject({ status: 'paused', paused_reason: 'waiting for the new API key' });
    const shown = await manage(['jobs', 'show', String(one.id)]);
    expect(shown.stdout).toMatch(/Paused +.* by cli:\S+: waiting for the new API key/);
    expect(shown.stdout).toMatch(/Tags +team:cli, env\/test/);
    for (const job of [one, two]) await t.http.delete(`/api/v1/jobs/${job.id}`).expect(204);
  });

  it('jobs export (yaml, json, --tag) and jobs apply -f: --dry-run, --json, --prune; exit 1 on an invalid file, 2 on usage', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-apply-'));
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const job = (name: string, extra = '') =>
      `  - name: ${name}\n    title: ${name}\n    job_type: custom\n    schedule_type: daily\n` +
      `    schedule_expression: 02:00\n    task_name: http.request\n    task_kwargs: {url: "${webhook.url}/ok"}\n` +
      `    tags: [cli:apply]\n${extra}`;
    try {
      const created = await manage([
        'jobs',
        'apply',
        '-f',
        file('new.yaml', `jobs:\n${job('cli_apply_a')}${job('cli_apply_b')}`),
      ]);
      expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
      expect(created.stdout).toMatch(
        /^created +cli_apply_a\ncreated +cli_apply_b\n2 created, 0 updated, 0 unchanged, 0 deleted\n$/,
      );

      const [asYaml, asJson, all] = await inBatches(
        [
          ['--tag', 'cli:apply'],
          ['--tag', 'cli:apply', '--format', 'json'],
          ['--format', 'json'],
        ],
        (args) => manage(['jobs', 'export', ...args]),
      );
      [asYaml, asJson, all].forEach((r) => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' }));
      const exported = JSON.parse(asJson.stdout);
      expect(parseYaml(asYaml.stdout)).toEqual(exported);
      expect(exported.jobs.map((d: { name: string }) => d.name)).toEqual(['cli_apply_a', 'cli_apply_b']);
      expect(exported.jobs[0]).toMatchObject({ schedule_expression: '02:00', task_priority: 5, tags: ['cli:apply'] });
      expect(exported.jobs[0]).not.toHaveProperty('id');
      expect(asYaml.stdout).toContain('schedule_expression: "02:00"');

      // One field edited: a dry run says so and changes nothing; the apply does it.
      exported.jobs[0].title = 'Edited';
      const edited = file('edited.json', JSON.stringify(exported));
      const dry = await manage(['jobs', 'apply', '-f', edited, '--dry-run']);
      expect({ code: dry.code, stderr: dry.stderr }).toEqual({ code: 0, stderr: '' });
      expect(dry.stdout).toContain('(dry run) updated    cli_apply_a\n(dry run) unchanged  cli_apply_b\n');
      expect(dry.stdout).toContain('(dry run) 0 created, 1 updated, 1 unchanged, 0 deleted: nothing was changed');
      const a = (await t.http.get('/api/v1/jobs/?tag=cli:apply').expect(200)).body.items[0];
      expect(a.title).toBe('cli_apply_a');
      expect(await json(['jobs', 'apply', '-f', edited])).toEqual({
        created: [],
        updated: ['cli_apply_a'],
        unchanged: ['cli_apply_b'],
        deleted: [],
      });
      expect((await t.http.get(`/api/v1/jobs/${a.id}`).expect(200)).body.title).toBe('Edited');

      // --prune with every job but cli_apply_b: only that one goes.
      const everything = JSON.parse(all.stdout);
      everything.jobs = everything.jobs.filter((d: { name: string }) => d.name !== 'cli_apply_b');
      everything.jobs.find((d: { name: string }) => d.name === 'cli_apply_a').title = 'Edited';
      const pruning = file('prune.json', JSON.stringify(everything));
      const dryPrune = await manage(['jobs', 'apply', '-f', pruning, '--prune', '--dry-run']);
      expect(dryPrune.stdout).toContain('(dry run) deleted    cli_apply_b\n');
      const pruned = await json(['jobs', 'apply', '-f', pruning, '--prune']);
      expect(pruned).toMatchObject({ created: [], updated: [], deleted: ['cli_apply_b'] });
      expect(pruned.unchanged).toHaveLength(everything.jobs.length);
      expect((await t.http.get('/api/v1/jobs/?tag=cli:apply').expect(200)).body.items).toEqual([
        expect.objectContaining({ id: a.id }),
      ]);

      const cases: [string[], number, RegExp][] = [
        [
          ['-f', file('bad.yaml', `jobs:\n${job('cli_apply_bad', '    task_priority: 11\n')}`)],
          1,
          /jobs\.0\.task_priority must not be greater than 10/,
        ],
        [['-f', file('flags.yaml', `prune: true\njobs: []\n`)], 1, /property prune should not exist/],
        [['-f', file('broken.yaml', 'jobs: [\n')], 1, /broken\.yaml is not YAML or JSON/],
        [['-f', path.join(dir, 'missing.yaml')], 1, /cannot read .*missing\.yaml: no such file/],
        [[], 2, /required option '-f, --file <file>' not specified/],
      ];
      const results = await inBatches(cases, ([args]) => manage(['jobs', 'apply', ...args]));
      results.forEach((r, i) =>
        expect({ case: i, code: r.code, matches: cases[i][2].test(r.stderr) }).toEqual({
          case: i,
          code: cases[i][1],
          matches: true,
        }),
      );
      const format = await manage(['jobs', 'export', '--format', 'xml']);
      expect({ code: format.code, stderr: format.stderr }).toEqual({
        code: 2,
        stderr: "error: --format must be yaml or json, not 'xml' (see --help)\n",
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      for (const left of (await t.http.get('/api/v1/jobs/?tag=cli:apply')).body.items)
        await t.http.delete(`/api/v1/jobs/${left.id}`).expect(204);
    }
  });

  it('pauses and resumes job 1; stats answers as the API', async () => {
    expect((await manage(['jobs', 'pause', '1'])).code).toBe(0);
    expect((await t.http.get('/api/v1/jobs/1').expect(200)).body).toMatchObject({
      status: 'paused',
      next_run_at: null,
    });
    const resumed = await json(['jobs', 'resume', '1']);
    expect(resumed).toEqual((await t.http.get('/api/v1/jobs/1').expect(200)).body);
    expect(resumed.status).toBe('active');

    const stats = await manage(['jobs', 'stats']);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/Jobs\nTotal\s+\d+/);
    const [cliStats, apiStats] = [
      await json(['jobs', 'stats']),
      (await t.http.get('/api/v1/jobs/stats/overview').expect(200)).body,
    ];
    expect(Object.keys(cliStats).sort()).toEqual(Object.keys(apiStats).sort());
    expect(cliStats).toMatchObject({
      total_jobs: apiStats.total_jobs,
      jobs_by_type: apiStats.jobs_by_type,
      jobs_by_status: apiStats.jobs_by_status,
    });
  });

  it('validates schedules exactly as the seed writes it; --json equals the API; invalid is exit 1', async () => {
    const seed = [
      ['interval', '30'],
      ['daily', '09:30'],
      ['weekly', '1:10:00'],
      ['daily', '14:30', '--timezone', 'America/New_York'],
    ];
    const results = await inBatches(seed, (args) => manage(['jobs', 'validate-schedule', ...args]));
    results.forEach((r) => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' }));
    expect(results[3].stdout).toContain('At 14:30, every day (America/New_York)');
    expect(results[2].stdout).toContain('Tuesday');
    const from = '2026-01-01T00:00:00Z';
    const cli = await json([
      'jobs',
      'validate-schedule',
      'daily',
      '14:30',
      '--timezone',
      'America/New_York',
      '--from',
      from,
      '--count',
      '3',
    ]);
    const api = await t.http
      .post('/api/v1/jobs/validate-schedule')
      .send({ schedule_type: 'daily', schedule_expression: '14:30', timezone: 'America/New_York', from, count: 3 });
    expect(cli).toEqual(api.body);
    const [local, utc] = await Promise.all([
      manage(['jobs', 'validate-schedule', 'daily', '23:30', '--timezone', 'America/New_York', '--from', from]),
      manage(['jobs', 'validate-schedule', 'daily', '14:30', '--from', from, '--count', '1']),
    ]);
    expect(local.stdout).toContain('  2026-01-01 04:30:00 UTC (2025-12-31 23:30 EST, America/New_York)  ');
    expect(local.stdout).toContain('  2026-01-02 04:30:00 UTC (2026-01-01 23:30 EST, America/New_York)  ');
    expect(utc.stdout).toMatch(/^ {2}2026-01-01 14:30:00 UTC {2}\S/m);
    const [invalid, unknownZone] = await Promise.all([
      manage(['jobs', 'validate-schedule', 'weekly', '7:10:00']),
      manage(['jobs', 'validate-schedule', 'daily', '14:30', '--timezone', 'Mars/Base']),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('invalid schedule');
    expect(unknownZone.code).toBe(1);
    expect(unknownZone.stderr).toMatch(
      /^error: invalid schedule: --timezone: "Mars\/Base" is not a known IANA time zone/,
    );
  });

  it('delete asks for confirmation: with no terminal it refuses (exit 1) and says --force; --force deletes, audited', async () => {
    const refused = await manage(['jobs', 'delete', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('use --force');
    await t.http.get('/api/v1/jobs/1').expect(200);
    const deleted = await manage(['jobs', 'delete', '1', '--force']);
    expect(deleted.code).toBe(0);
    await t.http.get('/api/v1/jobs/1').expect(404);
    const audit = await t.http.get('/api/v1/audit-logs?action=job.delete&entity_id=1').expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ actor: CLI_ACTOR })]);
    const gone = await manage(['jobs', 'show', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Job 1 was not found');
  });

  it('exits 2 on usage errors and 0 on --help', async () => {
    const cases: [string[], number, RegExp][] = [
      [['jobs', 'frob'], 2, /unknown command 'frob' for 'jobs'/],
      [['jobs', 'lst'], 2, /unknown command 'lst' for 'jobs'; did you mean 'list'\?/],
      [['users', 'delet'], 2, /did you mean 'delete'\?/],
      [['--version'], 0, /^\d+\.\d+\.\d+\n$/],
      [['--help'], 0, /-V, --version/],
      [['jobs', 'list', '--bogus'], 2, /unknown option '--bogus'/],
      [['jobs', 'show'], 2, /missing required argument 'id'/],
      [['jobs', 'update', '2', '--enabled', '--disabled'], 2, /exclude each other/],
      [['jobs', 'list', '--page'], 2, /argument missing/],
      [['--help'], 0, /Usage: manage/],
      [['jobs', 'create', '--help'], 0, /--max-retries/],
      [['jobs', 'list', '--status', 'sleeping'], 1, /error: --status must be one of: active, paused/],
    ];
    const results = await inBatches(cases, ([args]) => manage(args));
    results.forEach((r, i) =>
      expect({ args: cases[i][0], code: r.code, matches: cases[i][2].test(r.stdout + r.stderr) }).toEqual({
        args: cases[i][0],
        code: cases[i][1],
        matches: true,
      }),
    );
  });

  it('every help fits 100 columns, and still names every argument of the command it is for', async () => {
    const helps = [
      ['--help'],
      ['jobs', '--help'],
      ['jobs', 'create', '--help'],
      ['jobs', 'update', '--help'],
      ['users', '--help'],
      ['users', 'update', '--help'],
      ['jobs', 'export', '--help'],
      ['jobs', 'apply', '--help'],
      ['jobs', 'backfill', '--help'],
    ];
    const results = await inBatches(helps, (args) => manage(args));
    results.forEach((r, i) => {
      expect({ args: helps[i], code: r.code }).toEqual({ args: helps[i], code: 0 });
      const widest = Math.max(...r.stdout.split('\n').map((line) => line.length));
      expect({ args: helps[i], widest: Math.min(widest, 100) }).toEqual({ args: helps[i], widest });
    });
    const create = results[2].stdout;
    for (const argument of [
      '<name>',
      '<title>',
      '<job_type>',
      '<schedule_type>',
      '<schedule_expression>',
      '<task_name>',
    ])
      expect(create).toContain(argument);
    expect(results[1].stdout).toMatch(/create \[options\]/);
  });

  it('a job made through the API is served by the CLI', async () => {
    const made = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ name: 'from_api', schedule_type: 'cron', schedule_expression: '0 2 * * 1' }))
        .expect(201)
    ).body;
    expect(await json(['jobs', 'show', String(made.id)])).toEqual(made);
  });

  it('users create NAME --superuser --password-stdin, then that user logs in through the API', async () => {
    const created = await manage(
      ['users', 'create', 'ops_admin', '--superuser', '--password-stdin'],
      'a-long-cli-password\n',
    );
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const login = await t.anon
      .post('/api/v1/auth/login')
      .send({ username: 'ops_admin', password: 'a-long-cli-password' })
      .expect(200);
    const me = await t.anon
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${login.body.access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({ username: 'ops_admin', is_superuser: true });
    const noTerminal = await manage(['users', 'create', 'someone']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('--password-stdin');
  });

  it('users list, update (by name: --no-superuser, --no-active, --password-stdin) and delete (asks; --force), audited', async () => {
    const created = await manage(
      ['users', 'create', 'ops_temp', '--superuser', '--password-stdin'],
      'ops-temp-password-48x\n',
    );
    expect(created.code).toBe(0);
    const listed = await json(['users', 'list', '--size', '100']);
    const temp = listed.items.find((u: { username: string }) => u.username === 'ops_temp');
    expect(temp).toMatchObject({ is_superuser: true, is_active: true });
    expect((await manage(['users', 'list'])).stdout).toMatch(/ops_temp\s+superuser/);

    const demoted = await manage(['users', 'update', 'OPS_TEMP', '--no-superuser', '--no-active']);
    expect({ code: demoted.code, stderr: demoted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(demoted.stdout).toContain('user, deactivated');
    expect((await t.http.get(`/api/v1/users/${temp.id}`).expect(200)).body).toMatchObject({
      is_superuser: false,
      is_active: false,
    });
    await t.anon
      .post('/api/v1/auth/login')
      .send({ username: 'ops_temp', password: 'ops-temp-password-48x' })
      .expect(401);

    const back = await manage(
      ['users', 'update', String(temp.id), '--active', '--password-stdin'],
      'ops-temp-second-91y\n',
    );
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('password changed');
    await t.anon.post('/api/v1/auth/login').send({ username: 'ops_temp', password: 'ops-temp-second-91y' }).expect(200);

    const nothing = await manage(['users', 'update', 'ops_temp']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
    const weak = await manage(['users', 'update', 'ops_temp', '--password-stdin'], 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('password');
    const unknown = await manage(['users', 'update', 'nobody_here', '--active']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user named "nobody_here"');

    const refused = await manage(['users', 'delete', 'ops_temp']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    const deleted = await manage(['users', 'delete', 'ops_temp', '--force']);
    expect({ code: deleted.code, stderr: deleted.stderr }).toEqual({ code: 0, stderr: '' });
    await t.http.get(`/api/v1/users/${temp.id}`).expect(404);
    const audit = await t.http.get(`/api/v1/audit-logs?entity_type=user&entity_id=${temp.id}&size=100`).expect(200);
    const changes = audit.body.items.filter((e: { action: string }) => e.action.startsWith('user.'));
    expect(changes.map((e: { action: string }) => e.action).sort()).toEqual(
      ['user.create', 'user.delete', 'user.update', 'user.update'].sort(),
    );
    expect(changes.every((e: { actor: string }) => e.actor.startsWith('cli:'))).toBe(true);
  });

  it('migrate reports an up-to-date database', async () => {
    const result = await manage(['migrate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('up to date');
  });

  it('embedded mode: refuses to create a database in a DATA_DIR that holds none, unless --create-data-dir is given', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-cli-nodata-'));
    const dataDir = path.join(parent, 'data');
    try {
      const { DATABASE_URL: _external, REDIS_URL: _redis, ...rest } = env;
      const refused = await run(['jobs', 'list'], { ...rest, DATA_DIR: dataDir });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain(`error: No database in DATA_DIR (${dataDir})`);
      expect(refused.stderr).toContain('--create-data-dir');
      expect(refused.stderr).not.toContain('ExceptionHandler');
      expect(fs.existsSync(dataDir)).toBe(false);
      // Help needs no database: it answers there too, and still creates nothing.
      const help = await run(['jobs', 'create', '--help'], { ...rest, DATA_DIR: dataDir });
      expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
      expect(help.stdout).toContain('--misfire-policy');
      expect((await run(['--help'], { ...rest, DATA_DIR: dataDir })).stdout).toContain('--create-data-dir');
      // So does a command that does not exist: its suggestion, not the missing database.
      for (const [args, said] of [
        [['jobs', 'lst'], /unknown command 'lst' for 'jobs'; did you mean 'list'\?/],
        [['job', 'list'], /unknown command 'job'\n\(Did you mean jobs\?\)/],
        [['--create-data-dir', 'users', 'lsit'], /did you mean 'list'\?/],
      ] as [string[], RegExp][]) {
        const typo = await run(args, { ...rest, DATA_DIR: dataDir });
        expect({
          args,
          code: typo.code,
          said: said.test(typo.stderr),
          noDatabase: typo.stderr.includes('No database'),
        }).toEqual({
          args,
          code: 2,
          said: true,
          noDatabase: false,
        });
      }
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('embedded mode: starts the PostgreSQL under DATA_DIR, works, and leaves none running', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-cli-embedded-'));
    fs.chmodSync(dataDir, 0o755);
    try {
      const { DATABASE_URL: _external, REDIS_URL: _redis, ...rest } = env;
      const result = await run(['--create-data-dir', 'jobs', 'list', '--json'], { ...rest, DATA_DIR: dataDir });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(result.stdout)).toMatchObject({ items: [], total: 0 });
      expect(fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(path.join(dataDir, 'pg'));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('embedded mode: a start that fails after its PostgreSQL is up (a migration error) stops that PostgreSQL and says so (issue 21)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-cli-embedded-fail-'));
    fs.chmodSync(dataDir, 0o755);
    const { DATABASE_URL: _external, REDIS_URL: _redis, ...rest } = env;
    const cliEnv = { ...rest, DATA_DIR: dataDir };
    try {
      expect((await run(['--create-data-dir', 'migrate'], cliEnv)).code).toBe(0);
      // Forget one applied migration: applying it again fails (its table exists already). In a
      // child process: the embedded binaries package is ESM, which jest's module sandbox cannot load.
      execFileSync(process.execPath, ['-e', FORGET_MIGRATION, dataDir], { cwd: ROOT, stdio: 'pipe' });

      const result = await run(['jobs', 'list'], cliEnv);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/job_counts|already exists/);
      expect(result.stderr).toContain('Stopped the embedded PostgreSQL this process had started');
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(path.join(dataDir, 'pg'));
    } finally {
      const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
      if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
