import type { INestApplication } from '@nestjs/common';
import { createHmac, randomUUID } from 'node:crypto';
import { AuthController } from '../../src/modules/auth/auth.controller';
import { createTestApp, TEST_ADMIN, TEST_USER, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';
import { policyFor, ROUTE_POLICIES, type RoutePolicy } from './route-policies';

interface LiveRoute {
  method: string;
  path: string;
  key: string;
}

/** Every route the running app serves, read from Express's router (so nothing can hide from the matrix). */
function liveRoutes(app: INestApplication): LiveRoute[] {
  const router = app.getHttpAdapter().getInstance().router as {
    stack: { route?: { path: string; methods: Record<string, boolean> } }[];
  };
  return router.stack.flatMap((layer) => {
    const methods = Object.keys(layer.route?.methods ?? {});
    // Registrations for every verb are Nest's handling of prefix-excluded paths, not endpoints.
    if (!layer.route || methods.length > 3) return [];
    return methods.map((m) => ({
      method: m.toUpperCase(),
      path: layer.route!.path,
      key: `${m.toUpperCase()} ${layer.route!.path}`,
    }));
  });
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HASHES = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
function signJwt(payload: object, secret: string, alg: keyof typeof HASHES = 'HS256'): string {
  const unsigned = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  return `${unsigned}.${createHmac(HASHES[alg], secret).update(unsigned).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);

describe(AuthController.name, () => {
  let t: TestApp;
  let routes: LiveRoute[];

  beforeAll(async () => {
    t = await createTestApp('auth');
    routes = liveRoutes(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('authorization matrix (every live route × no token, bad token, user, superuser)', () => {
    it('has a decision in test/e2e/route-policies.ts for every route the app serves', () => {
      const missing = routes.filter((r) => !policyFor(r.key)).map((r) => r.key);
      expect(
        missing.length === 0
          ? 'ok'
          : `Add these routes to ROUTE_POLICIES in test/e2e/route-policies.ts: ${missing.join(', ')}`,
      ).toBe('ok');
    });

    it('has no decision for a route that does not exist', () => {
      const live = new Set(routes.map((r) => r.key));
      const stale = Object.keys(ROUTE_POLICIES).filter((key) =>
        key.endsWith('*')
          ? !routes.some((r) => policyFor(r.key) && r.key.startsWith(key.slice(0, -1)))
          : !live.has(key),
      );
      expect(
        stale.length === 0 ? 'ok' : `Remove (or fix) these entries in test/e2e/route-policies.ts: ${stale.join(', ')}`,
      ).toBe('ok');
    });

    const callers = {
      'no token': () => t.anon,
      'a bad token': () => t.anon.set('Authorization', 'Bearer not.a.token'),
      'an ordinary user': () => t.asUser,
      'a superuser': () => t.http,
    } as const;
    type Caller = keyof typeof callers;
    const freshToken = async (caller: Caller) =>
      (
        await t.anon
          .post('/api/v1/auth/login')
          .send(caller === 'a superuser' ? TEST_ADMIN : TEST_USER)
          .expect(200)
      ).body.access_token as string;
    const allowed = (policy: RoutePolicy, caller: Caller): 'allowed' | 401 | 403 => {
      if (policy === 'public' || caller === 'a superuser') return 'allowed';
      if (caller === 'no token' || caller === 'a bad token') return 401;
      return policy === 'superuser' ? 403 : 'allowed';
    };

    it.each(Object.keys(callers) as Caller[])('answers every route as its policy says for %s', async (caller) => {
      const wrong: string[] = [];
      for (const route of routes) {
        const policy = policyFor(route.key);
        if (!policy) continue;
        const url = route.path.replace(/:(\w+)/g, '1');
        // Logout revokes the token it is sent with: give it one of its own.
        const agent =
          route.key === 'POST /api/v1/auth/logout' && (caller === 'an ordinary user' || caller === 'a superuser')
            ? t.anon.set('Authorization', `Bearer ${await freshToken(caller)}`)
            : callers[caller]();
        const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch';
        const req = agent[method](url);
        const res = ['post', 'put', 'patch'].includes(method) ? await req.send({}) : await req;
        const expected = allowed(policy, caller);
        const ok =
          expected === 'allowed' ? ![401, 403].includes(res.status) && res.status < 500 : res.status === expected;
        if (!ok)
          wrong.push(
            `${route.key} (${policy}): expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
          );
        if (typeof expected === 'number' && ok)
          expect(res.body).toMatchObject({
            statusCode: expected,
            error: expect.any(String),
            message: expect.any(String),
          });
      }
      expect(wrong).toEqual([]);
    });

    it('documents the bearer scheme, 401 and 403 in the OpenAPI document for every API route', async () => {
      const doc = (await t.anon.get('/docs-json').expect(200)).body;
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const wrong: string[] = [];
      for (const route of routes.filter((r) => !r.path.startsWith('/docs'))) {
        const policy = policyFor(route.key);
        const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
        if (!op) {
          wrong.push(`${route.key}: not in the OpenAPI document`);
          continue;
        }
        const secured = (op.security ?? []).some((s: Record<string, unknown>) => 'bearer' in s);
        if (policy === 'public' && secured) wrong.push(`${route.key}: public but documented as needing a token`);
        if (policy !== 'public' && (!secured || !op.responses['401']))
          wrong.push(`${route.key}: needs @ApiAuth() (bearer security and a 401 response)`);
        if (policy === 'superuser' && (!op.responses['403'] || !op['x-superuser']))
          wrong.push(`${route.key}: needs @Superuser() (403 response, x-superuser)`);
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('POST /api/v1/auth/login and GET /api/v1/auth/me', () => {
    it('returns a bearer token that /auth/me accepts', async () => {
      const res = await t.anon.post('/api/v1/auth/login').send(TEST_USER).expect(200);
      expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600 });
      const me = await t.anon
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${res.body.access_token}`)
        .expect(200);
      expect(me.body).toEqual({ id: expect.any(Number), username: TEST_USER.username, is_superuser: false });
      expect((await t.http.get('/api/v1/auth/me').expect(200)).body).toMatchObject({
        username: 'test-admin',
        is_superuser: true,
      });
    });

    it.each([
      ['a wrong password', { username: TEST_USER.username, password: 'wrong-password' }],
      ['an unknown user', { username: 'nobody', password: 'whatever-password' }],
    ])('answers 401 for %s, with the same message', async (_label, body) => {
      const res = await t.anon.post('/api/v1/auth/login').send(body).expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'INVALID_CREDENTIALS',
        message: 'Invalid username or password',
      });
    });

    it('answers 400 naming the field for a missing password', async () => {
      const res = await t.anon.post('/api/v1/auth/login').send({ username: 'x' }).expect(400);
      expect([res.body.message].flat().join(' ')).toMatch(/password/);
    });

    it('sends helmet security headers', async () => {
      const res = await t.anon.get('/api/v1/auth/me');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('JWT attacks', () => {
    let admin: { id: number; username: string };
    beforeAll(async () => {
      admin = (await t.http.get('/api/v1/auth/me').expect(200)).body;
    });
    const claims = () => ({
      sub: admin.id,
      username: admin.username,
      jti: randomUUID(),
      ver: 0,
      iat: now(),
      exp: now() + 600,
    });
    const meWith = (token: string) => t.anon.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

    it('accepts a correctly signed HS256 token (the attacks below differ only in one thing)', async () => {
      await meWith(signJwt(claims(), t.config.jwtSecret!)).expect(200);
    });

    it.each([
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      [
        'alg none with a signature',
        () =>
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.${signJwt(claims(), t.config.jwtSecret!).split('.')[2]}`,
      ],
      ['HS256 signed with another secret', () => signJwt(claims(), 'another-secret-that-is-long-enough-000')],
      ['HS512 with the right secret', () => signJwt(claims(), t.config.jwtSecret!, 'HS512')],
      ['HS384 with the right secret', () => signJwt(claims(), t.config.jwtSecret!, 'HS384')],
      [
        'an edited payload (user token turned into the admin)',
        () => {
          const [h, , s] = t.tokens.user.split('.');
          return `${h}.${b64(claims())}.${s}`;
        },
      ],
      ['an expired token', () => signJwt({ ...claims(), iat: now() - 7200, exp: now() - 3600 }, t.config.jwtSecret!)],
      ['a token for a user id that does not exist', () => signJwt({ ...claims(), sub: 999999 }, t.config.jwtSecret!)],
      [
        'a token whose username does not match its id',
        () => signJwt({ ...claims(), username: 'someone-else' }, t.config.jwtSecret!),
      ],
      [
        'a correctly signed token without exp',
        () => {
          const { exp: _exp, ...rest } = claims();
          return signJwt(rest, t.config.jwtSecret!);
        },
      ],
      [
        'a correctly signed token without jti (it could never be revoked)',
        () => {
          const { jti: _jti, ...rest } = claims();
          return signJwt(rest, t.config.jwtSecret!);
        },
      ],
      [
        'a token from before a password change (older token version)',
        () => signJwt({ ...claims(), ver: -1 }, t.config.jwtSecret!),
      ],
      ['garbage', () => 'abc'],
    ])('rejects %s with 401', async (_label, token) => {
      const res = await meWith(token()).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('says a token without exp is refused for that reason', async () => {
      const { exp: _exp, ...rest } = claims();
      const res = await meWith(signJwt(rest, t.config.jwtSecret!)).expect(401);
      expect(res.body.message).toMatch(/exp/);
    });

    it('says an expired token has expired', async () => {
      const res = await meWith(signJwt({ ...claims(), exp: now() - 10 }, t.config.jwtSecret!)).expect(401);
      expect(res.body.message).toMatch(/expired/);
    });

    it('rejects the token of a user deleted after logging in', async () => {
      await t.http.post('/api/v1/users').send({ username: 'doomed', password: 'doomed-password-41' }).expect(201);
      const token = (
        await t.anon.post('/api/v1/auth/login').send({ username: 'doomed', password: 'doomed-password-41' }).expect(200)
      ).body.access_token;
      await meWith(token).expect(200);
      await withClient(t.db.url, (c) => c.query(`DELETE FROM users WHERE username = 'doomed'`));
      await meWith(token).expect(401);
    });
  });

  describe('POST/GET /api/v1/users', () => {
    it('creates a user (201) who can log in, without ever returning the password or its hash', async () => {
      const res = await t.http
        .post('/api/v1/users')
        .send({ username: 'carol', password: 'carol-password', is_superuser: true })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username: 'carol',
        is_superuser: true,
        is_active: true,
        created_at: expect.any(String),
      });
      await t.anon.post('/api/v1/auth/login').send({ username: 'carol', password: 'carol-password' }).expect(200);
      const list = (await t.http.get('/api/v1/users?size=100').expect(200)).body;
      expect(list).toMatchObject({ page: 1, size: 100, pages: 1 });
      expect(list.items.map((u: { username: string }) => u.username)).toEqual(
        expect.arrayContaining(['test-admin', 'test-user', 'carol']),
      );
      expect(JSON.stringify(list)).not.toMatch(/password|argon2/);
      const stored = await withClient(
        t.db.url,
        async (c) => (await c.query(`SELECT password_hash FROM users WHERE username = 'carol'`)).rows[0].password_hash,
      );
      expect(stored).toMatch(/^\$argon2id\$/);
    });

    it.each([
      ['a duplicate name', { username: 'carol', password: 'another-password' }, 409, /carol/],
      [
        'a name differing only in case',
        { username: 'Carol', password: 'another-password' },
        409,
        /carol.*regardless of case/,
      ],
      ['a short password', { username: 'dave', password: 'short' }, 400, /password/],
      ['the password "password"', { username: 'dave', password: 'password' }, 400, /^password: must be at least 12/],
      ['the password "12345678"', { username: 'dave', password: '12345678' }, 400, /^password: /],
      ['eight spaces', { username: 'dave', password: '        ' }, 400, /^password: /],
      [
        'a long but guessable password',
        { username: 'dave', password: 'passwordpassword' },
        400,
        /^password: is too easy to guess \(.+\)/,
      ],
      [
        'a password that is the username and digits',
        { username: 'davidson', password: 'davidson1234' },
        400,
        /^password: is too easy to guess/,
      ],
      ['a bad username', { username: 'has space', password: 'long-enough-password' }, 400, /username/],
      ['an unknown field', { username: 'erin', password: 'long-enough-password', role: 'admin' }, 400, /role/],
      [
        'is_superuser as a string',
        { username: 'erin', password: 'long-enough-password', is_superuser: 'yes' },
        400,
        /is_superuser/,
      ],
    ])('rejects %s', async (_label, body, status, pattern) => {
      const res = await t.http.post('/api/v1/users').send(body).expect(status);
      expect([res.body.message].flat().join(' ')).toMatch(pattern);
      if (status === 400) expect(res.body.code).toBe('VALIDATION_FAILED');
      const names = await withClient(
        t.db.url,
        async (c) =>
          (await c.query(`SELECT username FROM users WHERE lower(username) IN ('dave', 'davidson', 'erin')`)).rows,
      );
      expect(names).toEqual([]);
    });

    it('refuses Admin beside admin (409) and lets admin log in as ADMIN (usernames match regardless of case)', async () => {
      await t.http.post('/api/v1/users').send({ username: 'admin', password: 'admin-password-for-tests' }).expect(201);
      const res = await t.http
        .post('/api/v1/users')
        .send({ username: 'Admin', password: 'another-admin-password' })
        .expect(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        code: 'USERNAME_TAKEN',
        message: expect.stringMatching(/"admin" already exists/),
      });
      const login = await t.anon
        .post('/api/v1/auth/login')
        .send({ username: 'ADMIN', password: 'admin-password-for-tests' })
        .expect(200);
      const me = await t.anon
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${login.body.access_token}`)
        .expect(200);
      expect(me.body.username).toBe('admin');
    });
  });
});
