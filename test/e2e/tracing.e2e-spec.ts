import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing } from '../../src/common/tracing/tracing';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { jobBody } from '../factories/job.factory';
import { ServiceProcess } from '../support/service-process';
import { createTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, withClient, type TestDatabase } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';

interface Run {
  id: number;
  status: string;
}

// Issue 20, item 6: OpenTelemetry, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; one trace
// from a fire time's dispatch to its run (the context travels in the queue message).
describe('Tracing: the service spans in an in-memory exporter', () => {
  let t: TestApp;
  let hook: WebhookServer;
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    hook = await new WebhookServer().start();
    t = await createTestApp('tracing');
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(startTracing({})).toBe(false);
  });

  it("records a dispatch span and each run's span as its child, in the same trace", async () => {
    const job = (
      await t.http
        .post('/api/v1/jobs/')
        .send(
          jobBody({
            schedule_type: 'cron',
            schedule_expression: '* * * * * *',
            task_kwargs: { url: `${hook.url}/ok/traced`, method: 'POST' },
          }),
        )
        .expect(201)
    ).body as { id: number };
    const runs = await eventually('2 succeeded runs', async () => {
      const items = (await t.http.get(`/api/v1/jobs/${job.id}/executions?size=10`).expect(200)).body.items as Run[];
      const done = items.filter((r) => r.status === 'succeeded');
      return done.length >= 2 ? done : null;
    });
    await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200);
    // The dispatcher's last pass, as a metric (alert when it stops moving).
    const metrics = (await t.anon.get('/metrics').expect(200)).text;
    const lastPass = Number(/^jobs_dispatcher_last_pass_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(Date.now() / 1000 - lastPass).toBeLessThan(30);
    expect(metrics).toMatch(/^jobs_dispatch_passes_total [1-9]/m);

    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    for (const run of runs) {
      const span = spans.find((s) => s.name === 'run' && s.attributes['jobs.run_id'] === run.id) as ReadableSpan;
      expect(span).toBeDefined();
      expect(span.attributes).toMatchObject({
        'jobs.job_id': job.id,
        'jobs.task': 'http.request',
        'jobs.status': 'succeeded',
      });
      const parent = byId.get(span.parentSpanContext?.spanId ?? '');
      expect(parent?.name).toBe('dispatch');
      expect(parent?.spanContext().traceId).toBe(span.spanContext().traceId);
      expect(Number(parent?.attributes['jobs.released_runs'])).toBeGreaterThanOrEqual(1);
    }
  });
});

/** An OTLP/HTTP receiver: what the exporter POSTs to /v1/traces (JSON). */
class OtlpReceiver {
  readonly spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes: unknown[] }[] =
    [];
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: OtlpReceiver['spans'] }[] }[];
        };
        for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) this.spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Tracing: a real process exporting over OTLP/HTTP', () => {
  let db: TestDatabase;
  let hook: WebhookServer;
  let receiver: OtlpReceiver;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    receiver = new OtlpReceiver();
    db = await createTestDatabase('tracing_otlp');
    const dataSource = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.destroy();
  });
  afterAll(async () => {
    await service?.kill();
    await receiver.stop();
    await hook.stop();
    await db.drop();
  });

  it('exports HTTP, SQL, dispatch and run spans; a fire time’s dispatch and its run share one trace', async () => {
    const endpoint = await receiver.start();
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    service = await new ServiceProcess('traced', {
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: db.name.slice(-50),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ROLES: 'api,scheduler,worker',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'tracing-admin-password',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_SERVICE_NAME: 'jobs-tracing-test',
    }).start();
    await withClient(db.url, (c) =>
      c.query(
        `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, next_run_at)
         VALUES ('traced', 'Traced', 'custom', 'cron', '* * * * * *', 'http.request', $1, now() + interval '1 second')`,
        [JSON.stringify({ url: `${hook.url}/ok/otlp`, method: 'POST' })],
      ),
    );
    await withClient(db.url, (c) => c.query(`SELECT pg_notify('jobs_changed', 'test')`));
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'tracing-admin-password' }),
    });
    expect(login.status).toBe(200);

    const spans = await eventually(
      'a run span exported with its dispatch',
      async () => {
        const runs = receiver.spans.filter((s) => s.name === 'run');
        const dispatches = new Map(receiver.spans.filter((s) => s.name === 'dispatch').map((s) => [s.spanId, s]));
        const linked = runs.find((r) => r.parentSpanId && dispatches.get(r.parentSpanId)?.traceId === r.traceId);
        return linked ? receiver.spans : null;
      },
      30_000,
      200,
    );
    const names = spans.map((s) => s.name);
    // An HTTP server span for the login, and SQL spans (pg) under the dispatch.
    expect(names.some((n) => /^POST( \/api\/v1\/auth\/login)?$/.test(n))).toBe(true);
    const dispatch = spans.find((s) => s.name === 'dispatch')!;
    expect(spans.some((s) => s.traceId === dispatch.traceId && s.name !== 'dispatch' && s.name !== 'run')).toBe(true);
    // Probes are not traced.
    await fetch(`http://127.0.0.1:${port}/health`);
    expect(names.some((n) => n.includes('/health'))).toBe(false);
  });
});
