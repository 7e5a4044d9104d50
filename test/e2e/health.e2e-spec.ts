import request from 'supertest';
import { ScheduleDispatcherService } from '../../src/modules/dispatcher/schedule-dispatcher.service';
import { HealthController } from '../../src/modules/health/health.controller';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually } from '../support/webhook-server';

describe(HealthController.name, () => {
  describe('with every component up (roles api, scheduler, worker)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('health');
    });
    afterAll(async () => {
      await t.close();
    });

    it('GET /health answers 200 without a token, outside /api/v1', async () => {
      const res = await t.anon.get('/health').expect(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        details: { process: { status: 'up', pid: process.pid, roles: ['api', 'scheduler', 'worker'] } },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      // Only a process that runs the embedded PostgreSQL reports it (embedded-supervision.e2e-spec.ts).
      expect(res.body.details.embedded_database).toBeUndefined();
      await t.anon.get('/api/v1/health').expect(404);
    });

    it('GET /health/ready checks the database, the queue backend, the dispatch loop and the workers', async () => {
      const body = await eventually('ready', async () => {
        const res = await t.anon.get('/health/ready');
        return res.status === 200 ? res.body : undefined;
      });
      expect(body).toMatchObject({
        status: 'ok',
        details: {
          database: { status: 'up' },
          queue: { status: 'up', backend: t.config.redisUrl ? 'redis' : 'postgres' },
          scheduler: { status: 'up', last_alive_at: expect.any(String) },
          worker: { status: 'up', running: ['default'] },
        },
      });
    });

    it('answers 503 naming the scheduler when the dispatch loop has been silent too long', async () => {
      const dispatcher = t.app.get(ScheduleDispatcherService);
      const saved = dispatcher.lastAliveAt;
      dispatcher.lastAliveAt = Date.now() - (t.config.dispatchPollSeconds + 120) * 1000;
      try {
        const res = await t.anon.get('/health/ready').expect(503);
        expect(res.body.status).toBe('error');
        expect(Object.keys(res.body.error)).toEqual(['scheduler']);
        expect(res.body.error.scheduler.message).toMatch(/dispatch loop has been silent/);
        expect(res.body.info.database.status).toBe('up');
      } finally {
        dispatcher.lastAliveAt = Math.max(saved, dispatcher.lastAliveAt);
      }
    });
  });

  describe('with the queue backend down (REDIS_URL points at a closed port)', () => {
    // Logging in needs the login counters (on Redis when REDIS_URL is set): the token comes from
    // a healthy process of the same service on the same database.
    let healthy: TestApp;
    let t: TestApp & { http: ReturnType<typeof request.agent> };
    beforeAll(async () => {
      healthy = await createTestApp('health_queue_down');
      const down = await createTestApp(
        'health_queue_down',
        { REDIS_URL: 'redis://127.0.0.1:1', ROLES: 'api', JWT_SECRET: healthy.config.jwtSecret },
        { database: healthy.db, withoutUsers: true },
      );
      t = {
        ...down,
        http: request.agent(down.app.getHttpServer()).set('Authorization', `Bearer ${healthy.tokens.admin}`),
      };
    });
    afterAll(async () => {
      // Sharing the healthy app's database: close() neither drops it nor touches the dead "Redis".
      await t?.close();
      await healthy?.close();
    });

    it('GET /health/ready answers 503 within seconds, naming the queue; the database is still up', async () => {
      const started = Date.now();
      const res = await t.anon.get('/health/ready').expect(503);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(res.body).toMatchObject({
        status: 'error',
        error: { queue: { status: 'down' } },
        info: { database: { status: 'up' } },
      });
      expect(res.body.error.queue.message).toEqual(expect.any(String));
      expect(Object.keys(res.body.error)).toEqual(['queue']);
    });

    it('GET /health (liveness) still answers 200, and the rest of the API keeps working', async () => {
      await t.anon.get('/health').expect(200);
      await t.http.get('/api/v1/jobs').expect(200);
    });

    it('GET /metrics still answers, without hanging on the dead backend', async () => {
      const res = await t.http.get('/metrics').expect(200);
      // A scrape never hangs on the dead backend: the depth is left out.
      expect(res.text).not.toMatch(/^jobs_queue_depth\{/m);
    });
  });
});
