import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ValidationFailedError } from '../../src/common/errors';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import type { TaskContext } from '../../src/modules/tasks/task.types';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually } from '../support/webhook-server';

interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function taskContext(signal = new AbortController().signal): TaskContext {
  return {
    signal,
    runId: 1,
    jobId: 1,
    jobName: 'test',
    attempt: 1,
    scheduledFor: new Date('2026-11-30T12:00:00Z'),
    logger: { debug: () => undefined, log: () => undefined, warn: () => undefined, error: () => undefined },
  };
}

describe('http.request task and GET /api/v1/tasks', () => {
  let t: TestApp;
  let registry: TaskRegistry;
  let server: http.Server;
  let baseUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    t = await createTestApp('tasks_http');
    registry = t.app.get(TaskRegistry);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method!, headers: req.headers, body });
        if (req.url === '/fail') {
          res.writeHead(503).end('upstream is down for maintenance');
        } else if (req.url === '/slow') {
          const timer = setTimeout(() => res.writeHead(200).end('late'), 5000);
          res.on('close', () => clearTimeout(timer));
        } else {
          res.writeHead(201, { 'content-type': 'text/plain' }).end('x'.repeat(5000));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  it('lists every task with the JSON Schema of its kwargs', async () => {
    const res = await t.http.get('/api/v1/tasks').expect(200);
    const httpTask = res.body.find((task: { name: string }) => task.name === 'http.request');
    expect(httpTask).toMatchObject({
      description: expect.any(String),
      kwargs: {
        type: 'object',
        required: ['url'],
        properties: { method: { default: 'POST' }, url: { type: 'string' }, timeout_seconds: { default: 30 } },
      },
    });
  });

  it('POSTs the body as JSON with the given headers and returns the status and the start of the answer', async () => {
    const result = await registry.run(
      'http.request',
      { url: `${baseUrl}/hook`, headers: { 'x-token': 'abc' }, body: { hello: 'world' } },
      [],
      taskContext(),
    );
    expect(result).toEqual({ status_code: 201, body: 'x'.repeat(2000) });
    const last = received[received.length - 1];
    expect(last.method).toBe('POST');
    expect(last.headers['x-token']).toBe('abc');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ hello: 'world' });
    // Which run and fire time the call is for; the idempotency key is the same for every attempt of it.
    expect(last.headers).toMatchObject({
      'x-jobs-run-id': '1',
      'x-jobs-job-id': '1',
      'x-jobs-attempt': '1',
      'x-jobs-scheduled-for': '2026-11-30T12:00:00.000Z',
      'idempotency-key': 'job-1-2026-11-30T12:00:00.000Z',
    });
  });

  it("lets the job's own headers replace the run headers, whatever their case", async () => {
    await registry.run(
      'http.request',
      { url: `${baseUrl}/hook`, headers: { 'Idempotency-Key': 'mine' } },
      [],
      taskContext(),
    );
    const last = received[received.length - 1];
    expect(last.headers['idempotency-key']).toBe('mine');
    expect(last.headers['x-jobs-run-id']).toBe('1');
  });

  it('fails on a non-2xx answer with the status code and the start of the body', async () => {
    await expect(
      registry.run('http.request', { url: `${baseUrl}/fail`, method: 'GET' }, [], taskContext()),
    ).rejects.toThrow(/503.*upstream is down/);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out')), 100);
    await expect(
      registry.run('http.request', { url: `${baseUrl}/slow` }, [], taskContext(controller.signal)),
    ).rejects.toThrow('timed out');
  });

  it('gives up after timeout_seconds', async () => {
    await expect(
      registry.run('http.request', { url: `${baseUrl}/slow`, timeout_seconds: 0.2 }, [], taskContext()),
    ).rejects.toThrow(/no complete answer within 0\.2 s \(timeout_seconds\)/);
  });

  it.each([
    [{ url: 'file:///etc/passwd' }, 'task_kwargs.url: must be an http:// or https:// URL'],
    [{ url: 'ftp://example.com/x' }, 'task_kwargs.url'],
    [{}, 'task_kwargs.url'],
    [{ url: 'http://x.test', headers: { a: 1 } }, 'task_kwargs.headers.a'],
    [{ url: 'http://x.test', bogus: 1 }, 'task_kwargs.bogus'],
  ])('rejects kwargs %j at validation', (kwargs, message) => {
    expect(() => registry.validateKwargs('http.request', kwargs)).toThrow(ValidationFailedError);
    expect(() => registry.validateKwargs('http.request', kwargs)).toThrow(message);
  });

  it('rejects an unknown task name listing the known ones', () => {
    expect(() => registry.validateKwargs('nope', {})).toThrow(
      /task_name: unknown task "nope"; known tasks: .*http\.request/,
    );
  });
});

