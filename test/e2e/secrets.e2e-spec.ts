import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

const FINISHED = ['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

/**
 * The secrets store (finding 1 of issue 13) through the real stack: superuser-only CRUD with
 * write-only values encrypted at rest, `{"$secret": "NAME"}` references resolved by the worker
 * (the webhook receives the value) and masked everywhere the run leaves a trace, and the
 * escalation attack: a reader reading an admin's token out of a job and its runs.
 */
describe('Secrets store and credential redaction (in-process, real PostgreSQL and HTTP)', () => {
  let t: TestApp;
  let hook: WebhookServer;
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('secrets', { SECRETS_KEY: key });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.stop();
  });

  const value = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

  async function createJob(name: string, taskKwargs: Record<string, unknown>) {
    const res = await t.http.post('/api/v1/jobs/').send({
      name,
      title: name,
      job_type: 'custom',
      schedule_type: 'interval',
      schedule_expression: '60',
      task_name: 'http.request',
      is_enabled: false,
      task_kwargs: taskKwargs,
    });
    expect(res.status).toBe(201);
    return res.body as { id: number };
  }

  async function runToEnd(jobId: number, overrideKwargs?: Record<string, unknown>) {
    const run = (
      await t.http
        .post(`/api/v1/jobs/${jobId}/execute`)
        .send({ force: true, ...(overrideKwargs ? { override_kwargs: overrideKwargs } : {}) })
        .expect(202)
    ).body as { id: number };
    return eventually(
      `run ${run.id} to finish`,
      async () => {
        const body = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body as {
          status: string;
          result: unknown;
          error: string | null;
          id: number;
        };
        return FINISHED.includes(body.status) ? body : undefined;
      },
      30_000,
      100,
    );
  }

  const rowsOf = async (sql: string, params: unknown[] = []) =>
    withClient(t.db.url, async (c) => (await c.query(sql, params)).rows as Record<string, unknown>[]);

  describe('CRUD /api/v1/secrets', () => {
    it('stores a value write-only, encrypted at rest, audited without it; readers get 403', async () => {
      const secretValue = value('crud');
      const created = await t.http
        .post('/api/v1/secrets')
        .send({ name: 'crud_token', value: secretValue, description: 'for the CRUD test' })
        .expect(201);
      expect(Object.keys(created.body).sort()).toEqual(['created_at', 'description', 'name', 'updated_at']);
      expect(created.body).toMatchObject({ name: 'crud_token', description: 'for the CRUD test' });

      const dup = await t.http
        .post('/api/v1/secrets')
        .send({ name: 'crud_token', value: value('other'), description: null })
        .expect(409);
      expect(dup.body.code).toBe('SECRET_NAME_TAKEN');

      const list = await t.http.get('/api/v1/secrets').expect(200);
      expect(list.body).toMatchObject({ total: 1, items: [{ name: 'crud_token' }] });
      const shown = await t.http.get('/api/v1/secrets/crud_token').expect(200);
      expect(shown.body).toEqual(created.body);

      const newValue = value('crud-new');
      const updated = await t.http
        .put('/api/v1/secrets/crud_token')
        .send({ value: newValue, description: 'rotated' })
        .expect(200);
      expect(updated.body).toMatchObject({ name: 'crud_token', description: 'rotated' });
      expect(updated.body).not.toHaveProperty('value');

      const [row] = await rowsOf(`SELECT ciphertext, iv, auth_tag FROM secrets WHERE name = 'crud_token'`);
      const stored = Buffer.concat([row.ciphertext as Buffer, row.iv as Buffer, row.auth_tag as Buffer]);
      for (const v of [secretValue, newValue]) {
        expect(stored.includes(Buffer.from(v))).toBe(false);
        expect(JSON.stringify(list.body) + JSON.stringify(shown.body) + JSON.stringify(updated.body)).not.toContain(v);
      }

      for (const [method, path] of [
        ['post', '/api/v1/secrets'],
        ['get', '/api/v1/secrets'],
        ['get', '/api/v1/secrets/crud_token'],
        ['put', '/api/v1/secrets/crud_token'],
        ['delete', '/api/v1/secrets/crud_token'],
      ] as const) {
        const res = await t.asUser[method](path).send({ name: 'reader_made', value: value('reader') });
        expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 403`);
      }

      await t.http.delete('/api/v1/secrets/crud_token').expect(204);
      const gone = await t.http.get('/api/v1/secrets/crud_token').expect(404);
      expect(gone.body.code).toBe('SECRET_NOT_FOUND');
      expect((await t.http.put('/api/v1/secrets/crud_token').send({ description: 'x' }).expect(404)).body.code).toBe(
        'SECRET_NOT_FOUND',
      );
      expect((await t.http.delete('/api/v1/secrets/crud_token').expect(404)).body.code).toBe('SECRET_NOT_FOUND');

      const audit = (await t.http.get('/api/v1/audit-logs?entity_type=secret&size=100').expect(200)).body.items as {
        action: string;
        entity_id: string;
      }[];
      expect(audit.map((e) => e.action).sort()).toEqual(['secret.create', 'secret.delete', 'secret.update']);
      expect(audit.every((e) => e.entity_id === 'crud_token')).toBe(true);
      const auditRows = JSON.stringify(await rowsOf(`SELECT * FROM audit_logs`));
      for (const v of [secretValue, newValue]) expect(auditRows).not.toContain(v);
      expect((await rowsOf(`SELECT 1 FROM secrets`)).length).toBe(0);
    });

    it.each([
      [{ name: '1starts-with-digit', value: 'long-enough-value' }, 'name'],
      [{ name: 'has space', value: 'long-enough-value' }, 'name'],
      [{ name: 'x'.repeat(101), value: 'long-enough-value' }, 'name'],
      [{ name: 'short_value', value: 'abc' }, 'value'],
      [{ name: 'no_value' }, 'value'],
      [{ name: 'number_value', value: 12345678 }, 'value'],
      [{ name: 'extra', value: 'long-enough-value', owner: 'x' }, 'owner'],
    ])('refuses %j with 400 naming %s, storing nothing', async (body, field) => {
      const res = await t.http.post('/api/v1/secrets').send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.message)).toContain(field);
      expect((await rowsOf(`SELECT 1 FROM secrets`)).length).toBe(0);
    });
  });

  describe('references', () => {
    it('sends the secret value to the webhook, while the run, answers, audit and kwargs keep only the reference or ***', async () => {
      const secretValue = value('hook-token');
      await t.http
        .post('/api/v1/secrets')
        .send({ name: 'hook_token', value: secretValue, description: 'webhook' })
        .expect(201);
      const kwargs = {
        url: `${hook.url}/echo/ref`,
        headers: { Authorization: { $secret: 'hook_token' }, 'X-Echo': { $secret: 'hook_token' } },
        body: { token_copy: { $secret: 'hook_token' }, note: 'x' },
      };
      const job = await createJob('uses-secret', kwargs);
      const jobAnswer = (await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body;
      expect(jobAnswer.task_kwargs).toEqual(kwargs);

      const run = await runToEnd(job.id);
      expect(run.status).toBe('succeeded');
      // Resolution: the webhook really got the value.
      const [received] = hook.hits('/echo/ref');
      expect(received.headers.authorization).toBe(secretValue);
      expect(received.headers['x-echo']).toBe(secretValue);
      expect(received.body).toEqual({ token_copy: secretValue, note: 'x' });
      // Masking: the webhook echoed it back; the result shows *** instead.
      const body = JSON.parse((run.result as { body: string }).body) as { headers: Record<string, string> };
      expect(body.headers['x-echo']).toBe('***');

      const [stored] = await rowsOf(`SELECT kwargs, result, error FROM executions WHERE id = $1`, [run.id]);
      expect(stored.kwargs).toEqual(kwargs);
      const traces = [
        JSON.stringify(stored),
        JSON.stringify(await rowsOf(`SELECT * FROM jobs`)),
        JSON.stringify(await rowsOf(`SELECT * FROM audit_logs`)),
        JSON.stringify((await t.http.get(`/api/v1/jobs/${job.id}/executions`).expect(200)).body),
        JSON.stringify((await t.http.get(`/api/v1/executions?size=100`).expect(200)).body),
      ];
      for (const trace of traces) expect(trace).not.toContain(secretValue);
    });

    it("masks the value in a failed run's error, and fails a run whose secret does not exist, naming it", async () => {
      const secretValue = value('fail-token');
      await t.http.post('/api/v1/secrets').send({ name: 'fail_token', value: secretValue }).expect(201);
      const job = await createJob('echo-fails', {
        url: `${hook.url}/fail-echo`,
        headers: { 'X-Echo': { $secret: 'fail_token' } },
      });
      const failed = await runToEnd(job.id);
      expect(failed.status).toBe('failed');
      expect(hook.hits('/fail-echo')[0].headers['x-echo']).toBe(secretValue);
      expect(failed.error).toContain('***');
      expect(
        JSON.stringify(await rowsOf(`SELECT error, result FROM executions WHERE id = $1`, [failed.id])),
      ).not.toContain(secretValue);

      const missing = await runToEnd(job.id, { headers: { 'X-Echo': { $secret: 'no_such_secret' } } });
      expect(missing.status).toBe('failed');
      expect(missing.error).toMatch(/Secret "no_such_secret" \(at kwargs\.headers\.X-Echo\) does not exist/);
    });

    it('refuses a malformed reference at create, update and execute with 400 naming the field', async () => {
      const bad = { url: `${hook.url}/ok`, headers: { Authorization: { $secret: 'x', extra: 1 } } };
      const res = await t.http
        .post('/api/v1/jobs/')
        .send({
          name: 'bad-ref',
          title: 'bad',
          job_type: 'custom',
          schedule_type: 'interval',
          schedule_expression: '60',
          task_name: 'http.request',
          task_kwargs: bad,
        })
        .expect(400);
      expect(JSON.stringify(res.body)).toContain('task_kwargs.headers.Authorization');
      const job = await createJob('good-ref', { url: { $secret: 'hook_url' } });
      expect(
        JSON.stringify(
          (
            await t.http
              .put(`/api/v1/jobs/${job.id}`)
              .send({ task_kwargs: { url: { $secret: 5 } } })
              .expect(400)
          ).body,
        ),
      ).toContain('task_kwargs.url');
      expect(
        JSON.stringify(
          (
            await t.http
              .post(`/api/v1/jobs/${job.id}/execute`)
              .send({ force: true, override_kwargs: { url: { $secret: '' } } })
              .expect(400)
          ).body,
        ),
      ).toContain('override_kwargs.url');
    });
  });

  describe('a job read and sent back', () => {
    it('keeps the stored credentials where the answer showed "***"', async () => {
      const credential = value('kept');
      const job = await createJob('round-trip', {
        url: `${hook.url}/echo/before`,
        headers: { Authorization: `Bearer ${credential}`, 'X-Trace': 'a' },
      });
      const read = (await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body as {
        task_kwargs: { url: string; headers: Record<string, string> };
      };
      expect(read.task_kwargs.headers.Authorization).toBe('***');
      const sent = {
        ...read.task_kwargs,
        url: `${hook.url}/echo/after`,
        headers: { ...read.task_kwargs.headers, 'X-Trace': 'b' },
      };
      await t.http
        .put(`/api/v1/jobs/${job.id}`)
        .send({ task_kwargs: sent, metadata: { token: '***' } })
        .expect(200);
      expect((await runToEnd(job.id)).status).toBe('succeeded');
      expect(hook.hits('/echo/after')[0].headers).toMatchObject({
        authorization: `Bearer ${credential}`,
        'x-trace': 'b',
      });
      // Nothing was stored before under metadata.token: "***" is then what was sent.
      const [row] = await rowsOf(`SELECT metadata FROM jobs WHERE id = $1`, [job.id]);
      expect(row.metadata).toEqual({ token: '***' });
    });
  });

  describe('the escalation attack (finding 1) and audit entries (finding 5)', () => {
    it('a reader never sees the admin token a job carries, and cannot create a user with anything it read', async () => {
      const admin = t.tokens.admin;
      const urlToken = value('url-token');
      const signature = value('sig');
      const job = await createJob('carries-admin-token', {
        url: `${hook.url}/echo/attack?token=${urlToken}&page=1`,
        headers: {
          Authorization: `Bearer ${admin}`,
          'X-Auth': admin,
          'X-Hub-Signature': signature,
          'X-Api-Key': admin,
          'Proxy-Authorization': `Basic ${admin}`,
          'X-Trace': 'visible',
        },
        body: {
          nested: { password: admin, access_token: admin, client_secret: admin, private_key: admin },
          link: `https://bot:${admin}@example.test/x`,
        },
      });
      const run = await runToEnd(job.id);
      expect(run.status).toBe('succeeded');
      expect(hook.hits(`/echo/attack?token=${urlToken}&page=1`)[0].headers.authorization).toBe(`Bearer ${admin}`);

      const read: unknown[] = [];
      for (const path of [
        '/api/v1/jobs/',
        `/api/v1/jobs/${job.id}`,
        '/api/v1/executions?size=100',
        `/api/v1/executions/${run.id}`,
        `/api/v1/jobs/${job.id}/executions`,
      ]) {
        const res = await t.asUser.get(path).expect(200);
        read.push(res.body);
        const text = JSON.stringify(res.body);
        for (const credential of [admin, urlToken, signature])
          expect(
            `${path}: ${text.includes(credential) ? text.slice(Math.max(0, text.indexOf(credential) - 300), text.indexOf(credential) + 50) : false}`,
          ).toBe(`${path}: false`);
      }
      const jobAnswer = read[1] as { task_kwargs: { url: string; headers: Record<string, string> } };
      expect(jobAnswer.task_kwargs.url).toBe(`${hook.url}/echo/attack?token=***&page=1`);
      expect(jobAnswer.task_kwargs.headers).toEqual({
        Authorization: '***',
        'X-Auth': '***',
        'X-Hub-Signature': '***',
        'X-Api-Key': '***',
        'Proxy-Authorization': '***',
        'X-Trace': 'visible',
      });

      // Everything the reader read, tried as a token to create a superuser.
      const strings = new Set<string>();
      const collect = (v: unknown): void => {
        if (typeof v === 'string') strings.add(v.replace(/^Bearer /, ''));
        else if (v && typeof v === 'object') Object.values(v).forEach(collect);
      };
      collect(read);
      for (const candidate of [...strings].filter((s) => s.length >= 16)) {
        const res = await request(t.app.getHttpServer())
          .post('/api/v1/users')
          .set('Authorization', `Bearer ${candidate}`)
          .send({ username: 'escalated', password: 'escalated-password-1!' });
        expect(res.status).not.toBe(201);
      }
      expect((await rowsOf(`SELECT 1 FROM users WHERE username = 'escalated'`)).length).toBe(0);

      // Audit entries of job.create / job.update keep no credential (finding 5).
      await t.http
        .put(`/api/v1/jobs/${job.id}`)
        .send({
          task_kwargs: {
            url: `${hook.url}/ok?access_token=${urlToken}`,
            headers: { 'X-Auth-Token': admin, 'X-Signature': signature },
          },
        })
        .expect(200);
      const audit = await rowsOf(
        `SELECT action, changes FROM audit_logs WHERE entity_type = 'job' AND entity_id = $1`,
        [String(job.id)],
      );
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['job.create', 'job.update']));
      const auditText = JSON.stringify(audit);
      for (const credential of [admin, urlToken, signature]) expect(auditText).not.toContain(credential);
      expect(auditText).toContain('access_token=***');
      const answerText = JSON.stringify(
        (await t.http.get(`/api/v1/audit-logs?entity_type=job&size=100`).expect(200)).body,
      );
      for (const credential of [admin, urlToken, signature]) expect(answerText).not.toContain(credential);
    });
  });
});
