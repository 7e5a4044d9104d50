import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { AlertsService } from '../../src/modules/alerts/alerts.service';
import { JobStatsService } from '../../src/modules/jobs/job-stats.service';
import { jobBody } from '../factories/job.factory';
import { startRecordingServer, type LocalServer, type ReceivedRequest } from '../support/tasks-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

const SECRET = 'alert-signing-secret-1';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** A real SMTP server (smtp-server from npm) on loopback that keeps what it receives. */
async function startSmtp(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Alerts through notification channels (real stack: queue, worker, HTTP and SMTP receivers)', () => {
  let t: TestApp;
  let receiver: LocalServer;
  let hooks: WebhookServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    receiver = await startRecordingServer(
      (req, res) => void res.writeHead(req.url.startsWith('/down') ? 503 : 200).end('ok'),
    );
    hooks = await new WebhookServer().start();
    smtp = await startSmtp();
    t = await createTestApp('alerts', {
      ROLES: 'api,worker',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_FROM: 'jobs@test.example',
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await hooks.stop();
    await smtp.close();
  });

  const hits = (path: string, event?: string): ReceivedRequest[] =>
    receiver.received.filter((r) => r.url === path && (!event || r.headers['x-jobs-event'] === event));

  async function channel(body: Record<string, unknown>): Promise<{ id: number }> {
    return (await t.http.post('/api/v1/notification-channels').send(body).expect(201)).body;
  }

  async function runToEnd(jobId: number): Promise<{ id: number; status: string }> {
    const run = (await t.http.post(`/api/v1/jobs/${jobId}/execute`).send({}).expect(202)).body;
    return eventually(`run ${run.id} and its retries final`, async () => {
      const runs = (await t.http.get(`/api/v1/jobs/${jobId}/executions?size=100`).expect(200)).body.items;
      return runs.every((r: { status: string }) => !['queued', 'running'].includes(r.status)) ? runs[0] : undefined;
    });
  }

  it('manages channels (superuser only): the secret is write-only, input is checked field by field, changes are audited without it', async () => {
    const created = (
      await t.http
        .post('/api/v1/notification-channels')
        .send({ name: 'crud', type: 'webhook', url: `${receiver.url}/crud`, secret: SECRET })
        .expect(201)
    ).body;
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'crud',
      type: 'webhook',
      url: `${receiver.url}/crud`,
      email_to: null,
      is_default: false,
      has_secret: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    await t.http
      .post('/api/v1/notification-channels')
      .send({ name: 'crud', type: 'slack', url: receiver.url })
      .expect(409);
    for (const [body, field] of [
      [{ name: 'x1', type: 'webhook' }, 'url'],
      [{ name: 'x2', type: 'email' }, 'email_to'],
      [{ name: 'x3', type: 'pager', url: receiver.url }, 'type'],
      [{ name: 'x4', type: 'webhook', url: 'ftp://x' }, 'url'],
      [{ name: 'x5', type: 'webhook', url: receiver.url, secret: 'short' }, 'secret'],
      [{ name: 'x6', type: 'webhook', url: receiver.url, extra: 1 }, 'extra'],
    ] as const) {
      const res = await t.http.post('/api/v1/notification-channels').send(body).expect(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    await t.asUser.get('/api/v1/notification-channels').expect(403);
    await t.anon.get('/api/v1/notification-channels').expect(401);
    const updated = (
      await t.http
        .put(`/api/v1/notification-channels/${created.id}`)
        .send({ is_default: false, secret: null })
        .expect(200)
    ).body;
    expect(updated.has_secret).toBe(false);
    await t.http.put(`/api/v1/notification-channels/${created.id}`).send({ type: 'email' }).expect(400);
    for (const field of ['name', 'type', 'url', 'is_default']) {
      const res = await t.http
        .put(`/api/v1/notification-channels/${created.id}`)
        .send({ [field]: null })
        .expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await t.http.get(`/api/v1/notification-channels/${created.id}`).expect(200)).body.name).toBe('crud');
    const page = (await t.http.get('/api/v1/notification-channels').expect(200)).body;
    expect(page.items.map((c: { name: string }) => c.name)).toContain('crud');
    expect(JSON.stringify(page)).not.toContain(SECRET);
    const audit = (await t.http.get('/api/v1/audit-logs?size=100').expect(200)).body;
    expect(audit.items.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['channel.create', 'channel.update']),
    );
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    await t.http.delete(`/api/v1/notification-channels/${created.id}`).expect(204);
    await t.http.get(`/api/v1/notification-channels/${created.id}`).expect(404);
  });

  it('sends a test message and answers with its outcome; the webhook body is signed with the secret', async () => {
    const ch = await channel({ name: 'tested', type: 'webhook', url: `${receiver.url}/tested`, secret: SECRET });
    const delivery = (await t.http.post(`/api/v1/notification-channels/${ch.id}/test`).expect(200)).body;
    expect(delivery).toMatchObject({
      channel_id: ch.id,
      event: 'channel.test',
      status: 'delivered',
      attempts: 1,
      response_status: 200,
    });
    const [hit] = hits('/tested');
    expect(hit.headers['x-jobs-event']).toBe('channel.test');
    expect(hit.headers['x-jobs-signature-256']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(hit.body).digest('hex')}`,
    );
    expect(JSON.parse(hit.body)).toMatchObject({ event: 'channel.test', job: null, run: null });
    const down = await channel({ name: 'down', type: 'webhook', url: `${receiver.url}/down` });
    expect((await t.http.post(`/api/v1/notification-channels/${down.id}/test`).expect(200)).body).toMatchObject({
      status: 'failed',
      response_status: 503,
      error: expect.stringContaining('HTTP 503'),
    });
    const deliveries = (await t.http.get(`/api/v1/notification-channels/${ch.id}/deliveries`).expect(200)).body;
    expect(deliveries).toMatchObject({ total: 1, items: [{ id: delivery.id, status: 'delivered' }] });
    const metrics = (await t.anon.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/jobs_notifications_total\{channel_type="webhook",outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/jobs_notifications_total\{channel_type="webhook",outcome="failed"\} [1-9]/);
  });

  it('a failing job sends exactly one run.failed, after its retries, signed; its next success sends job.recovered', async () => {
    const ch = await channel({ name: 'ops', type: 'webhook', url: `${receiver.url}/ops`, secret: SECRET });
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(
          jobBody({
            task_kwargs: { url: `${hooks.url}/fail` },
            max_retries: 1,
            retry_backoff_seconds: 0,
            notify_channel_ids: [ch.id],
            notify_on: ['run.failed', 'job.recovered'],
          }),
        )
        .expect(201)
    ).body;
    expect(job).toMatchObject({ notify_channel_ids: [ch.id], notify_on: ['run.failed', 'job.recovered'] });
    const failed = await runToEnd(job.id);
    expect(failed).toMatchObject({ status: 'failed', attempt: 2 });
    const [alert] = await eventually('the run.failed alert', async () => {
      const got = hits('/ops', 'run.failed');
      return got.length > 0 ? got : undefined;
    });
    expect(alert.headers['x-jobs-signature-256']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(alert.body).digest('hex')}`,
    );
    expect(JSON.parse(alert.body)).toEqual({
      event: 'run.failed',
      occurred_at: expect.any(String),
      job: { id: job.id, name: job.name, job_type: 'custom' },
      run: {
        id: failed.id,
        status: 'failed',
        scheduled_for: expect.any(String),
        started_at: expect.any(String),
        finished_at: expect.any(String),
        duration_seconds: expect.any(Number),
        attempt: 2,
        error: expect.stringContaining('HTTP 500'),
      },
    });

    await t.http
      .put(`/api/v1/jobs/${job.id}`)
      .send({ task_kwargs: { url: `${hooks.url}/ok` } })
      .expect(200);
    const ok = await runToEnd(job.id);
    expect(ok.status).toBe('succeeded');
    const [recovered] = await eventually('the job.recovered alert', async () => {
      const got = hits('/ops', 'job.recovered');
      return got.length > 0 ? got : undefined;
    });
    expect(JSON.parse(recovered.body)).toMatchObject({
      event: 'job.recovered',
      run: { id: ok.id, status: 'succeeded' },
    });
    // One of each: the first failed attempt (retried) sent nothing, and a second success is no recovery.
    expect(await runToEnd(job.id)).toMatchObject({ status: 'succeeded' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(hits('/ops').map((h) => h.headers['x-jobs-event'])).toEqual(['run.failed', 'job.recovered']);
    const deliveries = (await t.http.get(`/api/v1/notification-channels/${ch.id}/deliveries`).expect(200)).body;
    expect(deliveries.items.map((d: { event: string; status: string }) => [d.event, d.status])).toEqual([
      ['job.recovered', 'delivered'],
      ['run.failed', 'delivered'],
    ]);
  });

  it('jobs that name no channel use the default ones; Slack gets {text}; email goes out over SMTP', async () => {
    const slack = await channel({
      name: 'slack-default',
      type: 'slack',
      url: `${receiver.url}/slack`,
      is_default: true,
    });
    const mail = await channel({
      name: 'mail-default',
      type: 'email',
      email_to: 'oncall@test.example',
      is_default: true,
    });
    try {
      const job = (
        await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ task_kwargs: { url: `${hooks.url}/fail` } }))
          .expect(201)
      ).body;
      expect(job).toMatchObject({ notify_channel_ids: [], notify_on: ['run.failed', 'run.timed_out'] });
      const failed = await runToEnd(job.id);
      const [text] = await eventually('the Slack message', async () => {
        const got = hits('/slack', 'run.failed');
        return got.length > 0 ? got : undefined;
      });
      expect(JSON.parse(text.body)).toEqual({
        text: expect.stringMatching(new RegExp(`^Failed: job ${job.name} \\(#${job.id}\\), run #${failed.id}`)),
      });
      const [email] = await eventually('the email', async () => (smtp.mails.length > 0 ? smtp.mails : undefined));
      expect(email).toMatchObject({ from: 'jobs@test.example', to: ['oncall@test.example'] });
      expect(email.data).toContain(`Subject: [jobs] run.failed: ${job.name}`);
    } finally {
      await t.http.delete(`/api/v1/notification-channels/${slack.id}`).expect(204);
      await t.http.delete(`/api/v1/notification-channels/${mail.id}`).expect(204);
    }
  });

  it('an unreachable channel changes no run: the run ends as it would, and the delivery waits for its retries', async () => {
    const ch = await channel({ name: 'unreachable', type: 'webhook', url: 'http://127.0.0.1:9/nobody' });
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(
          jobBody({
            task_kwargs: { url: `${hooks.url}/ok` },
            notify_channel_ids: [ch.id],
            notify_on: ['run.succeeded'],
          }),
        )
        .expect(201)
    ).body;
    const run = await runToEnd(job.id);
    expect(run.status).toBe('succeeded');
    const delivery = await eventually('a first try', async () => {
      const items = (await t.http.get(`/api/v1/notification-channels/${ch.id}/deliveries`).expect(200)).body.items;
      return items[0]?.attempts >= 1 ? items[0] : undefined;
    });
    expect(delivery).toMatchObject({
      event: 'run.succeeded',
      run_id: run.id,
      status: 'pending',
      error: expect.any(String),
    });
  });

  it('job.overdue once per missed fire time; deleting a channel takes it out of the jobs that named it', async () => {
    const ch = await channel({ name: 'overdue', type: 'webhook', url: `${receiver.url}/overdue` });
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ notify_channel_ids: [ch.id], notify_on: ['job.overdue'] }))
        .expect(201)
    ).body;
    await withClient(t.db.url, (c) =>
      c.query(`UPDATE jobs SET next_run_at = now() - interval '2 hours' WHERE id = $1`, [job.id]),
    );
    const alerts = t.app.get(AlertsService);
    const stats = t.app.get(JobStatsService);
    expect(await alerts.overdue(await stats.overdue())).toBe(1);
    expect(await alerts.overdue(await stats.overdue())).toBe(0);
    const [hit] = await eventually('the overdue alert', async () => {
      const got = hits('/overdue', 'job.overdue');
      return got.length > 0 ? got : undefined;
    });
    expect(JSON.parse(hit.body)).toMatchObject({ event: 'job.overdue', job: { id: job.id }, run: null });

    await t.http.delete(`/api/v1/notification-channels/${ch.id}`).expect(204);
    expect((await t.http.get(`/api/v1/jobs/${job.id}`).expect(200)).body.notify_channel_ids).toEqual([]);
    const bad = await t.http
      .put(`/api/v1/jobs/${job.id}`)
      .send({ notify_channel_ids: [ch.id] })
      .expect(400);
    expect(bad.body.message).toContain('notify_channel_ids');
    const wrong = await t.http
      .put(`/api/v1/jobs/${job.id}`)
      .send({ notify_on: ['run.exploded'] })
      .expect(400);
    expect(JSON.stringify(wrong.body)).toContain('notify_on');
  });
});
