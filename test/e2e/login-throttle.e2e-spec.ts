import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { freePort } from '../../src/common/net';
import { ServiceProcess } from '../support/service-process';
import { createTestDatabase, withClient, type TestDatabase } from '../support/test-database';

interface Answer {
  status: number;
  body: { message?: string; access_token?: string };
  retryAfter: string | undefined;
}

/**
 * POST /api/v1/auth/login from a chosen loopback source address: the app does not trust
 * proxy headers, so req.ip is the connection's address and X-Forwarded-For would be ignored.
 */
function login(port: number, from: string, username: string, password: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text || '{}'),
            retryAfter: res.headers['retry-after'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Two real API processes (dist/src/main.js) on one database share every login throttling counter. */
describe('Login throttling across processes and addresses', () => {
  let db: TestDatabase;
  const processes: ServiceProcess[] = [];
  const ports: number[] = [];
  const admin = { username: 'throttle-admin', password: 'throttle-admin-password-3v' };
  const queuePrefix = `lt${randomBytes(6).toString('hex')}`;
  const sql = <T>(text: string, params: unknown[] = []) =>
    withClient(db.url, async (c) => (await c.query(text, params)).rows as T[]);
  const statuses = (answers: Answer[]) => answers.map((a) => a.status);
  /** Attempts one after another, alternating between the two processes. */
  const attempts = async (n: number, from: string, username: string, password = 'wrong-password-guess') => {
    const answers: Answer[] = [];
    for (let i = 0; i < n; i++) answers.push(await login(ports[i % 2], from, username, password));
    return answers;
  };

  beforeAll(async () => {
    db = await createTestDatabase('login_throttle');
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ROLES: 'api',
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      LOGIN_THROTTLE_LIMIT: '10',
      LOGIN_THROTTLE_IP_LIMIT: '30',
      LOGIN_THROTTLE_USERNAME_LIMIT: '15',
    };
    for (const name of ['api1', 'api2']) {
      const port = await freePort();
      ports.push(port);
      // One after the other: the first migrates and creates the admin.
      processes.push(await new ServiceProcess(name, { ...env, PORT: String(port) }).start(60_000));
    }
    const token = (await login(ports[0], '127.0.0.1', admin.username, admin.password)).body.access_token!;
    for (const name of ['victim', 'quiet-user', 'ceiling-user']) {
      const res = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ username: name, password: `${name}-password-for-tests` }),
      });
      expect(res.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await db?.drop();
    if (process.env.REDIS_URL) {
      const redis = new IORedis(process.env.REDIS_URL);
      const keys = await redis.keys(`${queuePrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('allows 10 failures for one username from one address in total across both processes, then 429 with Retry-After on each', async () => {
    const answers = await attempts(12, '127.0.0.1', 'victim');
    expect(statuses(answers)).toEqual([...Array(10).fill(401), 429, 429]);
    expect(answers[10].body.message).toMatch(/Too many login attempts/);
    for (const refused of answers.slice(10)) expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    for (const refused of answers.slice(10)) expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // The right password from the same address waits too.
    expect((await login(ports[1], '127.0.0.1', 'victim', 'victim-password-for-tests')).status).toBe(429);
    // Failures that got through are audited; the refused attempts are not.
    const failed = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.login_failed' AND actor = 'victim'`,
    );
    expect(failed).toEqual([{ n: 10 }]);
    // The counters live in Redis when REDIS_URL is set, else in PostgreSQL.
    const [{ n: rows }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM login_attempt_counters`);
    if (process.env.REDIS_URL) expect(rows).toBe(0);
    else expect(rows).toBeGreaterThan(0);
  });

  it('an attacker hammering a username from one address does not lock its user out of another address', async () => {
    const attacker = await attempts(14, '127.0.0.2', 'quiet-user');
    expect(statuses(attacker)).toEqual([...Array(10).fill(401), 429, 429, 429, 429]);
    for (const port of ports)
      expect((await login(port, '127.0.0.3', 'quiet-user', 'quiet-user-password-for-tests')).status).toBe(200);
    // Usernames match regardless of case, so a case change is no way around the limit.
    expect((await login(ports[0], '127.0.0.2', 'QUIET-USER', 'quiet-user-password-for-tests')).status).toBe(429);
  });

  it('does not count successful logins: a user who logs in often is never throttled', async () => {
    const answers = await attempts(14, '127.0.0.4', admin.username, admin.password);
    expect(statuses(answers)).toEqual(Array(14).fill(200));
  });

  it('caps failures for one username across addresses (LOGIN_THROTTLE_USERNAME_LIMIT), shared by both processes', async () => {
    expect(statuses(await attempts(10, '127.0.0.5', 'ceiling-user'))).toEqual(Array(10).fill(401));
    expect(statuses(await attempts(6, '127.0.0.6', 'ceiling-user'))).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await login(ports[1], '127.0.0.7', 'ceiling-user', 'ceiling-user-password-for-tests')).status).toBe(429);
  });

  it('caps failures from one address across usernames (LOGIN_THROTTLE_IP_LIMIT); other addresses are unaffected', async () => {
    const sprayed: Answer[] = [];
    for (let i = 0; i < 31; i++) sprayed.push(await login(ports[i % 2], '127.0.0.8', `sprayed-${i}`, 'Summer2026!'));
    expect(statuses(sprayed)).toEqual([...Array(30).fill(401), 429]);
    expect((await login(ports[0], '127.0.0.9', 'sprayed-31', 'Summer2026!')).status).toBe(401);
  });
});
