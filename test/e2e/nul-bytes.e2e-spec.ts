import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/** PostgreSQL refuses NUL in text; found by the fuzzer as a 500 on login. Now a 400 naming the field, changing nothing. */
describe('NUL characters in text input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('nul_bytes', { ROLES: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  const snapshot = () =>
    withClient(t.db.url, async (c) =>
      JSON.stringify(
        (await c.query(`SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM audit_logs) AS audit`)).rows,
      ),
    );

  it.each([
    ['login username', 'username', () => t.anon.post('/api/v1/auth/login').send({ username: '\u0000', password: ' ' })],
    ['job title', 'title', () => t.http.post('/api/v1/jobs/').send(jobBody({ title: 'a\u0000b' }))],
    [
      'job kwargs',
      'task_kwargs.deep.1',
      () => t.http.post('/api/v1/jobs/').send(jobBody({ task_kwargs: { deep: ['ok', 'x\u0000'] } })),
    ],
    ['search filter', 'search', () => t.http.get('/api/v1/jobs/?search=%00')],
    ['audit-log filter', 'actor', () => t.http.get('/api/v1/audit-logs?actor=a%00')],
    [
      'execute override_kwargs key',
      'override_kwargs.k\u0000',
      () => t.http.post('/api/v1/jobs/1/execute').send({ force: true, override_kwargs: { 'k\u0000': 1 } }),
    ],
  ])('rejects a NUL in the %s with a 400 naming the field, and changes nothing', async (_label, field, send) => {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: [`${field}: must not contain the NUL character (\\u0000)`],
      details: [{ field, message: 'must not contain the NUL character (\\u0000)' }],
    });
    expect(await snapshot()).toBe(before);
  });
});
