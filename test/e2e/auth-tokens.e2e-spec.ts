import request from 'supertest';
import { AuthService } from '../../src/modules/auth/auth.service';
import { manageEnv, runManage as manage } from '../support/manage';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TEST_ADMIN, TEST_USER, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

describe(`${AuthService.name}: logout, password change, revocation`, () => {
  let t: TestApp;
  /** A second API instance on the same database: another process's view. */
  let other: TestApp;
  const alice = { username: 'alice', password: 'alice-first-password-7q' };

  beforeAll(async () => {
    t = await createTestApp('auth_tokens');
    other = await createTestApp(
      'auth_tokens_other',
      { JWT_SECRET: t.config.jwtSecret },
      { database: t.db, withoutUsers: true },
    );
    await t.http.post('/api/v1/users').send(alice).expect(201);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  const login = async (credentials: { username: string; password: string }) =>
    (await t.anon.post('/api/v1/auth/login').send(credentials).expect(200)).body.access_token as string;
  const me = (app: TestApp, token: string) => app.anon.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);
  const sql = <T>(text: string, params: unknown[] = []) =>
    withClient(t.db.url, async (c) => (await c.query(text, params)).rows as T[]);

  it('POST /auth/logout revokes the token it is sent with (204), in every process; other tokens keep working', async () => {
    const token = await login(alice);
    const second = await login(alice);
    await me(t, token).expect(200);
    await me(other, token).expect(200);
    await request(t.app.getHttpServer())
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${token}`)
      .expect(204);
    const res = await me(t, token).expect(401);
    expect(res.body.message).toMatch(/revoked/);
    await me(other, token).expect(401);
    await request(other.app.getHttpServer())
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    await me(other, second).expect(200);
    const audit = await sql<{ actor: string }>(`SELECT actor FROM audit_logs WHERE action = 'auth.logout'`);
    expect(audit).toEqual([{ actor: 'alice' }]);
  });

  it('POST /auth/password changes the password, revokes every older token (the one used too) and answers a fresh one', async () => {
    const used = await login(alice);
    const another = await login(alice);
    const res = await t.anon
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${used}`)
      .send({ current_password: alice.password, new_password: 'alice-second-password-k4' })
      .expect(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
    for (const app of [t, other]) {
      await me(app, used).expect(401);
      await me(app, another).expect(401);
      await me(app, res.body.access_token).expect(200);
    }
    await t.anon.post('/api/v1/auth/login').send(alice).expect(401);
    await login({ username: 'alice', password: 'alice-second-password-k4' });
    const audit = await sql<{ actor: string; changes: unknown }>(
      `SELECT actor, changes FROM audit_logs WHERE action = 'user.password_change'`,
    );
    expect(audit).toEqual([{ actor: 'alice', changes: {} }]);
    alice.password = 'alice-second-password-k4';
  });

  it.each([
    [
      'a wrong current password',
      { current_password: 'not-my-password-at-all', new_password: 'alice-third-password-z9' },
      /^current_password: /,
    ],
    [
      'a weak new password',
      { current_password: 'CURRENT', new_password: 'password1234' },
      /^new_password: is too easy to guess/,
    ],
    [
      'a short new password',
      { current_password: 'CURRENT', new_password: 'short' },
      /^new_password: must be at least 12/,
    ],
    ['a missing field', { current_password: 'CURRENT' }, /new_password/],
  ])('refuses %s with 400 naming the field, and changes nothing', async (_label, body, pattern) => {
    const token = await login(alice);
    const sent = {
      ...body,
      current_password: body.current_password === 'CURRENT' ? alice.password : body.current_password,
    };
    const res = await t.anon
      .post('/api/v1/auth/password')
      .set('Authorization', `Bearer ${token}`)
      .send(sent)
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect([res.body.message].flat().join(' ')).toMatch(pattern);
    await me(t, token).expect(200);
    await login(alice);
  });

  it('throttles wrong current passwords like failed logins (a stolen token cannot guess the password)', async () => {
    await t.http
      .post('/api/v1/users')
      .send({ username: 'guessed', password: 'guessed-password-for-tests' })
      .expect(201);
    const token = await login({ username: 'guessed', password: 'guessed-password-for-tests' });
    const change = (current: string) =>
      t.anon
        .post('/api/v1/auth/password')
        .set('Authorization', `Bearer ${token}`)
        .send({ current_password: current, new_password: 'guessed-new-password-61' });
    for (let i = 0; i < t.config.loginThrottleLimit; i++) await change(`wrong-guess-${i}`).expect(400);
    const refused = await change('guessed-password-for-tests').expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    await t.anon
      .post('/api/v1/auth/login')
      .send({ username: 'guessed', password: 'guessed-password-for-tests' })
      .expect(429);
  });

  it('a user deleted or demoted after logging in loses the rights at once, in every process', async () => {
    await t.http
      .post('/api/v1/users')
      .send({ username: 'boss', password: 'boss-password-for-tests', is_superuser: true })
      .expect(201);
    const token = await login({ username: 'boss', password: 'boss-password-for-tests' });
    await other.anon.get('/api/v1/audit-logs').set('Authorization', `Bearer ${token}`).expect(200);
    await sql(`UPDATE users SET is_superuser = false WHERE username = 'boss'`);
    await other.anon.get('/api/v1/audit-logs').set('Authorization', `Bearer ${token}`).expect(403);
    await sql(`DELETE FROM users WHERE username = 'boss'`);
    await me(other, token).expect(401);
  });

  it('./manage users create refuses a weak password (exit 1, naming password) and Admin beside admin', async () => {
    const env = manageEnv(t);
    for (const weak of ['password', '12345678', '        ', 'passwordpassword']) {
      const result = await manage(['users', 'create', 'weakling', '--password-stdin'], env, `${weak}\n`);
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 1,
        stderr: expect.stringMatching(/password: (must be at least 12|is too easy to guess)/),
      });
    }
    const clash = await manage(['users', 'create', 'ALICE', '--password-stdin'], env, 'a-fine-cli-password-88\n');
    expect({ code: clash.code, stderr: clash.stderr }).toEqual({
      code: 1,
      stderr: expect.stringMatching(/"alice" already exists/),
    });
    expect(await sql(`SELECT username FROM users WHERE lower(username) IN ('weakling') OR username = 'ALICE'`)).toEqual(
      [],
    );
  });

  it('keeps the test user able to log in (fixture passwords meet the policy)', async () => {
    await login(TEST_USER);
  });
});

