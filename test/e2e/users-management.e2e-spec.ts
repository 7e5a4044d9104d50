import { UsersService } from '../../src/modules/auth/users.service';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

interface UserBody {
  id: number;
  username: string;
  is_superuser: boolean;
  is_active: boolean;
}

describe(`${UsersService.name}: GET|PUT|DELETE /api/v1/users/{id}`, () => {
  let t: TestApp;
  /** A second API instance on the same database: another process's view. */
  let other: TestApp;

  beforeAll(async () => {
    t = await createTestApp('users_mgmt');
    other = await createTestApp(
      'users_mgmt_other',
      { JWT_SECRET: t.config.jwtSecret },
      { database: t.db, withoutUsers: true },
    );
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  let seq = 0;
  /** A fresh user (superuser or not) and a token of it. */
  async function newUser(isSuperuser: boolean): Promise<{ user: UserBody; token: string; password: string }> {
    const password = `Correct-horse-battery-${++seq}x`;
    const username = `member_${seq}`;
    const user = (
      await t.http.post('/api/v1/users').send({ username, password, is_superuser: isSuperuser }).expect(201)
    ).body as UserBody;
    const token = (await t.anon.post('/api/v1/auth/login').send({ username, password }).expect(200)).body
      .access_token as string;
    return { user, token, password };
  }
  const as = (app: TestApp, token: string, path: string) => app.anon.get(path).set('Authorization', `Bearer ${token}`);
  const auditOf = async (id: number) =>
    (await t.http.get(`/api/v1/audit-logs?entity_type=user&entity_id=${id}&size=100`).expect(200)).body.items as {
      action: string;
      changes: Record<string, unknown> | null;
    }[];

  it('GET /users/{id} answers the user with is_active; unknown → 404; a reader → 403', async () => {
    const { user, token } = await newUser(false);
    const res = await t.http.get(`/api/v1/users/${user.id}`).expect(200);
    expect(res.body).toEqual({ ...user, is_active: true });
    expect(res.body).not.toHaveProperty('password_hash');
    await t.http.get('/api/v1/users/999999').expect(404);
    await as(t, token, `/api/v1/users/${user.id}`).expect(403);
    await t.http.get('/api/v1/users/abc').expect(400);
  });

  it('PUT refuses bad input with 400 naming the field, changing nothing', async () => {
    const { user } = await newUser(false);
    const cases: [object, string][] = [
      [{}, 'body: give at least one of password, is_superuser, is_active'],
      [{ password: 'short' }, 'password'],
      [{ is_active: 'no' }, 'is_active'],
      [{ is_superuser: true, username: 'renamed' }, 'username'],
    ];
    for (const [body, message] of cases) {
      const res = await t.http.put(`/api/v1/users/${user.id}`).send(body).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(message);
    }
    expect((await t.http.get(`/api/v1/users/${user.id}`).expect(200)).body).toEqual({ ...user, is_active: true });
    await t.http.put('/api/v1/users/999999').send({ is_active: false }).expect(404);
  });

  it("a new password revokes the user's tokens in every process; the new one logs in; audited without the password", async () => {
    const { user, token, password } = await newUser(false);
    await as(other, token, '/api/v1/auth/me').expect(200);
    const next = 'Another-horse-battery-77q';
    await t.http.put(`/api/v1/users/${user.id}`).send({ password: next }).expect(200);
    await as(t, token, '/api/v1/auth/me').expect(401);
    await as(other, token, '/api/v1/auth/me').expect(401);
    await t.anon.post('/api/v1/auth/login').send({ username: user.username, password }).expect(401);
    await t.anon.post('/api/v1/auth/login').send({ username: user.username, password: next }).expect(200);
    const [update] = (await auditOf(user.id)).filter((e) => e.action === 'user.update');
    // The password key is redacted whole: the entry says that it changed, never to what.
    expect(update.changes).toEqual({ password: '***' });
    expect(JSON.stringify(update)).not.toContain(next);
  });

  it("a demoted user's very next request, in every process, is a reader's", async () => {
    const { user, token } = await newUser(true);
    await as(t, token, '/api/v1/audit-logs').expect(200);
    await as(other, token, '/api/v1/audit-logs').expect(200);
    const res = await t.http.put(`/api/v1/users/${user.id}`).send({ is_superuser: false }).expect(200);
    expect(res.body).toMatchObject({ is_superuser: false, is_active: true });
    await as(t, token, '/api/v1/audit-logs').expect(403);
    await as(other, token, '/api/v1/audit-logs').expect(403);
    await as(other, token, '/api/v1/jobs/').expect(200);
  });

  it('a deactivated user is refused at once in every process, cannot log in, and can be reactivated', async () => {
    const { user, token, password } = await newUser(false);
    await t.http.put(`/api/v1/users/${user.id}`).send({ is_active: false }).expect(200);
    for (const app of [t, other]) {
      const res = await as(app, token, '/api/v1/jobs/').expect(401);
      expect(res.body.message).toContain('deactivated');
    }
    const login = await t.anon.post('/api/v1/auth/login').send({ username: user.username, password }).expect(401);
    expect(login.body).toMatchObject({ code: 'USER_INACTIVE' });
    // A wrong password does not reveal that the user is deactivated.
    const wrong = await t.anon
      .post('/api/v1/auth/login')
      .send({ username: user.username, password: 'Not-the-password-123' })
      .expect(401);
    expect(wrong.body.message).toBe('Invalid username or password');
    await t.http.put(`/api/v1/users/${user.id}`).send({ is_active: true }).expect(200);
    await as(other, token, '/api/v1/jobs/').expect(200);
    const changes = (await auditOf(user.id)).filter((e) => e.action === 'user.update').map((e) => e.changes);
    expect(changes).toEqual(
      expect.arrayContaining([
        { is_active: { before: true, after: false } },
        { is_active: { before: false, after: true } },
      ]),
    );
  });

  it('DELETE → 204; its tokens stop working in every process; audited; a second DELETE → 404', async () => {
    const { user, token } = await newUser(true);
    await t.http.delete(`/api/v1/users/${user.id}`).expect(204);
    await as(t, token, '/api/v1/auth/me').expect(401);
    await as(other, token, '/api/v1/auth/me').expect(401);
    await t.http.get(`/api/v1/users/${user.id}`).expect(404);
    await t.http.delete(`/api/v1/users/${user.id}`).expect(404);
    expect((await auditOf(user.id)).map((e) => e.action)).toContain('user.delete');
    const reader = await newUser(false);
    await t.anon.delete(`/api/v1/users/${reader.user.id}`).set('Authorization', `Bearer ${reader.token}`).expect(403);
  });

  it('the last active superuser cannot be demoted, deactivated or deleted (409), even by two changes at once', async () => {
    const superusers = async () =>
      withClient(
        t.db.url,
        async (c) =>
          (
            await c.query<{ id: number; username: string }>(
              `SELECT id, username FROM users WHERE is_superuser AND is_active ORDER BY id`,
            )
          ).rows,
      );
    // Leave the test admin the only active superuser.
    for (const su of await superusers())
      if (su.username !== TEST_ADMIN.username)
        await t.http.put(`/api/v1/users/${su.id}`).send({ is_superuser: false }).expect(200);
    const [admin] = await superusers();
    for (const body of [{ is_superuser: false }, { is_active: false }]) {
      const res = await t.http.put(`/api/v1/users/${admin.id}`).send(body).expect(409);
      expect(res.body).toMatchObject({ code: 'LAST_SUPERUSER' });
    }
    await t.http.delete(`/api/v1/users/${admin.id}`).expect(409);
    // A deactivated superuser does not count: the admin is still the last active one.
    const second = await newUser(true);
    await t.http.put(`/api/v1/users/${second.user.id}`).send({ is_active: false }).expect(200);
    await t.http.put(`/api/v1/users/${admin.id}`).send({ is_superuser: false }).expect(409);
    await t.http.put(`/api/v1/users/${second.user.id}`).send({ is_active: true }).expect(200);
    // Two superusers demote each other at the same moment: one wins, one superuser remains.
    const answers = await Promise.all([
      t.http.put(`/api/v1/users/${second.user.id}`).send({ is_superuser: false }),
      t.anon
        .put(`/api/v1/users/${admin.id}`)
        .set('Authorization', `Bearer ${second.token}`)
        .send({ is_superuser: false }),
    ]);
    expect(answers.map((a) => a.status).filter((s) => s === 200)).toHaveLength(1);
    expect(await superusers()).toHaveLength(1);
  });
});
