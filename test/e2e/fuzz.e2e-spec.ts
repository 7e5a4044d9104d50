import * as fc from 'fast-check';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { JOB_STATUSES, JOB_TYPES, OVERLAP_POLICIES } from '../../src/modules/jobs/job.entity';
import { RUN_STATUSES, RUN_TRIGGERS } from '../../src/modules/executions/execution.entity';
import { MISFIRE_POLICIES, SCHEDULE_TYPES } from '../../src/modules/schedules/schedule.types';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Property-based fuzzing (fast-check) of every request body and query through HTTP: whatever is
 * sent, the answer is never a 5xx; a rejected request changes nothing (jobs, runs, users, audit
 * log); a 400 names the field. FUZZ_SCALE multiplies the case counts (default 1: about 10,500).
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Lone surrogates (well-formed JSON escapes, ill-formed Unicode): once a 500 on create, update and execute. */
const LONE_SURROGATES = ['\ud800 lone', 'x\udc00', '\udbff', 'pair 😀 then \ud83d'];
/** Keys named like Object.prototype members: once silently dropped, or (`__proto__`) injected fields. */
const RESERVED_KEYS = ['__proto__', 'constructor', 'toString', 'prototype', 'valueOf', 'hasOwnProperty'];
/** Dates that strict ISO 8601 allows but JavaScript cannot read (week, ordinal, basic format): once a 500. */
const odd = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) => {
    const iso = d.toISOString();
    return fc.constantFrom(
      iso.replace(/[-:]/g, ''),
      iso.slice(0, 10).replace(/-/g, ''),
      iso.replace('Z', '+0000'),
      iso.replace('T', ' '),
      iso.toLowerCase(),
      `${iso.slice(0, 4)}-W${iso.slice(5, 7)}`,
    );
  });
const badDate = fc.oneof(
  fc.constantFrom(
    '2026-W01',
    '2026-W01-1',
    '2026-W53-7T00:00:00Z',
    '20260101T000000Z',
    '20260101',
    '2026-001',
    '2026-365T00:00:00Z',
    '2026-01-01T00:00:00+0100',
    '2026-02-30T00:00:00Z',
    '+002026-01-01T00:00:00Z',
  ),
  odd,
);

/** Anything JSON can carry, biased towards the shapes validators trip on. */
const junk = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', '0', 'true', 'null', '[]', '{}', 'NaN', '1e309'),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.constantFrom(
      "' OR 1=1 --",
      "'; DROP TABLE jobs; --",
      '"; SELECT pg_sleep(5); --',
      '%',
      '_',
      '\\',
      '\u0000',
      '../../etc/passwd',
      '${jndi:x}',
      '<script>',
    ),
    fc.constantFrom(...LONE_SURROGATES),
    fc.dictionary(
      fc.constantFrom(...RESERVED_KEYS, ...LONE_SURROGATES),
      fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      { minKeys: 1, maxKeys: 2 },
    ),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxKeys: 3 }),
  );

/** A body of the DTO's fields, each valid or junk, sometimes missing, plus sometimes unknown keys. */
function body(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, valid] of Object.entries(fields))
    record[key] = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: junk() });
  const extra = fc.dictionary(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(...RESERVED_KEYS, ...LONE_SURROGATES, 'id', 'total_runs', 'password_hash'),
    ),
    junk(),
    { maxKeys: 2 },
  );
  return fc
    .tuple(
      fc.record(record, { requiredKeys: [] }),
      fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }),
    )
    .map(([fieldsPart, extraPart]) => ({ ...extraPart, ...fieldsPart }));
}

/** A query string of the given parameters (valid or junk text, sometimes repeated) plus sometimes unknown ones. */
function query(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('', '-1', '0', '1', '1.5', '101', '1e3', 'true', "' OR '1'='1", '%00', 'NaN', '9999999999999'),
  );
  const record: Record<string, fc.Arbitrary<string | string[]>> = {};
  for (const [key, valid] of Object.entries(params)) {
    record[key] = fc.oneof(
      { weight: 3, arbitrary: valid },
      { weight: 2, arbitrary: text },
      { weight: 1, arbitrary: fc.array(text, { minLength: 2, maxLength: 2 }) },
    );
  }
  const extra = fc.dictionary(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom('__proto__', 'constructor[prototype]', 'page[x]'),
    ),
    text,
    { maxKeys: 1 },
  );
  return fc
    .tuple(
      fc.record(record, { requiredKeys: [] }),
      fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }),
    )
    .map(([known, unknown]) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...unknown, ...known }))
        for (const v of [value ?? ''].flat()) search.append(key, v);
      return search.toString();
    });
}

const isoTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** A date parameter or field: mostly valid, sometimes a shape JavaScript cannot read. */
const dateOrBad = fc.oneof({ weight: 3, arbitrary: isoTime }, { weight: 2, arbitrary: badDate });
/** Keys of config, metadata and kwargs: plain, reserved names, lone surrogates. */
const dataKey = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(...RESERVED_KEYS, ...LONE_SURROGATES) },
);
const intText = (min: number, max: number) => fc.integer({ min, max }).map(String);
const slug = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/);
const schedule = fc.oneof(
  fc.record({ schedule_type: fc.constant('interval'), schedule_expression: intText(0, 600000) }),
  fc.record({
    schedule_type: fc.constant('daily'),
    schedule_expression: fc
      .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
      .map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
  }),
  fc.record({
    schedule_type: fc.constant('weekly'),
    schedule_expression: fc
      .tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 24 }))
      .map(([d, h]) => `${d}:${h}:00`),
  }),
  fc.record({
    schedule_type: fc.constant('monthly'),
    schedule_expression: fc
      .tuple(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }))
      .map(([d, h]) => `${d}:${h}:30`),
  }),
  fc.record({
    schedule_type: fc.constant('cron'),
    schedule_expression: fc.constantFrom(
      '* * * * *',
      '*/5 * * * *',
      '0 0 31 2 *',
      '0 9 * * MON-FRI',
      '@daily',
      '61 * * * *',
      '* * *',
      '0 0 L * *',
      '0 0 * * 5#3',
      '*/0 * * * *',
    ),
  }),
);
const timezone = fc.constantFrom(
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Mars/Phobos',
  'utc',
  'Etc/GMT+5',
  '',
);
const jobFields = {
  name: slug,
  title: fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 50 }) },
    { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
  ),
  description: fc.option(fc.string({ maxLength: 50 })),
  job_type: fc.constantFrom(...JOB_TYPES),
  schedule_type: fc.constantFrom(...SCHEDULE_TYPES),
  schedule_expression: fc.constantFrom('30', '02:00', '0:03:00', '31:12:00', '*/5 * * * *'),
  timezone,
  task_name: fc.constantFrom(
    'http.request',
    'document_cleanup',
    'system_health_check',
    'app.tasks.cleanup.system_cleanup',
    'no.such.task',
  ),
  task_args: fc.array(fc.integer(), { maxLength: 3 }),
  task_kwargs: fc.oneof(
    fc.constant({ url: 'http://127.0.0.1:9/hook' }),
    fc.record({
      url: fc.constantFrom(
        'http://127.0.0.1:9/x',
        'file:///etc/passwd',
        'ftp://x',
        'javascript:alert(1)',
        'gopher://127.0.0.1:70/',
      ),
      method: fc.constantFrom('GET', 'POST', 'TRACE'),
    }),
    fc.record({
      pattern: fc.constantFrom('*.tmp', '../**', '/etc/**', 'a/../../b'),
      older_than_days: fc.integer({ min: -1, max: 40 }),
    }),
    fc
      .tuple(dataKey, fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom(...LONE_SURROGATES)))
      .map(([k, v]) => ({ url: 'http://127.0.0.1:9/hook', [k]: v })),
  ),
  task_queue: fc.constantFrom('default', 'maintenance', 'A', 'a:b'),
  task_priority: fc.integer({ min: 0, max: 11 }),
  timeout_seconds: fc.integer({ min: 0, max: 700000 }),
  max_retries: fc.integer({ min: -1, max: 101 }),
  retry_backoff_seconds: fc.integer({ min: -1, max: 90000 }),
  misfire_policy: fc.constantFrom(...MISFIRE_POLICIES),
  overlap_policy: fc.constantFrom(...OVERLAP_POLICIES),
  is_enabled: fc.boolean(),
  status: fc.constantFrom(...JOB_STATUSES),
  config: fc.dictionary(dataKey, fc.integer(), { maxKeys: 2 }),
  metadata: fc.dictionary(
    dataKey,
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 5 }) },
      { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
    ),
    { maxKeys: 2 },
  ),
  tags: fc.array(fc.constantFrom('team:a', 'env/prod', 'Upper', '', 'x'.repeat(65), 'a b'), { maxLength: 3 }),
  start_at: fc.constantFrom(
    null,
    '2027-01-01T00:00:00Z',
    '2026-12-31T23:00:00+01:00',
    '2027-01-01',
    'soon',
    '0000-00-00T00:00:00Z',
  ),
  end_at: fc.constantFrom(null, '2027-06-01T00:00:00Z', '2026-01-01T00:00:00Z', '2027-02-30T00:00:00Z', ''),
  max_runs: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom(null, 1.5, '3', 2 ** 31)),
  jitter_seconds: fc.oneof(fc.integer({ min: -1, max: 3601 }), fc.constantFrom(null, 0.5, '10')),
  // No channel exists in this database: any id is refused, naming notify_channel_ids.
  notify_channel_ids: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
  notify_on: fc.array(fc.constantFrom('run.failed', 'job.overdue', 'job.recovered', 'run.exploded', ''), {
    maxLength: 3,
  }),
};
const channelFields = {
  name: fc.oneof(slug, fc.constantFrom('', ' lead', 'x'.repeat(101), ...LONE_SURROGATES)),
  type: fc.constantFrom('webhook', 'slack', 'email', 'pager'),
  url: fc.constantFrom('http://127.0.0.1:9/hook', 'https://hooks.example.com/x', 'ftp://x', 'javascript:alert(1)', ''),
  email_to: fc.constantFrom('ops@example.com', 'a@b.c, d@e.f', 'not an address', ''),
  secret: fc.oneof(fc.string({ maxLength: 12 }), fc.constant(null)),
  is_default: fc.oneof(fc.boolean(), fc.constant('yes')),
};
const createJob = fc
  .tuple(body(jobFields), schedule, fc.boolean())
  .map(([b, s, useSchedule]) => (useSchedule ? { ...b, ...s } : b));
