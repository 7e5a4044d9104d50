import type { Env } from '../../src/config/config.schema';
import { jobBody } from '../factories/job.factory';
import { startRecordingServer, type LocalServer } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-server';

/**
 * HTTP_TASK_DENIED_HOSTS / HTTP_TASK_ALLOWED_HOSTS through the real stack: a literal address
 * is refused when the job is saved; a name is resolved by the worker, and a denied address
 * fails the run before any connection is made, so the server never sees a request.
 */
describe.each<[string, Partial<Env>, RegExp]>([
  [
    'HTTP_TASK_DENIED_HOSTS=127.0.0.1/8,::1',
    { HTTP_TASK_DENIED_HOSTS: '127.0.0.1/8,::1' },
    /is denied by HTTP_TASK_DENIED_HOSTS/,
  ],
  [
    'HTTP_TASK_ALLOWED_HOSTS=hooks.example.com,10.0.0.0/8',
    { HTTP_TASK_ALLOWED_HOSTS: 'hooks.example.com,10.0.0.0/8' },
    /is not in HTTP_TASK_ALLOWED_HOSTS/,
  ],
])('http.request with %s', (_label, env, refusal) => {
  let t: TestApp;
  let server: LocalServer;

  beforeAll(async () => {
    server = await startRecordingServer((_req, res) => void res.writeHead(200).end('reached'));
    t = await createTestApp('tasks_http_hosts', { ROLES: 'api,worker', ...env });
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('refuses a job at the loopback address with a 400 naming task_kwargs.url', async () => {
    const res = await t.http.post('/api/v1/jobs').send(jobBody({ task_kwargs: { url: `${server.url}/hook` } }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([res.body.message].flat().join(' ')).toMatch(
      new RegExp(`task_kwargs\\.url: address 127\\.0\\.0\\.1 ${refusal.source}`),
    );
  });

  it('fails a run at a name that resolves to loopback, and no request reaches the server', async () => {
    const port = new URL(server.url).port;
    const job = (
      await t.http
        .post('/api/v1/jobs')
        .send(jobBody({ task_kwargs: { url: `http://localhost:${port}/hook`, method: 'GET' } }))
        .expect(201)
    ).body;
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body;
    const ended = await eventually(`run ${run.id} to end`, async () => {
      const current = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
      return ['queued', 'running'].includes(current.status) ? undefined : current;
    });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(
      new RegExp(
        `GET http://localhost:${port}/hook failed: refused: host localhost \\(address (127\\.0\\.0\\.1|::1)\\) ${refusal.source}; nothing was sent`,
      ),
    );
    expect(server.received).toEqual([]);
  });
});

describe('http.request with HTTP_TASK_ALLOWED_HOSTS=localhost', () => {
  let t: TestApp;
  let server: LocalServer;

  beforeAll(async () => {
    server = await startRecordingServer((_req, res) => void res.writeHead(200).end('reached'));
    t = await createTestApp('tasks_http_allowed', { ROLES: 'api,worker', HTTP_TASK_ALLOWED_HOSTS: 'localhost' });
  });
  afterAll(async () => {
    await t.close();
    await server.close();
  });

  it('reaches an allowed name, and refuses any other host when the job is saved', async () => {
    const port = new URL(server.url).port;
    const job = (
      await t.http
        .post('/api/v1/jobs')
        .send(jobBody({ task_kwargs: { url: `http://localhost:${port}/allowed`, method: 'GET' } }))
        .expect(201)
    ).body;
    const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body;
    const ended = await eventually(`run ${run.id} to end`, async () => {
      const current = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
      return ['queued', 'running'].includes(current.status) ? undefined : current;
    });
    expect(ended).toMatchObject({ status: 'succeeded', result: { status_code: 200, body: 'reached' } });
    expect(server.received.map((r) => r.url)).toEqual(['/allowed']);
    for (const url of [`${server.url}/x`, 'http://example.com/hook']) {
      const res = await t.http.post('/api/v1/jobs').send(jobBody({ task_kwargs: { url } }));
      expect(res.status).toBe(400);
      expect([res.body.message].flat().join(' ')).toMatch(/task_kwargs\.url: .* is not in HTTP_TASK_ALLOWED_HOSTS/);
    }
  });
});
