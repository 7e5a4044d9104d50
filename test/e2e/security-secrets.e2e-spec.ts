import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { ServiceProcess } from '../support/service-process';
import { createTestDatabase, withClient, type TestDatabase } from '../support/test-database';
import { eventually, WebhookServer } from '../support/webhook-server';
import { freePort } from '../../src/common/net';

const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;

/**
 * No secret in any answer or log line of a real process (dist/src/main.js, every role, LOG_LEVEL
 * debug): passwords (right, wrong, typed into the username field), password hashes, the JWT
 * secret, access tokens (in the header, in a query string), and credentials inside a job's task
 * kwargs (an Authorization header, a password in the body, a token in the URL).
 * In-process variants: auth-bootstrap.e2e-spec.ts ("passwords never leave the service").
 */
describe('Secrets never reach an answer or a log line (real process, LOG_LEVEL=debug)', () => {
  let db: TestDatabase;
  let hook: WebhookServer;
  let node: ServiceProcess;
  let base: string;
  const secrets = {
    adminPassword: secret('admin-pw'),
    userPassword: secret('user-pw'),
    wrongPassword: secret('wrong-pw'),
    jwtSecret: secret('jwt-secret-at-least-32-characters'),
    headerToken: secret('hdr'),
    bodyPassword: secret('body-pw'),
    urlToken: secret('url-tok'),
  };
  const answers: string[] = [];

  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    answers.push(`${method} ${res.status} ${JSON.stringify([...res.headers])} ${text}`);
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    db = await createTestDatabase('secrets');
    const dataSource = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    await dataSource.destroy();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    node = await new ServiceProcess('secrets', {
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL,
      QUEUE_PREFIX: db.name.slice(-50),
      JWT_SECRET: secrets.jwtSecret,
      ADMIN_USERNAME: 'root-admin',
      ADMIN_PASSWORD: secrets.adminPassword,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
    }).start(60_000);
  }, 90_000);
  afterAll(async () => {
    await node?.kill();
    await hook.stop();
    await db.drop();
  });

  it('appear in no answer and no log line, whatever the request', async () => {
    const admin = (await call('POST', '/api/v1/auth/login', { body: { username: 'root-admin', password: secrets.adminPassword } })).body.access_token as string;
    expect(admin).toEqual(expect.any(String));
    answers.pop(); // the one answer that carries a token: the login that issues it
    await call('POST', '/api/v1/auth/login', { body: { username: 'root-admin', password: secrets.wrongPassword } });
    await call('POST', '/api/v1/auth/login', { body: { username: secrets.wrongPassword, password: secrets.adminPassword } });
    await call('POST', '/api/v1/users', { token: admin, body: { username: 'alice', password: secrets.userPassword } });
    await call('POST', '/api/v1/users', { token: admin, body: { username: 'alice', password: secrets.userPassword } });
    await call('POST', '/api/v1/users', { token: admin, body: { username: 'bad name', password: secrets.userPassword } });
    const user = (await call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: secrets.userPassword } })).body.access_token as string;
    answers.pop();
    await call('GET', '/api/v1/auth/me', { token: user });
    await call('GET', `/api/v1/jobs/?access_token=${admin}`, { token: admin });
    await call('GET', `/api/v1/jobs/?token=${admin}`);
    await call('GET', '/api/v1/jobs/', { token: `${admin}x` });
    await call('POST', '/api/v1/jobs/', { token: user, body: { name: 'x' } });
    await call('GET', '/api/v1/users', { token: admin });
    const job = (
      await call('POST', '/api/v1/jobs/', {
        token: admin,
        body: {
          name: 'leaky_webhook',
          title: 'Leaky webhook',
          job_type: 'custom',
          schedule_type: 'interval',
          schedule_expression: '60',
          task_name: 'http.request',
          is_enabled: false,
          task_kwargs: { url: `${hook.url}/fail?token=${secrets.urlToken}`, headers: { authorization: `Bearer ${secrets.headerToken}` }, body: { password: secrets.bodyPassword } },
        },
      })
    ).body;
    await call('POST', `/api/v1/jobs/${job.id as number}/execute`, { token: admin, body: { force: true } });
    const failed = async () => (await withClient(db.url, (c) => c.query(`SELECT 1 FROM executions WHERE status = 'failed'`))).rows.length > 0;
    await eventually('the run to fail', failed, 30_000, 250);
    await call('GET', `/api/v1/jobs/${job.id as number}/executions`, { token: admin });
    await call('GET', '/api/v1/audit-logs?size=100', { token: admin });
    await call('GET', '/metrics');
    await call('GET', '/health/ready');
    await call('GET', '/docs-json');
    await node.stop();

    const hashes = await withClient(db.url, async (c) => (await c.query('SELECT password_hash FROM users')).rows.map((r) => r.password_hash as string));
    expect(hashes.length).toBe(2);
    // The capture works: the failed login was logged.
    expect(node.output).toMatch(/Failed login/);
    const logs = node.output;
    const credentials = [secrets.adminPassword, secrets.userPassword, secrets.wrongPassword, secrets.jwtSecret, admin, user, ...hashes];
    for (const value of credentials) {
      expect(logs).not.toContain(value);
      for (const answer of answers) expect(answer).not.toContain(value);
    }
    // What a job carries as its own configuration is its owner's to read back, but no log line shows it.
    for (const value of [secrets.headerToken, secrets.bodyPassword, secrets.urlToken]) expect(logs).not.toContain(value);
    expect(logs).not.toMatch(/\$argon2|\$2[aby]\$/);
  }, 120_000);
});

