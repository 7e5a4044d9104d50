import type { Server } from 'node:http';
import { createJobsClient, errorMessage, type ApiError, type CreateJob, type Job } from '../../clients/typescript/src';
import { jobBody } from '../factories/job.factory';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';

// Issue 20, item 3: the TypeScript client (clients/typescript, generated from openapi.json by
// `npm run sdk`), compiled with the test and used against the real server, as the README shows.
describe('TypeScript client (clients/typescript) against the real server', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp('sdk', { ROLES: 'api' });
    const server = t.app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs in, creates, lists, updates and reads a job, each answer typed', async () => {
    const session: { token?: string } = {};
    const api = createJobsClient(base, () => session.token);
    const login = await api.POST('/api/v1/auth/login', { body: TEST_ADMIN });
    expect(login.response.status).toBe(200);
    session.token = login.data!.access_token;

    const body = jobBody({ tags: ['sdk'] }) as CreateJob;
    const created = await api.POST('/api/v1/jobs', { body });
    expect(created.response.status).toBe(201);
    const job: Job = created.data!;
    expect(job).toMatchObject({ name: body.name, tags: ['sdk'], remaining_runs: null });

    const listed = await api.GET('/api/v1/jobs', { params: { query: { tag: ['sdk'] } } });
    expect(listed.data!.items.map((j) => j.id)).toEqual([job.id]);

    const updated = await api.PUT('/api/v1/jobs/{id}', {
      params: { path: { id: job.id } },
      body: { max_runs: 3, task_kwargs: { url: 'http://127.0.0.1:9/sdk' } },
    });
    expect(updated.data).toMatchObject({ max_runs: 3, remaining_runs: 3 });
    // Free-form objects are typed as open records.
    const kwargs: Record<string, unknown> = updated.data!.task_kwargs;
    expect(kwargs.url).toBe('http://127.0.0.1:9/sdk');
  });

  it('types the errors as the API sends them: status, code and a message naming the field', async () => {
    const anonymous = createJobsClient(base, () => undefined);
    const refused = await anonymous.GET('/api/v1/jobs');
    expect(refused.response.status).toBe(401);
    const unauthorized: ApiError = refused.error!;
    expect(unauthorized).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });

    const admin = createJobsClient(base, () => t.tokens.admin);
    const missing = await admin.GET('/api/v1/jobs/{id}', { params: { path: { id: 999_999 } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ statusCode: 404, code: 'JOB_NOT_FOUND' });

    const invalid = await admin.POST('/api/v1/jobs', {
      body: { ...(jobBody() as CreateJob), jitter_seconds: 9999 },
    });
    expect(invalid.response.status).toBe(400);
    expect(errorMessage(invalid.error!)).toMatch(/jitter_seconds/);
  });
});
