import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationFailedError } from '../../src/common/errors';
import { TaskRegistry } from '../../src/modules/tasks/task-registry.service';
import type { TaskContext } from '../../src/modules/tasks/task.types';
import { createTestApp, type TestApp } from '../support/test-app';

interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function taskContext(signal = new AbortController().signal): TaskContext {
  return { signal, runId: 1, jobId: 1, jobName: 'test', attempt: 1, logger: { log: () => undefined, warn: () => undefined, error: () => undefined } };
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
      kwargs: { type: 'object', required: ['url'], properties: { method: { default: 'POST' }, url: { type: 'string' } } },
    });
  });

  it('POSTs the body as JSON with the given headers and returns the status and the start of the answer', async () => {
    const result = await registry.run('http.request', { url: `${baseUrl}/hook`, headers: { 'x-token': 'abc' }, body: { hello: 'world' } }, [], taskContext());
    expect(result).toEqual({ status_code: 201, body: 'x'.repeat(2000) });
    const last = received[received.length - 1];
    expect(last.method).toBe('POST');
    expect(last.headers['x-token']).toBe('abc');
    expect(last.headers['content-type']).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual({ hello: 'world' });
  });

  it('fails on a non-2xx answer with the status code and the start of the body', async () => {
    await expect(registry.run('http.request', { url: `${baseUrl}/fail`, method: 'GET' }, [], taskContext())).rejects.toThrow(/503.*upstream is down/);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out')), 100);
    await expect(registry.run('http.request', { url: `${baseUrl}/slow` }, [], taskContext(controller.signal))).rejects.toThrow('timed out');
  });

  it('gives up after timeout_seconds', async () => {
    await expect(registry.run('http.request', { url: `${baseUrl}/slow`, timeout_seconds: 0.2 }, [], taskContext())).rejects.toThrow(/timeout|abort/i);
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
    expect(() => registry.validateKwargs('nope', {})).toThrow(/task_name: unknown task "nope"; known tasks: .*http\.request/);
  });
});
