import { MetricsController } from '../../src/modules/metrics/metrics.controller';
import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

/** The value of one sample in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe(MetricsController.name, () => {
  describe('runs, queues, overdue jobs and HTTP requests', () => {
    let t: TestApp;
    let hook: WebhookServer;

    beforeAll(async () => {
      hook = await new WebhookServer().start();
      // No scheduler: only the runs this test starts, and overdue jobs stay overdue.
      t = await createTestApp('metrics', { ROLES: 'api,worker' });
    });
    afterAll(async () => {
      await t.close();
      await hook.stop();
    });

    const scrape = async () => (await t.anon.get('/metrics').expect(200)).text;
    const runToEnd = async (path: string) => {
      const job = (
        await t.http
          .post('/api/v1/jobs')
          .send(jobBody({ task_kwargs: { url: `${hook.url}${path}`, method: 'GET' } }))
          .expect(201)
      ).body;
      const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body;
      return eventually(`run ${run.id} to finish`, async () => {
        const current = (await t.http.get(`/api/v1/executions/${run.id}`).expect(200)).body;
        return ['queued', 'running'].includes(current.status) ? undefined : current;
      });
    };

    it('serves the Prometheus text format, without a token when METRICS_TOKEN is unset', async () => {
      const res = await t.anon.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      for (const name of [
        'jobs_runs_total',
        'jobs_retries_total',
        'jobs_run_duration_seconds',
        'jobs_dispatch_lag_seconds',
        'jobs_runs_in_flight',
        'jobs_queue_depth',
        'jobs_overdue',
        'http_request_duration_seconds',
        'process_cpu_seconds_total',
      ]) {
        expect(res.text).toContain(`# TYPE ${name} `);
      }
    });

    it('moves the run counters, the duration and dispatch lag histograms after runs', async () => {
      const before = await scrape();
      const ok = await runToEnd('/ok');
      const failed = await runToEnd('/fail');
      expect([ok.status, failed.status]).toEqual(['succeeded', 'failed']);
      const after = await eventually('counters', async () => {
        const text = await scrape();
        return (sample(text, 'jobs_runs_total', { job_type: 'custom', outcome: 'failed' }) ?? 0) >= 1
          ? text
          : undefined;
      });
      const delta = (name: string, labels: Record<string, string>) =>
        (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
      expect(delta('jobs_runs_total', { job_type: 'custom', outcome: 'succeeded' })).toBe(1);
      expect(delta('jobs_runs_total', { job_type: 'custom', outcome: 'failed' })).toBe(1);
      expect(delta('jobs_run_duration_seconds_count', { job_type: 'custom', outcome: 'succeeded' })).toBe(1);
      expect(delta('jobs_dispatch_lag_seconds_count', { queue: 'default' })).toBe(2);
      expect(sample(after, 'jobs_runs_in_flight', { queue: 'default' })).toBe(0);
      expect(sample(after, 'jobs_queue_depth', { queue: 'default' })).toBe(0);
    });

    it('counts the retries recorded', async () => {
      const before = sample(await scrape(), 'jobs_retries_total', { job_type: 'custom' }) ?? 0;
      const job = (
        await t.http
          .post('/api/v1/jobs')
          .send(jobBody({ max_retries: 1, retry_backoff_seconds: 0, task_kwargs: { url: `${hook.url}/fail` } }))
          .expect(201)
      ).body;
      await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202);
      await eventually('two failed attempts', async () => {
        const runs = (await t.http.get(`/api/v1/jobs/${job.id}/executions`).expect(200)).body.items as {
          status: string;
        }[];
        return runs.length === 2 && runs.every((r) => r.status === 'failed');
      });
      // The first attempt's outcome recorded the retry; the second, the last, did not.
      expect((sample(await scrape(), 'jobs_retries_total', { job_type: 'custom' }) ?? 0) - before).toBe(1);
    });

    it('counts a cancelled run', async () => {
      const job = (
        await t.http
          .post('/api/v1/jobs')
          .send(jobBody({ task_kwargs: { url: `${hook.url}/slow/5000` } }))
          .expect(201)
      ).body;
      const run = (await t.http.post(`/api/v1/jobs/${job.id}/execute`).send({ force: true }).expect(202)).body;
      await eventually(
        'running',
        async () => (await t.http.get(`/api/v1/executions/${run.id}`)).body.status === 'running',
      );
      expect(sample(await scrape(), 'jobs_runs_in_flight', { queue: 'default' })).toBe(1);
      await t.http.post(`/api/v1/executions/${run.id}/cancel`).expect(200);
      await eventually(
        'cancel counted',
        async () =>
          (sample(await scrape(), 'jobs_runs_total', { job_type: 'custom', outcome: 'cancelled' }) ?? 0) === 1,
      );
      await eventually(
        'in flight back to 0',
        async () => sample(await scrape(), 'jobs_runs_in_flight', { queue: 'default' }) === 0,
      );
    });

    it('reads overdue jobs with one SQL count on each scrape', async () => {
      expect(sample(await scrape(), 'jobs_overdue')).toBe(0);
      await withClient(t.db.url, (c) =>
        c.query(
          `UPDATE jobs SET next_run_at = now() - interval '1 hour' WHERE id = (SELECT min(id) FROM jobs WHERE is_enabled AND status = 'active')`,
        ),
      );
      expect(sample(await scrape(), 'jobs_overdue')).toBe(1);
    });

    it('times HTTP requests by route template and status code', async () => {
      await t.http.get('/api/v1/jobs/999999').expect(404);
      const text = await scrape();
      expect(
        sample(text, 'http_request_duration_seconds_count', {
          method: 'GET',
          route: '/api/v1/jobs/:id',
          status_code: '404',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '200' }),
      ).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain('route="/api/v1/jobs/999999"');
    });

    it('labels the Swagger UI assets /docs, not unmatched', async () => {
      const before = sample(await scrape(), 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/docs',
        status_code: '200',
      });
      await t.anon.get('/docs/swagger-ui.css').expect(200);
      const after = sample(await scrape(), 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/docs',
        status_code: '200',
      });
      expect((after ?? 0) - (before ?? 0)).toBe(1);
    });
  });

  describe('with METRICS_TOKEN set', () => {
    const token = 'metrics-token-0123456789abcdef';
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('metrics_token', { METRICS_TOKEN: token, ROLES: 'api' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 401 without the token, with a wrong one and with a user JWT; 200 with the token', async () => {
      const noToken = await t.anon.get('/metrics').expect(401);
      expect(noToken.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/METRICS_TOKEN/),
      });
      await t.anon.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789').expect(401);
      await t.http.get('/metrics').expect(401);
      const ok = await t.anon.get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
      expect(ok.text).toContain('# TYPE jobs_runs_total counter');
    });

    it('keeps /health public', async () => {
      await t.anon.get('/health').expect(200);
    });
  });
});