describe('A valid token while the database is away', () => {
  let t: TestApp;
  let viaProxy: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    t = await createTestApp('auth_db_away');
    proxy = await TcpProxy.forUrl(t.db.url).start();
    viaProxy = await createTestApp(
      'auth_db_away_proxy',
      { JWT_SECRET: t.config.jwtSecret, ROLES: 'api' },
      { database: { ...t.db, url: proxy.rewrite(t.db.url) } },
    );
  });
  afterAll(async () => {
    proxy?.restore();
    await viaProxy?.close();
    await proxy?.stop();
    await t?.close();
  });

  it('gets 503 (not 401), and so does login (not 500); both work again when it is back', async () => {
    await viaProxy.http.get('/api/v1/auth/me').expect(200);
    proxy.cut();
    try {
      const me = await viaProxy.http.get('/api/v1/auth/me');
      expect({ status: me.status, code: me.body.code }).toEqual({ status: 503, code: expect.any(String) });
      const login = await viaProxy.anon.post('/api/v1/auth/login').send(TEST_ADMIN);
      expect(login.status).toBe(503);
    } finally {
      proxy.restore();
    }
    await viaProxy.http.get('/api/v1/auth/me').expect(200);
  });
});

// The login counters live in Redis only when REDIS_URL is set (CI's external-mode run).
(process.env.REDIS_URL ? describe : describe.skip)('Login while Redis (holding the login counters) is away', () => {
  let t: TestApp;
  let viaProxy: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    t = await createTestApp('auth_redis_away');
    proxy = await TcpProxy.forUrl(process.env.REDIS_URL!).start();
    viaProxy = await createTestApp(
      'auth_redis_away_proxy',
      { JWT_SECRET: t.config.jwtSecret, ROLES: 'api', REDIS_URL: proxy.rewrite(process.env.REDIS_URL!) },
      { database: t.db },
    );
  });
  afterAll(async () => {
    proxy?.restore();
    await viaProxy?.close();
    await proxy?.stop();
    await t?.close();
  });

  it('answers 503 with Retry-After (not 500, and never an unthrottled attempt); works again when it is back', async () => {
    await viaProxy.anon.post('/api/v1/auth/login').send(TEST_ADMIN).expect(200);
    proxy.cut();
    try {
      const login = await viaProxy.anon.post('/api/v1/auth/login').send(TEST_ADMIN);
      expect({ status: login.status, code: login.body.code }).toEqual({
        status: 503,
        code: 'LOGIN_THROTTLE_UNAVAILABLE',
      });
      expect(Number(login.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      proxy.restore();
    }
    await eventuallyOk(() => viaProxy.anon.post('/api/v1/auth/login').send(TEST_ADMIN));
  });
});

async function eventuallyOk(attempt: () => PromiseLike<{ status: number }>, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = 0;
  while (Date.now() < until) {
    last = (await attempt()).status;
    if (last === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(last).toBe(200);
}
