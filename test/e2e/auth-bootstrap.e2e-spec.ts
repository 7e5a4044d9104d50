import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../src/app.setup';
import { AppConfig } from '../../src/config/app-config';
import { AdminBootstrapService } from '../../src/modules/auth/admin-bootstrap.service';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';
import { ServiceProcess } from '../support/service-process';
import { createTestDatabase, withClient } from '../support/test-database';

/** Everything written to stdout and stderr while `work` runs (Nest's console logger writes there). */
async function capturingOutput<T>(work: () => Promise<T>): Promise<{ result: T; writes: string[]; stdout: string[] }> {
  const writes: string[] = [];
  const stdout: string[] = [];
  const capture = (into: string[]) => (chunk: unknown) => {
    writes.push(String(chunk));
    into.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture(stdout));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture([]));
  try {
    return { result: await work(), writes, stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const pretendEmbedded = (dataDir: string) => (config: AppConfig) => {
  Object.defineProperty(config, 'embedded', { get: () => true });
  Object.defineProperty(config, 'dataDir', { value: dataDir });
};

describe(AdminBootstrapService.name, () => {
  describe('from ADMIN_USERNAME / ADMIN_PASSWORD', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp('auth_bootstrap_env');
    });
    afterAll(async () => {
      await t.close();
    });

    it('creates that superuser when no user exists, audited as system:bootstrap', async () => {
      const res = await t.anon.post('/api/v1/auth/login').send(TEST_ADMIN).expect(200);
      const me = await t.anon
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${res.body.access_token}`)
        .expect(200);
      expect(me.body).toMatchObject({ username: TEST_ADMIN.username, is_superuser: true });
      const entries = (await t.http.get('/api/v1/audit-logs?action=user.create&actor=system:bootstrap').expect(200))
        .body.items;
      expect(entries).toHaveLength(1);
      expect(entries[0].changes).toEqual({
        username: { before: null, after: TEST_ADMIN.username },
        is_superuser: { before: null, after: true },
      });
    });

    it('changes nothing on a later start with other values', async () => {
      const config = AppConfig.from(
        {},
        {
          DATABASE_URL: t.db.url,
          JWT_SECRET: t.config.jwtSecret,
          ADMIN_USERNAME: 'other-admin',
          ADMIN_PASSWORD: 'other-admin-password-2x',
        },
      );
      const app = await createApp(config, { logger: false });
      await app.init();
      await app.close();
      const users = await withClient(t.db.url, async (c) =>
        (await c.query('SELECT username FROM users ORDER BY id')).rows.map((r) => r.username),
      );
      expect(users).toEqual([TEST_ADMIN.username, 'test-user']);
      await t.anon.post('/api/v1/auth/login').send(TEST_ADMIN).expect(200);
    });
  });

  describe('embedded mode without ADMIN_PASSWORD', () => {
    let t: TestApp;
    let dataDir: string;
    let writes: string[];
    let stdout: string[];

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-auth-'));
      ({
        result: t,
        writes,
        stdout,
      } = await capturingOutput(() =>
        createTestApp(
          'auth_bootstrap_generated',
          { JWT_SECRET: undefined },
          { withoutUsers: true, logs: true, configure: pretendEmbedded(dataDir) },
        ),
      ));
    });
    afterAll(async () => {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const printedPassword = () => /password: (\S+)/.exec(writes.join(''))?.[1];

    it('generates a password for "admin" and prints it exactly once', async () => {
      const password = printedPassword();
      expect(password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(writes.filter((w) => w.includes(password!))).toHaveLength(1);
      // On the terminal (stderr) as a marked block, never in the JSON log stream (stdout).
      expect(stdout.some((w) => w.includes(password!))).toBe(false);
      expect(writes.find((w) => w.includes(password!))).toMatch(/FIRST START/);
      await t.anon.post('/api/v1/auth/login').send({ username: 'admin', password }).expect(200);
    });

    it('generates the JWT secret once and keeps it in DATA_DIR/jwt-secret, readable by the owner only', async () => {
      const file = path.join(dataDir, 'jwt-secret');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
    });

    it('prints nothing on the next start, and tokens stay valid across the restart', async () => {
      const token = (
        await t.anon.post('/api/v1/auth/login').send({ username: 'admin', password: printedPassword() }).expect(200)
      ).body.access_token;
      const config = AppConfig.from({}, { DATABASE_URL: t.db.url });
      pretendEmbedded(dataDir)(config);
      const { result: app, writes: again } = await capturingOutput(async () => {
        const app = await createApp(config);
        await app.init();
        return app;
      });
      try {
        expect(again.join('')).not.toMatch(/password/i);
        await t.anon.get('/api/v1/auth/me').expect(401);
        const request = (await import('supertest')).default;
        await request(app.getHttpServer()).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
      } finally {
        await app.close();
      }
    });
  });

  it.each([
    ['a short one', 'admin123', /ADMIN_PASSWORD: must be at least 12 characters/],
    ['a guessable one of 12+ characters', 'password1234', /ADMIN_PASSWORD: is too easy to guess/],
  ])(
    'a real process refuses to start with a weak ADMIN_PASSWORD (%s), naming the variable',
    async (_label, password, message) => {
      const db = await createTestDatabase('auth_weak_admin');
      const process = new ServiceProcess('weak-admin', {
        DATABASE_URL: db.url,
        JWT_SECRET: 'x'.repeat(40),
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: password,
        PORT: '0',
      });
      try {
        await expect(process.start()).rejects.toThrow(message);
        expect(process.exitCode).not.toBe(0);
        expect(process.output).not.toContain(password);
        expect(
          await withClient(db.url, async (c) => (await c.query(`SELECT to_regclass('public.users') AS t`)).rows[0].t),
        ).toBeNull();
      } finally {
        await process.stop();
        await db.drop();
      }
    },
  );

  it('refuses to start with an external database and no JWT_SECRET, naming the variable', async () => {
    const db = await createTestDatabase('auth_no_secret');
    const app = await createApp(AppConfig.from({}, { DATABASE_URL: db.url }), { logger: false });
    try {
      await expect(app.init()).rejects.toThrow(/JWT_SECRET: required when DATABASE_URL is set/);
    } finally {
      await app.close().catch(() => undefined);
      await db.drop();
    }
  });
});

describe('passwords never leave the service', () => {
  const secrets = { created: 'created-user-password-7f3a', wrong: 'mistyped-password-9c1e' };

  it('appear in no response, no log line and no audit entry', async () => {
    const bodies: string[] = [];
    const { writes, result: t } = await capturingOutput(async () => {
      const t = await createTestApp('auth_leaks', {}, { logs: true });
      const keep = (res: { text: string; headers: object }) => bodies.push(res.text, JSON.stringify(res.headers));
      keep(await t.http.post('/api/v1/users').send({ username: 'leaky', password: secrets.created }).expect(201));
      keep(await t.http.post('/api/v1/users').send({ username: 'leaky', password: secrets.created }).expect(409));
      keep(await t.http.post('/api/v1/users').send({ username: 'x y', password: secrets.created }).expect(400));
      keep(await t.anon.post('/api/v1/auth/login').send({ username: 'leaky', password: secrets.wrong }).expect(401));
      keep(
        await t.anon
          .post('/api/v1/auth/login')
          .send({ username: secrets.wrong, password: secrets.created })
          .expect(401),
      );
      keep(await t.anon.post('/api/v1/auth/login').send({ username: 'leaky', password: secrets.created }).expect(200));
      keep(await t.http.get('/api/v1/users').expect(200));
      keep(await t.http.get('/api/v1/audit-logs?size=100').expect(200));
      return t;
    });
    try {
      const audit = await withClient(t.db.url, async (c) =>
        JSON.stringify((await c.query('SELECT * FROM audit_logs')).rows),
      );
      // The capture works: the failed logins were logged (without their passwords).
      expect(writes.join('')).toMatch(/Failed login for "leaky"/);
      expect(writes.join('')).toMatch(/Failed login for an unknown username/);
      for (const haystack of [...bodies, ...writes, audit]) {
        expect(haystack).not.toContain(secrets.created);
        // Typed into the username field: an unknown name is audited and logged as anonymous.
        expect(haystack).not.toContain(secrets.wrong);
        expect(haystack).not.toContain(TEST_ADMIN.password);
        expect(haystack).not.toMatch(/\$argon2/);
      }
    } finally {
      await t.close();
    }
  });
});
