import * as http from 'node:http';
import { RunLogsController } from '../../src/modules/executions/run-logs/run-logs.controller';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Line {
  seq: number;
  at: string;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
}

/** Reads a text/event-stream to its end: each event's name (default "message"), id and parsed data. */
function readEvents(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; events: { event: string; id?: string; data: unknown; at: number }[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      const events: { event: string; id?: string; data: unknown; at: number }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trim();
          const data = field('data');
          if (data !== undefined)
            events.push({
              event: field('event') ?? 'message',
              id: field('id'),
              data: JSON.parse(data),
              at: Date.now(),
            });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe(`${RunLogsController.name}: run logs through the real stack`, () => {
  let t: TestApp;
  let hooks: WebhookServer;
  let base: string;

  beforeAll(async () => {
    hooks = await new WebhookServer().start();
    t = await createTestApp('run_logs', { ROLES: 'api,worker' });
    const server = t.app.getHttpServer() as http.Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await t.close();
    await hooks.stop();
  });

  async function runOnce(url: string, kwargs: Record<string, unknown> = {}): Promise<number> {
    const job = await t.http
      .post('/api/v1/jobs/')
      .send(jobBody({ task_kwargs: { url, method: 'POST', ...kwargs }, max_retries: 0 }))
      .expect(201);
    const run = await t.http.post(`/api/v1/jobs/${job.body.id}/execute`).send({}).expect(202);
    return run.body.id as number;
  }

  const finished = (runId: number) =>
    eventually(`run ${runId} final`, async () => {
      const run = (await t.http.get(`/api/v1/executions/${runId}`).expect(200)).body;
      return ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(run.status) ? run : undefined;
    });

  it('keeps what the webhook task logged, oldest first, readable by any user and paged by `after`', async () => {
    const runId = await runOnce(`${hooks.url}/ok`);
    expect((await finished(runId)).status).toBe('succeeded');
    const page = (await t.asUser.get(`/api/v1/executions/${runId}/logs`).expect(200)).body as {
      items: Line[];
      next_after: number;
      run_finished: boolean;
    };
    expect(page.items.map((l) => [l.seq, l.level])).toEqual([
      [1, 'debug'],
      [2, 'info'],
    ]);
    expect(page.items[0]).toMatchObject({
      message: `POST ${hooks.url}/ok: sending`,
      fields: { method: 'POST', url: `${hooks.url}/ok`, context: 'task:http.request' },
    });
    expect(page.items[1].message).toMatch(new RegExp(`^POST ${hooks.url}/ok answered HTTP 200 in \\d+ ms$`));
    expect(page.items[1].fields).toMatchObject({ status: 200, duration_ms: expect.any(Number) });
    expect(page).toMatchObject({ next_after: 2, run_finished: true });
    const rest = (await t.http.get(`/api/v1/executions/${runId}/logs?after=1&limit=1`).expect(200)).body;
    expect(rest).toMatchObject({ items: [{ seq: 2 }], next_after: 2 });
    expect((await t.http.get(`/api/v1/executions/${runId}/logs?after=2`).expect(200)).body).toEqual({
      items: [],
      next_after: 2,
      run_finished: true,
    });
  });

  it('refuses bad input with a message naming it, an unknown run with 404, and anonymous callers', async () => {
    const runId = await runOnce(`${hooks.url}/ok`);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['after=-1', 'after'],
      ['after=x', 'after'],
    ]) {
      const res = await t.http.get(`/api/v1/executions/${runId}/logs?${query}`).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    }
    await t.http.get('/api/v1/executions/999999/logs').expect(404);
    await t.http.get('/api/v1/executions/999999/logs/stream').expect(404);
    await t.anon.get(`/api/v1/executions/${runId}/logs`).expect(401);
    await t.anon.get(`/api/v1/executions/${runId}/logs/stream`).expect(401);
  });

  it('streams the lines live while the run goes, then an end event, and resumes after Last-Event-ID', async () => {
    const runId = await runOnce(`${hooks.url}/slow/2500`);
    await eventually(
      'running',
      async () => (await t.http.get(`/api/v1/executions/${runId}`)).body.status === 'running',
    );
    const { status, events } = await readEvents(`${base}/api/v1/executions/${runId}/logs/stream`, t.tokens.user);
    expect(status).toBe(200);
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['message', '1'],
      ['message', '2'],
      ['end', '2'],
    ]);
    expect(events[0].data).toMatchObject({ seq: 1, message: expect.stringMatching(/: sending$/) });
    expect(events[2].data).toEqual({ status: 'succeeded' });
    // Live: the first line arrived while the run was still going.
    const run = (await t.http.get(`/api/v1/executions/${runId}`).expect(200)).body;
    expect(events[0].at).toBeLessThan(Date.parse(run.finished_at));
    const resumed = await readEvents(`${base}/api/v1/executions/${runId}/logs/stream`, t.tokens.user, {
      'last-event-id': '1',
    });
    expect(resumed.events.map((e) => e.id)).toEqual(['2', '2']);
  });

  it("never shows a secret's value: a URL from the secrets store is masked in the lines and their fields", async () => {
    const value = `${hooks.url}/ok?v=never-shown-${Date.now()}`;
    await t.http.post('/api/v1/secrets').send({ name: 'RUN_LOG_HOOK', value }).expect(201);
    const runId = await runOnce('', { url: { $secret: 'RUN_LOG_HOOK' } });
    expect((await finished(runId)).status).toBe('succeeded');
    const text = JSON.stringify((await t.http.get(`/api/v1/executions/${runId}/logs`).expect(200)).body);
    expect(text).not.toContain('never-shown');
    expect(text).toContain('POST *** answered HTTP 200');
  });

  it('deletes the lines with their run', async () => {
    const runId = await runOnce(`${hooks.url}/ok`);
    await finished(runId);
    const count = () =>
      withClient(t.db.url, async (c) =>
        Number((await c.query('SELECT count(*) AS n FROM run_logs WHERE run_id = $1', [runId])).rows[0].n),
      );
    expect(await count()).toBe(2);
    await withClient(t.db.url, (c) => c.query('DELETE FROM executions WHERE id = $1', [runId]));
    expect(await count()).toBe(0);
  });
});

// Its own app, with the bounds these tests set.
describe('run logs: the bounds', () => {
  let logging: TestApp;
  let hooks: WebhookServer;

  beforeAll(async () => {
    hooks = await new WebhookServer().start();
    logging = await createTestApp('run_logs_bounds', { ROLES: 'api,worker', RUN_LOG_MAX_LINES: '1' });
  });
  afterAll(async () => {
    await logging.close();
    await hooks.stop();
  });

  it('keeps RUN_LOG_MAX_LINES lines and then says how many were dropped', async () => {
    const job = await logging.http
      .post('/api/v1/jobs/')
      .send(jobBody({ task_kwargs: { url: `${hooks.url}/ok` } }))
      .expect(201);
    const runId = (await logging.http.post(`/api/v1/jobs/${job.body.id}/execute`).send({}).expect(202)).body.id;
    const page = await eventually('the log complete', async () => {
      const body = (await logging.http.get(`/api/v1/executions/${runId}/logs`).expect(200)).body;
      return body.run_finished ? body : undefined;
    });
    expect(page.items.map((l: Line) => [l.seq, l.level, l.message])).toEqual([
      [1, 'debug', expect.stringMatching(/: sending$/)],
      [
        2,
        'warn',
        '1 more line dropped: a run keeps at most 1 lines (RUN_LOG_MAX_LINES) and 262144 bytes (RUN_LOG_MAX_BYTES)',
      ],
    ]);
  });
});
