import { randomBytes } from 'node:crypto';
import { MAX_JSON_DEPTH } from '../../src/common/json-depth';
import { USERNAME_PATTERN } from '../../src/modules/auth/dto/user.dto';
import { jobBody } from '../factories/job.factory';
import { createTestApp, TEST_ADMIN, TEST_USER, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * Hostile input through HTTP. Covered elsewhere, not repeated here: the authorization matrix
 * of every route and the JWT attacks (auth.e2e-spec.ts), passwords in responses, logs and audit
 * (auth-bootstrap.e2e-spec.ts), links and `..` in document_cleanup's directory walk
 * (tasks-document-cleanup.e2e-spec.ts), URL schemes at the task level (tasks-http-request,
 * tasks-mcp-server-health-check), random input of every DTO (fuzz.e2e-spec.ts), and secrets
 * in a real process's log lines (security-secrets.e2e-spec.ts).
 */
const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE jobs; --",
  "x'); DELETE FROM users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(20)--',
  "' UNION SELECT password_hash, null FROM users --",
  '%',
  '_',
  '\\',
  '$$; DROP TABLE audit_logs; $$',
  "admin'--",
  "' AND 1=(SELECT count(*) FROM pg_sleep(20))--",
];

describe('Security: hostile input through the API', () => {
  let t: TestApp;
  let jobId: number;

  beforeAll(async () => {
    t = await createTestApp('security', { ROLES: 'api' });
    jobId = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false }))
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const tables = () =>
    withClient(
      t.db.url,
      async (c) =>
        (
          await c.query(
            `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('jobs', 'users', 'audit_logs', 'executions')`,
          )
        ).rows[0].n,
    );
  const counts = () =>
    withClient(
      t.db.url,
      async (c) =>
        (await c.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM jobs)::int AS jobs`))
          .rows[0],
    );

  describe('SQL injection strings', () => {
    const stringFields: [string, (s: string) => Record<string, unknown>][] = [
      ['title', (s) => ({ title: s })],
      ['description', (s) => ({ description: s })],
      ['schedule_expression (cron)', (s) => ({ schedule_type: 'cron', schedule_expression: s })],
      ['schedule_expression (daily)', (s) => ({ schedule_type: 'daily', schedule_expression: s })],
      ['timezone', (s) => ({ timezone: s })],
      ['name', (s) => ({ name: s })],
      ['task_name', (s) => ({ task_name: s })],
      ['task_queue', (s) => ({ task_queue: s })],
      ['task_kwargs.body', (s) => ({ task_kwargs: { url: 'http://127.0.0.1:9/x', body: { note: s } } })],
      ['task_kwargs.headers', (s) => ({ task_kwargs: { url: 'http://127.0.0.1:9/x', headers: { 'x-note': s } } })],
      ['config', (s) => ({ config: { [s]: s } })],
      ['metadata', (s) => ({ metadata: { note: s } })],
      ['job_type', (s) => ({ job_type: s })],
      ['misfire_policy', (s) => ({ misfire_policy: s })],
    ];

    it.each(stringFields)('in %s: stored verbatim or refused with a 400, never executed', async (_field, make) => {
      for (const payload of INJECTIONS) {
        const startedAt = Date.now();
        const res = await t.http.post('/api/v1/jobs/').send(jobBody(make(payload)));
        expect(Date.now() - startedAt).toBeLessThan(10_000); // an executed pg_sleep(20) would take 20 s
        expect([201, 400]).toContain(res.status);
        if (res.status === 201) {
          // Round trip: what was sent is what is stored and returned.
          const fetched = (await t.http.get(`/api/v1/jobs/${res.body.id}`).expect(200)).body;
          for (const [key, value] of Object.entries(make(payload))) expect(fetched[key]).toEqual(value);
          await t.http.delete(`/api/v1/jobs/${res.body.id}`).expect(204);
        }
      }
      expect(await tables()).toBe(4);
    });

    it('in every update field: stored verbatim or refused, never executed', async () => {
      for (const payload of INJECTIONS) {
        const res = await t.http
          .put(`/api/v1/jobs/${jobId}`)
          .send({ title: payload, description: payload, metadata: { [payload]: payload } });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ title: payload, description: payload, metadata: { [payload]: payload } });
      }
      expect(await tables()).toBe(4);
    });

    const filters = [
      (s: string) => `/api/v1/jobs/?search=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/jobs/?status=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/jobs/?job_type=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/jobs/?sort=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/jobs/?page=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/executions?status=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/executions?job_id=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/executions?from=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/audit-logs?actor=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/audit-logs?action=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/audit-logs?entity_type=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/audit-logs?entity_id=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/audit-logs?to=${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/jobs/${encodeURIComponent(s)}`,
      (s: string) => `/api/v1/executions/${encodeURIComponent(s)}`,
    ];

    it('in every filter and path parameter: 200 with nothing matched, or a 400; never a row too many', async () => {
      for (const url of filters) {
        for (const payload of INJECTIONS) {
          const res = await t.http.get(url(payload));
          expect([200, 400, 404]).toContain(res.status);
          if (res.status === 200 && Array.isArray(res.body.items)) {
            // A text filter matches the text literally (search: in name, title or description);
            // the other filters match nothing, as no actor, action or entity is such a string.
            if (/search=/.test(url(payload))) {
              const texts = res.body.items.map(
                (j: { name: string; title: string; description: string | null }) =>
                  `${j.name} ${j.title} ${j.description}`,
              );
              expect(texts.every((text: string) => text.toLowerCase().includes(payload.toLowerCase()))).toBe(true);
            } else if (res.body.items.length > 0) {
              throw new Error(`${url(payload)} matched ${res.body.items.length} row(s)`);
            } else expect(res.body.items).toEqual([]);
          }
        }
      }
      expect(await tables()).toBe(4);
    });

    it('in login and user creation: refused, nobody logs in, nothing is created', async () => {
      const before = await counts();
      for (const payload of INJECTIONS) {
        const login = await t.anon.post('/api/v1/auth/login').send({ username: payload, password: payload });
        expect([400, 401, 429]).toContain(login.status);
        const asAdmin = await t.anon
          .post('/api/v1/auth/login')
          .send({ username: TEST_ADMIN.username, password: payload });
        expect([401, 429]).toContain(asAdmin.status);
        if (USERNAME_PATTERN.test(payload)) continue; // '_' is a fine username
        const create = await t.http.post('/api/v1/users').send({ username: payload, password: 'long-enough-password' });
        expect(create.status).toBe(400);
        expect([create.body.message].flat().join(' ')).toMatch(/username/);
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('oversized bodies and deeply nested JSON', () => {
    it('answers 413 for a body over 1 MiB and changes nothing', async () => {
      const before = await counts();
      const res = await t.http.post('/api/v1/jobs/').send(jobBody({ config: { blob: 'x'.repeat(1_100_000) } }));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/1 MiB/),
      });
      const raw = await t.http
        .post('/api/v1/jobs/validate-schedule')
        .set('content-type', 'application/json')
        .send(`{"schedule_type":"${'a'.repeat(2_000_000)}"}`);
      expect(raw.status).toBe(413);
      expect(await counts()).toEqual(before);
    });

    it('accepts a body just under the limit', async () => {
      const res = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ description: 'x'.repeat(5000), config: { blob: 'x'.repeat(900_000) } }));
      expect(res.status).toBe(201);
      await t.http.delete(`/api/v1/jobs/${res.body.id}`).expect(204);
    });

    it.each([
      ['config', MAX_JSON_DEPTH - 1],
      ['config', MAX_JSON_DEPTH + 1],
      ['config', 5_000],
      ['config', 100_000],
      ['metadata', 50_000],
      ['task_kwargs', 20_000],
      ['task_args', 100_000],
    ])('refuses %s nested %i levels deep with a 4xx naming it, never a 5xx, and stays up', async (field, depth) => {
      const before = await counts();
      const nested =
        field === 'task_args'
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const value = field === 'task_kwargs' ? `{"url":"http://127.0.0.1:9/x","body":${nested}}` : nested;
      const base = jobBody();
      delete base[field];
      const text = `${JSON.stringify(base).slice(0, -1)},"${field}":${value}}`;
      const res = await t.http.post('/api/v1/jobs/').set('content-type', 'application/json').send(text);
      if (depth < MAX_JSON_DEPTH) {
        expect(res.status).toBe(201);
      } else {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect([res.body.message].flat().join(' ')).toMatch(new RegExp(field));
        expect(await counts()).toEqual(before);
      }
      await t.http.get('/api/v1/auth/me').expect(200);
    });

    it('refuses deep JSON in execute override_kwargs and validate-schedule without a 5xx', async () => {
      const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
      const exec = await t.http
        .post(`/api/v1/jobs/${jobId}/execute`)
        .set('content-type', 'application/json')
        .send(`{"force":true,"override_kwargs":${deep}}`);
      expect(exec.status).toBe(400);
      expect([exec.body.message].flat().join(' ')).toMatch(/override_kwargs/);
      // validate-schedule takes at most 4 KiB: deep JSON has to fit in that.
      const deepButSmall = `${'['.repeat(900)}${']'.repeat(900)}`;
      const preview = await t.http
        .post('/api/v1/jobs/validate-schedule')
        .set('content-type', 'application/json')
        .send(`{"schedule_type":"cron","schedule_expression":"* * * * *","timezone":${deepButSmall}}`);
      expect(preview.status).toBe(400);
      expect([preview.body.message].flat().join(' ')).toMatch(/timezone/);
    });
  });

  describe('paths and URLs in task kwargs', () => {
    it.each([
      ['document_cleanup', { pattern: '../outside/**' }, /task_kwargs\.pattern/],
      ['document_cleanup', { pattern: '/etc/**' }, /task_kwargs\.pattern/],
      ['document_cleanup', { pattern: 'a/../../b' }, /task_kwargs\.pattern/],
      ['http.request', { url: 'file:///etc/passwd' }, /task_kwargs\.url/],
      ['http.request', { url: 'ftp://127.0.0.1/x' }, /task_kwargs\.url/],
      ['http.request', { url: 'gopher://127.0.0.1:70/_x' }, /task_kwargs\.url/],
      ['http.request', { url: 'javascript:alert(1)' }, /task_kwargs\.url/],
      ['http.request', { url: 'data:text/plain,hi' }, /task_kwargs\.url/],
      ['http.request', { url: '/relative/path' }, /task_kwargs\.url/],
      ['mcp_server_health_check', { servers: ['file:///tmp/mcp.sock'] }, /task_kwargs\.servers\.0/],
      [
        'mcp_server_health_check',
        { servers: ['http://127.0.0.1:1/mcp', 'ws://127.0.0.1:1/mcp'] },
        /task_kwargs\.servers\.1/,
      ],
    ])('%s with %j is refused at create, update and execute', async (task, kwargs, field) => {
      const jobType = task === 'http.request' ? 'custom' : task;
      const before = await counts();
      const create = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ job_type: jobType, task_name: task, task_kwargs: kwargs }));
      expect(create.status).toBe(400);
      expect([create.body.message].flat().join(' ')).toMatch(field);
      const safe = task === 'http.request' ? { url: 'http://127.0.0.1:9/x' } : {};
      const job = (
        await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ job_type: jobType, task_name: task, task_kwargs: safe, is_enabled: false }))
          .expect(201)
      ).body;
      const update = await t.http.put(`/api/v1/jobs/${job.id}`).send({ task_kwargs: kwargs });
      expect(update.status).toBe(400);
      expect([update.body.message].flat().join(' ')).toMatch(field);
      const execute = await t.http
        .post(`/api/v1/jobs/${job.id}/execute`)
        .send({ force: true, override_kwargs: kwargs });
      expect(execute.status).toBe(400);
      const runs = await withClient(
        t.db.url,
        async (c) => (await c.query('SELECT count(*)::int AS n FROM executions WHERE job_id = $1', [job.id])).rows[0].n,
      );
      expect(runs).toBe(0);
      await t.http.delete(`/api/v1/jobs/${job.id}`).expect(204);
      expect(await counts()).toEqual(before);
    });
  });

  describe('what responses never carry', () => {
    it('no password, hash, JWT secret or token of another in any answer', async () => {
      const hashes = await withClient(t.db.url, async (c) =>
        (await c.query('SELECT password_hash FROM users')).rows.map((r) => r.password_hash as string),
      );
      const secrets = [TEST_ADMIN.password, TEST_USER.password, t.config.jwtSecret!, ...hashes];
      const answers = await Promise.all([
        t.http.get('/api/v1/users?size=100'),
        t.http.get('/api/v1/auth/me'),
        t.asUser.get('/api/v1/auth/me'),
        t.http.get('/api/v1/audit-logs?size=100'),
        t.http.get('/api/v1/jobs/?size=100'),
        t.http.get('/api/v1/jobs/stats/overview'),
        t.http.get('/api/v1/tasks'),
        t.http.get('/docs-json'),
        t.anon.get('/health'),
        t.anon.get('/health/ready'),
        t.anon.get('/metrics'),
        t.http.get('/api/v1/users?password=x'),
        t.anon.get('/api/v1/jobs/').set('Authorization', `Bearer ${t.tokens.admin}x`),
        t.asUser.post('/api/v1/users').send({ username: 'eve', password: 'eve-password-1', is_superuser: true }),
        t.anon.post('/api/v1/auth/login').send({ username: TEST_ADMIN.username, password: 'wrong-password' }),
      ]);
      for (const res of answers) {
        const text = `${res.text} ${JSON.stringify(res.headers)}`;
        for (const secret of secrets) expect(text).not.toContain(secret);
        // No answer carries a token except the login that issues it.
        expect(text).not.toContain(t.tokens.admin);
        expect(text).not.toContain(t.tokens.user);
        expect(text).not.toMatch(/\$argon2|\$2[aby]\$/);
      }
    });

    it('a new random secret sent as a header to a job is kept out of the audit log', async () => {
      const secret = randomBytes(12).toString('hex');
      const job = (
        await t.http
          .post('/api/v1/jobs/')
          .send(
            jobBody({ task_kwargs: { url: 'http://127.0.0.1:9/x', headers: { authorization: `Bearer ${secret}` } } }),
          )
          .expect(201)
      ).body;
      const audit = await withClient(t.db.url, async (c) =>
        JSON.stringify(
          (
            await c.query("SELECT changes FROM audit_logs WHERE entity_type = 'job' AND entity_id = $1", [
              String(job.id),
            ])
          ).rows,
        ),
      );
      expect(audit).not.toContain(secret);
    });
  });
});
