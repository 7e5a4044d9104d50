import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Every domain error answers `{statusCode, error, code, message}` with a specific, stable `code`
 * (SPEC.md "Errors"): the category sets the status, the code says what happened.
 */
describe('Error codes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('error_codes');
  });
  afterAll(async () => {
    await t.close();
  });

  const codeOf = (res: { status: number; body: { code?: string } }) => ({ status: res.status, code: res.body.code });

  it('JOB_NOT_FOUND, JOB_NAME_TAKEN, JOB_NOT_RUNNABLE, SCHEDULE_INVALID', async () => {
    expect(codeOf(await t.http.get('/api/v1/jobs/999999'))).toEqual({ status: 404, code: 'JOB_NOT_FOUND' });
    expect(codeOf(await t.http.get('/api/v1/jobs/999999/executions'))).toEqual({ status: 404, code: 'JOB_NOT_FOUND' });
    const body = jobBody({ is_enabled: false });
    const job = (await t.http.post('/api/v1/jobs/').send(body).expect(201)).body as { id: number };
    expect(codeOf(await t.http.post('/api/v1/jobs/').send(body))).toEqual({ status: 409, code: 'JOB_NAME_TAKEN' });
    const refused = await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({});
    expect(codeOf(refused)).toEqual({ status: 409, code: 'JOB_NOT_RUNNABLE' });
    expect(refused.body.message).toBe(`Job ${job.id} is disabled; send "force": true (CLI: --force) to run it anyway`);
    const badSchedule = await t.http
      .post('/api/v1/jobs/')
      .send(jobBody({ schedule_type: 'daily', schedule_expression: '25:00' }));
    expect(codeOf(badSchedule)).toEqual({ status: 400, code: 'SCHEDULE_INVALID' });
    expect(badSchedule.body.details).toEqual([
      { field: 'schedule_expression', message: expect.stringContaining('25') },
    ]);
  });

  it('VALIDATION_FAILED names each field at fault once', async () => {
    const { title: _title, ...withoutTitle } = jobBody();
    const res = await t.http.post('/api/v1/jobs/').send({ ...withoutTitle, task_priority: 'high' });
    expect(codeOf(res)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.details).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'task_priority', message: 'task_priority must be an integer number' },
    ]);
  });

  it('RUN_NOT_FOUND, RUN_NOT_CANCELLABLE', async () => {
    expect(codeOf(await t.http.get('/api/v1/executions/999999'))).toEqual({ status: 404, code: 'RUN_NOT_FOUND' });
    expect(codeOf(await t.http.post('/api/v1/executions/999999/cancel'))).toEqual({
      status: 404,
      code: 'RUN_NOT_FOUND',
    });
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false }))
        .expect(201)
    ).body as { id: number };
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body as {
      id: number;
    };
    // The first cancel may lose the race with the worker finishing the run; either way it has ended after it.
    await t.http.post(`/api/v1/executions/${run.id}/cancel`);
    const again = await t.http.post(`/api/v1/executions/${run.id}/cancel`);
    expect(codeOf(again)).toEqual({ status: 409, code: 'RUN_NOT_CANCELLABLE' });
    expect(again.body.message).toMatch(
      new RegExp(
        `^Execution ${run.id} has already ended \\((cancelled|failed|succeeded)\\); only a queued or running run can be cancelled$`,
      ),
    );
  });

  it('INVALID_CREDENTIALS, SUPERUSER_REQUIRED, USERNAME_TAKEN', async () => {
    expect(
      codeOf(await t.anon.post('/api/v1/auth/login').send({ username: 'nobody-here', password: 'not-the-password-1' })),
    ).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(codeOf(await t.asUser.post('/api/v1/jobs/').send(jobBody()))).toEqual({
      status: 403,
      code: 'SUPERUSER_REQUIRED',
    });
    const me = (await t.http.get('/api/v1/auth/me').expect(200)).body as { username: string };
    const taken = await t.http
      .post('/api/v1/users')
      .send({ username: me.username.toUpperCase(), password: 'Correct-horse-battery-9' });
    expect(codeOf(taken)).toEqual({ status: 409, code: 'USERNAME_TAKEN' });
  });
});

describe('A process without the api role', () => {
  it('serves /health and /metrics, and no API route (404 NOT_FOUND): the api root module is not loaded', async () => {
    const worker = await createTestApp('role_worker', { ROLES: 'worker' }, { withoutUsers: true });
    try {
      await worker.anon.get('/health').expect(200);
      await worker.anon.get('/metrics').expect(200);
      for (const path of ['/api/v1/jobs/', '/api/v1/auth/login', '/api/v1/secrets']) {
        const res = await worker.anon.get(path);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
      }
      expect((await worker.anon.post('/api/v1/auth/login').send({ username: 'a', password: 'b' })).status).toBe(404);
    } finally {
      await worker.close();
    }
  });
});
