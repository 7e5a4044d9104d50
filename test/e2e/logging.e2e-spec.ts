import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { eventually } from '../support/webhook-server';

/**
 * The structured logs of a real app (pino through nestjs-pino), captured line by line. This
 * file builds exactly one app: nestjs-pino keeps one root logger per process (per jest file).
 */
/** A pino line: the fields these tests read, and whatever else it carries. */
type LogLine = Record<string, unknown> & {
  msg?: string;
  level?: number;
  context?: string;
  request_id?: string;
  req?: { headers: Record<string, string | undefined> };
};

describe('structured JSON logs', () => {
  const admin = { username: 'log-admin', password: 'log-admin-password-1f2e' };
  const lines: LogLine[] = [];
  const raw: string[] = [];
  let db: TestDatabase;
  let app: INestApplication;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase('logging');
    const config = AppConfig.from(
      {},
      {
        DATABASE_URL: db.url,
        REDIS_URL: process.env.REDIS_URL,
        QUEUE_PREFIX: db.name.slice(-50),
        JWT_SECRET: randomBytes(32).toString('hex'),
        ADMIN_USERNAME: admin.username,
        ADMIN_PASSWORD: admin.password,
        ROLES: 'api,worker',
        LOG_LEVEL: 'info',
      },
    );
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line));
        }
        done();
      },
    });
    app = await createApp(config, { logDestination: destination });
    await app.init();
    token = (await request(app.getHttpServer()).post('/api/v1/auth/login').send(admin).expect(200)).body.access_token;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const http = () => request(app.getHttpServer());
  const requestLines = (id: string) => lines.filter((l) => l.request_id === id);

  it('writes one JSON line per request with its request id, echoing an incoming x-request-id', async () => {
    const res = await http()
      .get('/api/v1/jobs')
      .set('Authorization', `Bearer ${token}`)
      .set('x-request-id', 'trace-abc-123')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const [line] = await eventually('the request line', async () =>
      requestLines('trace-abc-123').length > 0 ? requestLines('trace-abc-123') : undefined,
    );
    expect(line).toMatchObject({
      level: 30,
      request_id: 'trace-abc-123',
      req: { method: 'GET', url: '/api/v1/jobs' },
      res: { status_code: 200 },
      responseTime: expect.any(Number),
    });
  });

  it('generates a request id when none (or a malformed one) comes in', async () => {
    for (const incoming of [undefined, 'bad id with spaces {"level":60}', 'x'.repeat(500)]) {
      const req = http().get('/health');
      const res = await (incoming ? req.set('x-request-id', incoming) : req).expect(200);
      const id = res.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await eventually('the request line', async () => requestLines(id).length === 1);
    }
  });

  it('puts the request id on the lines services log while handling the request', async () => {
    await http()
      .post('/api/v1/auth/login')
      .set('x-request-id', 'login-bad-1')
      .send({ username: admin.username, password: 'wrong-password-xyz' })
      .expect(401);
    const serviceLine = await eventually('a service line', async () =>
      requestLines('login-bad-1').find((l) => l.context && /Failed login/.test(l.msg ?? '')),
    );
    expect(serviceLine.level).toBeGreaterThanOrEqual(30);
  });

  it('puts the run id on every line a task logs', async () => {
    const job = (
      await http()
        .post('/api/v1/jobs')
        .set('Authorization', `Bearer ${token}`)
        .send({
          name: 'logged-health',
          title: 'Logged',
          job_type: 'system_health_check',
          schedule_type: 'interval',
          schedule_expression: '60',
          task_name: 'system_health_check',
          task_kwargs: { alert: false },
        })
        .expect(201)
    ).body;
    const run = (
      await http()
        .post(`/api/v1/jobs/${job.id}/execute`)
        .set('Authorization', `Bearer ${token}`)
        .send({ force: true })
        .expect(202)
    ).body;
    const taskLine = await eventually('the task line', async () =>
      lines.find((l) => /System health/.test(l.msg ?? '')),
    );
    expect(taskLine).toMatchObject({
      run_id: run.id,
      job_id: job.id,
      task: 'system_health_check',
      context: 'task:system_health_check',
    });
  });

  it('redacts the authorization header, passwords and JWTs', async () => {
    await http()
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${token}`)
      .set('x-request-id', 'redact-1')
      .expect(200);
    const line = await eventually('the request line', async () => requestLines('redact-1')[0]);
    expect(line.req?.headers.authorization).toBe('***');
    await http()
      .get(`/api/v1/jobs?search=${token}`)
      .set('Authorization', `Bearer ${token}`)
      .set('x-request-id', 'redact-2');
    await eventually('the request line', async () => requestLines('redact-2')[0]);
    const everything = raw.join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(admin.password);
    expect(everything).not.toContain('wrong-password-xyz');
  });
});