/** A server that promises `Content-Length: 1000`, sends 5 bytes and then keeps the connection open (or closes it). */
async function startShortBodyServer(thenClose: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nshort');
      if (thenClose) socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('http.request runs: timeouts and the network policy (issue 13, finding 11)', () => {
  let t: TestApp;
  let stalling: Awaited<ReturnType<typeof startShortBodyServer>>;
  /** A run with the default task timeout against a stalling server; the other tests run meanwhile. */
  let defaultRun: Promise<{ status: string; error: string; elapsedMs: number }>;

  beforeAll(async () => {
    t = await createTestApp('tasks_http_runs', { ROLES: 'api,worker' });
    stalling = await startShortBodyServer(false);
    const started = Date.now();
    defaultRun = runToEnd({ task_kwargs: { url: `${stalling.url}/default`, method: 'GET' } }).then((run) => ({
      ...run,
      elapsedMs: Date.now() - started,
    }));
    defaultRun.catch(() => undefined); // observed by the last test
  });
  afterAll(async () => {
    await stalling.close();
    await t.close();
  });

  async function runToEnd(job: Record<string, unknown>) {
    const created = (await t.http.post('/api/v1/jobs').send(jobBody(job)).expect(201)).body;
    const run = (await t.http.post(`/api/v1/jobs/${created.id}/execute`).send({ force: true }).expect(202)).body;
    return eventually(
      `run ${run.id} to end`,
      async () => {
        const current = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
        return ['queued', 'running'].includes(current.status) ? undefined : current;
      },
      50_000,
    );
  }

  it('fails a run whose server sends a short body with a larger Content-Length, within timeout_seconds', async () => {
    const server = await startShortBodyServer(false);
    try {
      const started = Date.now();
      const run = await runToEnd({ task_kwargs: { url: `${server.url}/short`, method: 'GET', timeout_seconds: 1 } });
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(
        /GET http:\/\/127\.0\.0\.1:\d+\/short: no complete answer within 1 s \(timeout_seconds\)/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await server.close();
    }
  });

  it('fails at once, saying so, when that server closes the connection instead', async () => {
    const server = await startShortBodyServer(true);
    try {
      const run = await runToEnd({ task_kwargs: { url: `${server.url}/short`, method: 'GET' } });
      expect(run).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/closed after 200 before the whole answer arrived/),
      });
    } finally {
      await server.close();
    }
  });

  it("is bounded by the job's timeout_seconds when that is shorter than the task's", async () => {
    const server = await startShortBodyServer(false);
    try {
      const run = await runToEnd({ timeout_seconds: 2, task_kwargs: { url: `${server.url}/short`, method: 'GET' } });
      expect(run).toMatchObject({ status: 'timed_out', error: 'Timed out after 2 s' });
    } finally {
      await server.close();
    }
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://2852039166/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://[fe80::1]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'https://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
  ])('refuses %s with a 400 naming task_kwargs.url at create, update and execute, and changes nothing', async (url) => {
    const before = await withClient(
      t.db.url,
      async (c) => (await c.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n,
    );
    const create = await t.http.post('/api/v1/jobs').send(jobBody({ task_kwargs: { url } }));
    expect(create.status).toBe(400);
    expect(create.body.code).toBe('VALIDATION_FAILED');
    expect([create.body.message].flat().join(' ')).toMatch(/task_kwargs\.url: .*is denied by HTTP_TASK_DENIED_HOSTS/);
    const job = (
      await t.http
        .post('/api/v1/jobs')
        .send(jobBody({ is_enabled: false }))
        .expect(201)
    ).body;
    const update = await t.http.put(`/api/v1/jobs/${job.id}`).send({ task_kwargs: { url } });
    expect(update.status).toBe(400);
    expect([update.body.message].flat().join(' ')).toMatch(/task_kwargs\.url/);
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body.task_kwargs.url).toBe(
      'http://127.0.0.1:9/unused',
    );
    const execute = await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true, override_kwargs: { url } });
    expect(execute.status).toBe(400);
    const runs = await withClient(
      t.db.url,
      async (c) => (await c.query('SELECT count(*)::int AS n FROM executions WHERE job_id = $1', [job.id])).rows[0].n,
    );
    expect(runs).toBe(0);
    await t.http.delete(`/api/v1/jobs/${job.id}`).expect(204);
    expect(
      await withClient(t.db.url, async (c) => (await c.query('SELECT count(*)::int AS n FROM jobs')).rows[0].n),
    ).toBe(before);
  });

  it('fails the run against the stalling server after the default 30 s although the job allows an hour', async () => {
    const run = await defaultRun;
    expect(run).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/\/default: no complete answer within 30 s \(timeout_seconds\)/),
    });
    expect(run.elapsedMs).toBeGreaterThanOrEqual(29_000);
    expect(run.elapsedMs).toBeLessThan(50_000);
  }, 60_000);
});
