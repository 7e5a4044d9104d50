import type { Response } from 'supertest';
import { MAX_JSON_KEYS } from '../../src/common/json-depth';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * Issue 13, findings 2, 4 and 10, through the real HTTP stack: oversized and many-keyed bodies
 * are refused early with small answers, dates that JavaScript cannot read and ill-formed
 * Unicode are a 400 naming the field (not a 500), and keys named like Object.prototype
 * members are refused instead of being dropped or injected.
 */
describe('Input hardening', () => {
  let t: TestApp;
  let jobId: number;

  beforeAll(async () => {
    t = await createTestApp('input_hardening', { ROLES: 'api' });
    jobId = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false, task_kwargs: { url: 'http://127.0.0.1:9/x' } }))
        .expect(201)
    ).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Everything a refused request must leave alone. */
  const snapshot = () =>
    withClient(t.db.url, async (c) =>
      JSON.stringify(
        (
          await c.query(`SELECT (SELECT md5(coalesce(string_agg(j::text, '|' ORDER BY id), '')) FROM jobs j) AS jobs,
                                (SELECT count(*) FROM executions) AS runs, (SELECT count(*) FROM users) AS users,
                                (SELECT count(*) FROM audit_logs) AS audit`)
        ).rows,
      ),
    );

  /** A 400 in the error format of the spec, whose details name `field`, and that changed nothing. */
  async function expectRefused(send: () => Promise<Response>, field: string, problem: RegExp): Promise<Response> {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: expect.anything(),
      details: expect.any(Array),
    });
    expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(problem) });
    expect([res.body.message].flat().join('\n')).toContain(field);
    expect(await snapshot()).toBe(before);
    return res;
  }

  const manyKeys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`field_${i}`, i]));

  describe('finding 2: one request must not stall the process', () => {
    it('answers a 658 KB login of 40,000 unknown keys with a small 413 naming the limit, at once', async () => {
      const body = { username: 'x', password: 'y', ...manyKeys(40_000) };
      expect(JSON.stringify(body).length).toBeGreaterThan(600_000);
      const before = await snapshot();
      const res = await t.anon.post('/api/v1/auth/login').send(body);
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than the 4 KiB limit of this route',
      });
      expect(res.text.length).toBeLessThan(300);
      expect(await snapshot()).toBe(before);
    });

    it('gives validate-schedule, user creation and every auth route the small limit too', async () => {
      const big = { ...manyKeys(40_000) };
      const answers = await Promise.all([
        t.asUser
          .post('/api/v1/jobs/validate-schedule')
          .send({ schedule_type: 'daily', schedule_expression: '09:30', ...big }),
        t.http.post('/api/v1/users').send({ username: 'someone', password: 'a-long-enough-password', ...big }),
        t.asUser.post('/api/v1/auth/whatever').send(big),
        t.anon.post('/api/v1/auth/login').send({ username: 'x', password: 'y'.repeat(5000) }),
        // Routes match case-insensitively and with a trailing slash: so does the limit.
        t.anon.post('/API/V1/AUTH/LOGIN').send({ username: 'x', password: 'y', ...big }),
        t.asUser
          .post('/api/v1/jobs/validate-schedule/')
          .send({ schedule_type: 'daily', schedule_expression: '09:30', ...big }),
      ]);
      for (const res of answers) {
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/4 KiB/) });
      }
    });

    it('keeps the 1 MiB limit for job bodies', async () => {
      const res = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ description: 'x'.repeat(5000), config: { blob: 'x'.repeat(200_000) } }));
      expect(res.status).toBe(201);
      await t.http.delete(`/api/v1/jobs/${res.body.id}`).expect(204);
      const tooBig = await t.http.post('/api/v1/jobs/').send(jobBody({ config: { blob: 'x'.repeat(1_100_000) } }));
      expect(tooBig.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than the 1 MiB limit of this route',
      });
    });

    it(`refuses a job body with an object of more than ${MAX_JSON_KEYS} keys before validating it, naming the field`, async () => {
      const top = await expectRefused(
        () => t.http.post('/api/v1/jobs/').send({ ...jobBody(), ...manyKeys(40_000) }),
        'body',
        /more than 1000 keys/,
      );
      expect(top.text.length).toBeLessThan(1000);
      await expectRefused(
        () => t.http.post('/api/v1/jobs/').send(jobBody({ config: manyKeys(40_000) })),
        'config',
        /more than 1000 keys/,
      );
      await expectRefused(
        () => t.http.put(`/api/v1/jobs/${jobId}`).send({ metadata: { nested: [manyKeys(MAX_JSON_KEYS + 1)] } }),
        'metadata',
        /more than 1000 keys/,
      );
      await expectRefused(
        () =>
          t.http
            .post(`/api/v1/jobs/${jobId}/execute`)
            .send({ force: true, override_kwargs: manyKeys(MAX_JSON_KEYS + 1) }),
        'override_kwargs',
        /more than 1000 keys/,
      );
      // Up to the limit, the keys are data: a config of exactly MAX_JSON_KEYS keys is kept whole.
      const full = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ config: manyKeys(MAX_JSON_KEYS) }))
        .expect(201);
      expect(Object.keys(full.body.config)).toHaveLength(MAX_JSON_KEYS);
      await t.http.delete(`/api/v1/jobs/${full.body.id}`).expect(204);
    });

    it('lists at most 20 problems in a 400, then how many more there are', async () => {
      const res = await expectRefused(
        () => t.http.post('/api/v1/jobs/').send({ ...jobBody(), ...manyKeys(900) }),
        'field_0',
        /should not exist/,
      );
      expect(res.body.message).toHaveLength(21);
      expect(res.body.message[20]).toBe('… and 880 more');
      expect(res.body.details).toHaveLength(20);
      expect(res.text.length).toBeLessThan(4000);
      const login = await t.anon.post('/api/v1/auth/login').send({ username: 'x', password: 'y', ...manyKeys(150) });
      expect(login.status).toBe(400);
      expect(login.body.message).toHaveLength(21);
    });
  });

  describe('finding 4: dates that JavaScript cannot read, and ill-formed Unicode, are a 400 (not a 500)', () => {
    const routes = () => ['/api/v1/executions', `/api/v1/jobs/${jobId}/executions`, '/api/v1/audit-logs'];
    const badDates = [
      '2026-W01',
      '2026-W01-1',
      '20260101T000000Z',
      '20260101',
      '2026-001',
      '2026-01-01T00:00:00+0100',
      '2026-02-30T00:00:00Z',
    ];

    it.each(['from', 'to'])(
      'refuses week, ordinal and basic-format dates in every %s query parameter, naming it',
      async (param) => {
        for (const route of routes()) {
          for (const value of badDates) {
            await expectRefused(
              () => t.http.get(`${route}?${param}=${encodeURIComponent(value)}`),
              param,
              /ISO 8601 date-time in extended format/,
            );
          }
        }
      },
    );

    it('still reads extended-format dates and date-times on every route', async () => {
      for (const route of routes()) {
        for (const value of ['2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00.5+01:00', '2026-01-01T00:00']) {
          const res = await t.http.get(`${route}?from=${encodeURIComponent(value)}&to=2100-01-01T00:00:00Z`);
          expect(res.status).toBe(200);
        }
      }
    });

    it.each([
      '2026-W01T00:00:00Z',
      '20260101T000000Z',
      '2026-001T00:00:00Z',
      '2026-01-01T00:00:00+0100',
      '2026-01-01t00:00:00z',
    ])('refuses validate-schedule from %s, naming it', async (from) => {
      await expectRefused(
        () =>
          t.asUser
            .post('/api/v1/jobs/validate-schedule')
            .send({ schedule_type: 'daily', schedule_expression: '09:30', from }),
        'from',
        /ISO 8601 date-time with an offset/,
      );
    });

    it('refuses a lone surrogate in any string value or key of a job create, update or execute, naming the field', async () => {
      const lone = /well-formed Unicode/;
      await expectRefused(() => t.http.post('/api/v1/jobs/').send(jobBody({ title: '\ud800 lone' })), 'title', lone);
      await expectRefused(
        () => t.http.post('/api/v1/jobs/').send(jobBody({ description: 'end \udfff' })),
        'description',
        lone,
      );
      await expectRefused(
        () => t.http.post('/api/v1/jobs/').send(jobBody({ metadata: { ['k\ud83d']: 'v' } })),
        'metadata.k\ud83d',
        lone,
      );
      await expectRefused(
        () =>
          t.http
            .post('/api/v1/jobs/')
            .send(jobBody({ task_kwargs: { url: 'http://127.0.0.1:9/x', list: ['ok', '\udc00'] } })),
        'task_kwargs.list.1',
        lone,
      );
      await expectRefused(() => t.http.put(`/api/v1/jobs/${jobId}`).send({ title: '\ud800 lone' }), 'title', lone);
      await expectRefused(
        () => t.http.post(`/api/v1/jobs/${jobId}/execute`).send({ force: true, override_kwargs: { note: '\ud800' } }),
        'override_kwargs.note',
        lone,
      );
      await expectRefused(
        () => t.anon.post('/api/v1/auth/login').send({ username: 'a\ud800', password: 'x' }),
        'username',
        lone,
      );
      // Surrogate pairs are well-formed: an emoji is kept.
      const emoji = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ title: 'Backup 😀' }))
        .expect(201);
      expect(emoji.body.title).toBe('Backup 😀');
      await t.http.delete(`/api/v1/jobs/${emoji.body.id}`).expect(204);
    });
  });

  describe('finding 10: keys named like Object.prototype members', () => {
    const RESERVED = ['__proto__', 'constructor', 'toString', 'prototype', 'valueOf', 'hasOwnProperty'];
    /** JSON text: `__proto__` would be lost by JSON.stringify of an object literal. */
    const withKey = (field: string, key: string, extra: Record<string, unknown> = {}) => {
      const base = jobBody(extra);
      const inner =
        field === 'task_kwargs'
          ? `{"url":"http://127.0.0.1:9/x","${key}":{"dry_run":true}}`
          : `{"ok":1,"${key}":{"dry_run":true}}`;
      delete base[field];
      return `${JSON.stringify(base).slice(0, -1)},"${field}":${inner}}`;
    };
    const reserved = /reserved name/;

    it.each(RESERVED)(
      'refuses %s in config, metadata and task_kwargs of a new job with a 400 naming it',
      async (key) => {
        for (const field of ['config', 'metadata', 'task_kwargs']) {
          await expectRefused(
            () => t.http.post('/api/v1/jobs/').set('content-type', 'application/json').send(withKey(field, key)),
            `${field}.${key}`,
            reserved,
          );
        }
        await expectRefused(
          () =>
            t.http
              .post('/api/v1/jobs/')
              .set('content-type', 'application/json')
              .send(`{"${key}":{"is_enabled":true},${JSON.stringify(jobBody()).slice(1)}`),
          key,
          reserved,
        );
      },
    );

    it.each(RESERVED)('refuses %s in an update, at any depth, and leaves the job as it was', async (key) => {
      await expectRefused(
        () =>
          t.http
            .put(`/api/v1/jobs/${jobId}`)
            .set('content-type', 'application/json')
            .send(`{"config":{"a":[{"${key}":1}]}}`),
        `config.a.0.${key}`,
        reserved,
      );
      await expectRefused(
        () =>
          t.http
            .put(`/api/v1/jobs/${jobId}`)
            .set('content-type', 'application/json')
            .send(`{"${key}":{"title":"injected"}}`),
        key,
        reserved,
      );
      const job = await t.http.get(`/api/v1/jobs/${jobId}`).expect(200);
      expect(job.body.title).not.toBe('injected');
    });

    it('refuses the execute attack ({"force": true, "__proto__": {"override_kwargs": …}}) and creates no run', async () => {
      const attack = '{"force": true, "__proto__": {"override_kwargs": {"dry_run": true}}}';
      await expectRefused(
        () => t.http.post(`/api/v1/jobs/${jobId}/execute`).set('content-type', 'application/json').send(attack),
        '__proto__',
        reserved,
      );
      for (const key of RESERVED) {
        await expectRefused(
          () =>
            t.http
              .post(`/api/v1/jobs/${jobId}/execute`)
              .set('content-type', 'application/json')
              .send(`{"force":true,"override_kwargs":{"${key}":{"dry_run":true}}}`),
          `override_kwargs.${key}`,
          reserved,
        );
      }
      const runs = await t.http.get(`/api/v1/jobs/${jobId}/executions`).expect(200);
      expect(runs.body.items ?? runs.body.data ?? runs.body).toHaveLength(0);
    });

    it('keeps keys that only resemble them, as plain data', async () => {
      const kept = { proto: 1, Constructor: 2, to_string: 3, __proto: 4, prototypes: 5 };
      const res = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ config: kept, metadata: kept }))
        .expect(201);
      expect(res.body.config).toEqual(kept);
      expect(res.body.metadata).toEqual(kept);
      await t.http.delete(`/api/v1/jobs/${res.body.id}`).expect(204);
    });
  });
});