const pageParams = { page: intText(0, 3), size: intText(0, 101) };

describe('Fuzzing every request body and query (fast-check)', () => {
  let t: TestApp;
  let pg: Client;
  let jobId: number;
  let cases = 0;
  let known: string | undefined;
  const statuses = new Map<number, number>();
  const started = Date.now();

  beforeAll(async () => {
    // API only: no dispatcher or worker changes the database behind the snapshots' back.
    t = await createTestApp('fuzz', { ROLES: 'api', LOGIN_THROTTLE_LIMIT: 10000, LOGIN_THROTTLE_IP_LIMIT: 100000 });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    jobId = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false }))
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await pg.end();
    await t.close();
    const tally = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    process.stdout.write(`[fuzz] ${cases} cases in ${Math.round((Date.now() - started) / 1000)} s (${tally})\n`);
  });

  /** A cheap fingerprint of everything a request could change. */
  const snapshot = async () =>
    JSON.stringify(
      (
        await pg.query(`SELECT (SELECT md5(coalesce(string_agg(j::text, '|' ORDER BY id), '')) FROM jobs j) AS jobs,
                               (SELECT count(*) FROM executions) AS runs, (SELECT max(id) FROM executions) AS last_run,
                               (SELECT count(*) FROM users) AS users, (SELECT md5(coalesce(string_agg(u::text, '|' ORDER BY id), '')) FROM users u) AS user_rows,
                               (SELECT count(*) FROM audit_logs) AS audit,
                               (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY id), '')) FROM notification_channels c) AS channels`)
      ).rows[0],
    );

  /**
   * Sends one case and checks the three properties. `fields` are the names a 400 may blame
   * (the DTO's fields plus whatever keys were sent); `changesOnReject` lists statuses that
   * change something by design (a failed login is audited).
   */
  async function check(send: () => Promise<Response>, fields: string[], changesOnReject: number[] = []): Promise<void> {
    cases++;
    // The state after a rejected request is the state before the next one: one snapshot per case.
    const before = known ?? (await snapshot());
    known = undefined;
    const res = await send();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) throw new Error(`${res.status}: ${res.text}`);
    if (res.status >= 400 && !changesOnReject.includes(res.status)) {
      const after = await snapshot();
      if (after !== before) throw new Error(`A rejected request (${res.status}) changed the database: ${res.text}`);
      known = after;
    }
    if (res.status === 400) {
      const messages = [res.body?.message].flat().map(String);
      // The whole body is a field too: "The request body is not valid JSON", "body: … object is expected";
      // a list capped at 20 ends with "… and K more" (the others still name their fields).
      const blamed = (m: string) =>
        m === 'The request body is not valid JSON' ||
        m.startsWith('body: ') ||
        /^… and \d+ more$/.test(m) ||
        /^property .* should not exist$/.test(m) ||
        fields.some((f) => f && m.includes(f));
      const unnamed = messages.filter((m) => !blamed(m));
      if (messages.length === 0 || unnamed.length > 0)
        throw new Error(`A 400 that names no field: ${JSON.stringify(res.body)} (fields ${fields.join(', ')})`);
      // The error format of the spec: a code (a schedule that cannot be used has its own), and the fields at fault as details.
      if (
        !['VALIDATION_FAILED', 'SCHEDULE_INVALID'].includes(res.body?.code) ||
        !Array.isArray(res.body?.details) ||
        res.body.details.length === 0
      ) {
        throw new Error(
          `A 400 without code VALIDATION_FAILED (or SCHEDULE_INVALID) and details: ${JSON.stringify(res.body)}`,
        );
      }
    }
  }

  const keysOf = (b: unknown) => (b && typeof b === 'object' ? Object.keys(b) : []);
  const paramsOf = (q: string) => [...new URLSearchParams(q).keys()];
  const property = <T>(arb: fc.Arbitrary<T>, numRuns: number, predicate: (value: T) => Promise<void>) =>
    fc.assert(fc.asyncProperty(arb, predicate), { numRuns: runs(numRuns), endOnFailure: false });

  it('POST /api/v1/jobs/ (CreateJobDto)', async () => {
    await property(createJob, 2500, (b) =>
      check(() => t.http.post('/api/v1/jobs/').send(b), [...Object.keys(jobFields), ...keysOf(b)]),
    );
  }, 300_000);

  it('PUT /api/v1/jobs/{id} (UpdateJobDto), with good and bad ids', async () => {
    const id = fc.oneof(
      { weight: 5, arbitrary: fc.constant(() => String(jobId)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('0', '-1', 'abc', '1.5', '99999999999', '%20', '999999').map((v) => () => v),
      },
    );
    await property(fc.tuple(id, createJob), 1500, ([idOf, b]) =>
      check(() => t.http.put(`/api/v1/jobs/${idOf()}`).send(b), [...Object.keys(jobFields), ...keysOf(b), 'id']),
    );
  }, 300_000);

  it('POST /api/v1/jobs/{id}/execute (ExecuteJobDto), pause, resume, cancel, delete with bad ids', async () => {
    const action = fc.constantFrom('execute', 'pause', 'resume');
    const b = body({
      force: fc.constant(false),
      override_kwargs: fc.dictionary(
        dataKey,
        fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom(...LONE_SURROGATES)),
        { maxKeys: 2 },
      ),
    });
    await property(fc.tuple(action, b), 400, ([what, payload]) =>
      // The job is disabled: without force an execute is a 409; pause and resume change it (2xx).
      check(
        () => t.http.post(`/api/v1/jobs/${jobId}/${what}`).send(payload),
        ['force', 'override_kwargs', ...keysOf(payload)],
      ),
    );
    const badId = fc.oneof(
      fc.string({ maxLength: 12 }).filter((s) => !/[/?#%]/.test(s) && s !== '.' && s !== '..'),
      fc.constantFrom('0', '-5', '2147483648', '1e3', '0x10', ' 1'),
    );
    const route = fc.constantFrom(
      'GET /api/v1/jobs/:id',
      'DELETE /api/v1/jobs/:id',
      'POST /api/v1/jobs/:id/execute',
      'GET /api/v1/executions/:id',
      'POST /api/v1/executions/:id/cancel',
      'GET /api/v1/jobs/:id/executions',
    );
    await property(fc.tuple(route, badId), 400, ([r, id]) => {
      const [method, path] = r.split(' ');
      const url = path.replace(':id', encodeURIComponent(id));
      const agent = t.http as unknown as Record<string, (u: string) => { send: (b: unknown) => Promise<Response> }>;
      return check(() => agent[method.toLowerCase()](url).send({}), ['id']);
    });
  }, 300_000);

  it('POST /api/v1/jobs/apply (ApplyJobsDto: a list of CreateJobDto)', async () => {
    const applyBody = fc
      .tuple(
        body({
          jobs: fc.array(fc.oneof({ weight: 4, arbitrary: createJob }, { weight: 1, arbitrary: junk() }), {
            maxLength: 4,
          }),
          dry_run: fc.boolean(),
        }),
        fc.oneof(fc.constant(undefined), fc.boolean(), junk()),
      )
      // A real prune would delete the job the other cases use: prune only in a dry run.
      .map(([b, prune]) => (prune === true && b.dry_run !== true ? b : { ...b, prune }));
    await property(applyBody, 500, (b) =>
      check(() => t.http.post('/api/v1/jobs/apply').send(b), ['jobs', 'dry_run', 'prune', ...keysOf(b)]),
    );
  }, 300_000);

  it('POST /api/v1/jobs/{id}/backfill (BackfillJobDto)', async () => {
    // Mostly past instants (a valid range records runs: a 202 that changes the database by design).
    const instant = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date(Date.now() + 86_400_000), noInvalidDate: true })
          .map((d) => d.toISOString()),
      },
      { weight: 1, arbitrary: badDate },
    );
    const id = fc.oneof(
      { weight: 5, arbitrary: fc.constant(() => String(jobId)) },
      { weight: 1, arbitrary: fc.constantFrom('0', '-1', 'abc', '1.5', '99999999999', '999999').map((v) => () => v) },
    );
    // Often a short range (minus an hour to plus a day), so that some backfills record runs.
    const range = fc
      .tuple(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -60, max: 1440 }),
      )
      .map(([d, minutes]) => ({ from: d.toISOString(), to: new Date(d.getTime() + minutes * 60_000).toISOString() }));
    const b = fc
      .tuple(body({ from: instant, to: instant, max_runs: fc.integer({ min: -1, max: 1002 }) }), range, fc.boolean())
      .map(([x, r, useRange]) => (useRange ? { ...x, ...r } : x));
    await property(fc.tuple(id, b), 300, ([idOf, x]) =>
      check(
        () => t.http.post(`/api/v1/jobs/${idOf()}/backfill`).send(x),
        ['from', 'to', 'max_runs', ...keysOf(x), 'id'],
      ),
    );
  }, 300_000);

  it('GET /api/v1/jobs/ (ListJobsQuery)', async () => {
    const q = query({
      ...pageParams,
      status: fc.constantFrom(...JOB_STATUSES),
      is_enabled: fc.constantFrom('true', 'false'),
      job_type: fc.constantFrom(...JOB_TYPES),
      search: fc.string({ maxLength: 20 }),
      tag: fc.constantFrom('team:a', 'env/prod', 'Bad Tag', '', 'x'.repeat(65)),
      sort: fc.constantFrom('name', '-name', 'created_at', '-next_run_at', 'last_run_at', 'id', '-id'),
    });
    await property(q, 1500, (qs) =>
      check(
        () => t.asUser.get(`/api/v1/jobs/?${qs}`),
        ['page', 'size', 'status', 'is_enabled', 'job_type', 'search', 'tag', 'sort', ...paramsOf(qs)],
      ),
    );
  }, 300_000);

  it('GET /api/v1/executions and /api/v1/jobs/{id}/executions (ListExecutionsQuery)', async () => {
    const params = {
      ...pageParams,
      status: fc.constantFrom(...RUN_STATUSES),
      trigger: fc.constantFrom(...RUN_TRIGGERS),
      from: dateOrBad,
      to: dateOrBad,
    };
    const names = ['page', 'size', 'status', 'trigger', 'from', 'to', 'job_id'];
    await property(query({ ...params, job_id: intText(0, 3) }), 1000, (qs) =>
      check(() => t.asUser.get(`/api/v1/executions?${qs}`), [...names, ...paramsOf(qs)]),
    );
    await property(query(params), 500, (qs) =>
      check(() => t.asUser.get(`/api/v1/jobs/${jobId}/executions?${qs}`), [...names, ...paramsOf(qs)]),
    );
  }, 300_000);

  it('GET /api/v1/audit-logs (ListAuditLogsQuery)', async () => {
    const q = query({
      ...pageParams,
      actor: fc.constantFrom('test-admin', 'cli:root', "admin' --"),
      action: fc.constantFrom('job.create', 'auth.login', '%'),
      entity_type: fc.constantFrom('job', 'user', 'execution'),
      entity_id: intText(1, 5),
      from: dateOrBad,
      to: dateOrBad,
    });
    await property(q, 1000, (qs) =>
      check(
        () => t.http.get(`/api/v1/audit-logs?${qs}`),
        ['page', 'size', 'actor', 'action', 'entity_type', 'entity_id', 'from', 'to', ...paramsOf(qs)],
      ),
    );
  }, 300_000);

  it('POST /api/v1/jobs/validate-schedule (ValidateScheduleDto)', async () => {
    const b = fc
      .tuple(
        body({
          schedule_type: fc.constantFrom(...SCHEDULE_TYPES),
          schedule_expression: fc.string({ maxLength: 30 }),
          timezone,
          count: fc.integer({ min: 0, max: 51 }),
          from: dateOrBad,
        }),
        schedule,
        fc.boolean(),
      )
      .map(([x, s, useSchedule]) => (useSchedule ? { ...x, ...s } : x));
    await property(b, 1000, (x) =>
      check(
        () => t.asUser.post('/api/v1/jobs/validate-schedule').send(x),
        ['schedule_type', 'schedule_expression', 'timezone', 'count', 'from', ...keysOf(x)],
      ),
    );
  }, 300_000);

  it('POST and GET /api/v1/users (CreateUserDto, ListUsersQuery)', async () => {
    const b = body({
      username: fc.stringMatching(/^[a-z]{1,12}$/),
      password: fc.string({ minLength: 6, maxLength: 12 }),
      is_superuser: fc.boolean(),
    });
    await property(b, 200, (x) =>
      check(() => t.http.post('/api/v1/users').send(x), ['username', 'password', 'is_superuser', ...keysOf(x)]),
    );
    await property(query(pageParams), 300, (qs) =>
      check(() => t.http.get(`/api/v1/users?${qs}`), ['page', 'size', ...paramsOf(qs)]),
    );
  }, 300_000);

  it('POST /api/v1/notification-channels (CreateChannelDto) and PUT /api/v1/notification-channels/{id}', async () => {
    await property(body(channelFields), 300, (x) =>
      check(() => t.http.post('/api/v1/notification-channels').send(x), [...Object.keys(channelFields), ...keysOf(x)]),
    );
    await property(body(channelFields), 200, (x) =>
      check(
        () => t.http.put(`/api/v1/notification-channels/${1 + (cases % 3)}`).send(x),
        [...Object.keys(channelFields), ...keysOf(x)],
      ),
    );
  });

  it('POST /api/v1/auth/login (LoginDto): a 400 changes nothing; a 401 is audited by design', async () => {
    const b = body({ username: fc.constantFrom('test-user', 'nobody', ''), password: fc.string({ maxLength: 10 }) });
    await property(b, 200, (x) =>
      check(() => t.anon.post('/api/v1/auth/login').send(x), ['username', 'password', ...keysOf(x)], [401]),
    );
  }, 300_000);

  it('raw bodies: not JSON, not an object, wrong content type', async () => {
    const raw = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '[]',
        '[1,2]',
        '"x"',
        '5',
        'null',
        'true',
        '{"name":',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"a":1,"a":2}',
        '\u0000',
        '{}',
      ),
      fc.constantFrom(
        '{"title":"\\ud800 lone"}',
        '{"\\udc00":1}',
        '{"force":true,"__proto__":{"override_kwargs":{"dry_run":true}}}',
        '{"config":{"toString":1}}',
      ),
      fc.json({ maxDepth: 3 }),
    );
    const type = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    );
    const target = fc.constantFrom(
      '/api/v1/jobs/',
      '/api/v1/jobs/apply',
      '/api/v1/jobs/validate-schedule',
      '/api/v1/users',
      `/api/v1/jobs/__ID__`,
    );
    await property(fc.tuple(raw, type, target), 500, ([text, contentType, path]) => {
      const url = path.replace('__ID__', String(jobId));
      const send = () =>
        (url.endsWith(`/${jobId}`) ? t.http.put(url) : t.http.post(url)).set('content-type', contentType).send(text);
      return check(send, [
        ...Object.keys(jobFields),
        'jobs',
        'schedule_type',
        'schedule_expression',
        'username',
        'password',
        'count',
        'from',
        ...keysOf(safeParse(text)),
      ]);
    });
  }, 300_000);

  it('ran at least 10,000 cases in all', () => {
    expect(cases).toBeGreaterThanOrEqual(runs(10_000));
  });
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
