import { AuditService } from '../../src/modules/audit/audit.service';
import { jobBody } from '../factories/job.factory';
import { createTestApp, TEST_ADMIN, TEST_USER, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

interface Entry {
  id: number;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  changes: Record<string, { before: unknown; after: unknown }>;
  ip: string | null;
}

describe(AuditService.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('audit');
  });
  afterAll(async () => {
    await t.close();
  });

  const jobEntries = () =>
    withClient(
      t.db.url,
      async (c) => (await c.query<Entry>(`SELECT * FROM audit_logs WHERE entity_type = 'job' ORDER BY id`)).rows,
    );
  const jobsSnapshot = () =>
    withClient(t.db.url, async (c) => JSON.stringify((await c.query('SELECT * FROM jobs ORDER BY id')).rows));
  /** Runs `change` and returns the job audit entries it added. */
  const added = async (change: () => Promise<unknown>): Promise<Entry[]> => {
    const before = (await jobEntries()).length;
    await change();
    return (await jobEntries()).slice(before);
  };

  describe('each change to a job leaves exactly one entry, by the caller, with before/after', () => {
    let id: number;

    it('POST /api/v1/jobs/ → job.create with every field as after', async () => {
      let body: Record<string, unknown> = {};
      const entries = await added(async () => {
        body = (
          await t.http
            .post('/api/v1/jobs/')
            .send(jobBody({ title: 'Audited', task_kwargs: { url: 'https://example.test' } }))
            .expect(201)
        ).body;
      });
      id = body.id as number;
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        actor: TEST_ADMIN.username,
        action: 'job.create',
        entity_type: 'job',
        entity_id: String(id),
        ip: expect.stringMatching(/127\.0\.0\.1/),
      });
      expect(entries[0].changes.title).toEqual({ before: null, after: 'Audited' });
      expect(entries[0].changes.task_kwargs).toEqual({ before: null, after: { url: 'https://example.test' } });
      expect(entries[0].changes).not.toHaveProperty('updated_at');
    });

    it('PUT /api/v1/jobs/{id} → job.update with only the changed fields', async () => {
      const entries = await added(() =>
        t.http.put(`/api/v1/jobs/${id}`).send({ title: 'Renamed', description: null, max_retries: 0 }).expect(200),
      );
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: TEST_ADMIN.username, action: 'job.update', entity_id: String(id) });
      // description was already null and max_retries already 0: not changes.
      expect(entries[0].changes).toEqual({ title: { before: 'Audited', after: 'Renamed' } });
    });

    it('PUT of a schedule also records the recomputed next_run_at', async () => {
      const entries = await added(() => t.http.put(`/api/v1/jobs/${id}`).send({ is_enabled: false }).expect(200));
      expect(Object.keys(entries[0].changes).sort()).toEqual(['is_enabled', 'next_run_at']);
      expect(entries[0].changes.next_run_at).toEqual({ before: expect.any(String), after: null });
    });

    it('DELETE /api/v1/jobs/{id} → job.delete with the job as before', async () => {
      const entries = await added(() => t.http.delete(`/api/v1/jobs/${id}`).expect(204));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: 'job.delete', entity_id: String(id) });
      expect(entries[0].changes.title).toEqual({ before: 'Renamed', after: null });
      expect(entries[0].changes.name).toEqual({ before: expect.any(String), after: null });
    });

    it('never stores secrets found in task_kwargs', async () => {
      const kwargs = {
        url: 'https://hooks.test',
        headers: { Authorization: 'Bearer s3cr3t-token', 'X-Trace': 'keep' },
      };
      const entries = await added(() =>
        t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ task_kwargs: kwargs, metadata: { owner: 'ops', api_key: 'k3y-value' } }))
          .expect(201),
      );
      const stored = JSON.stringify(entries);
      expect(stored).not.toContain('s3cr3t-token');
      expect(stored).not.toContain('k3y-value');
      expect(entries[0].changes.task_kwargs.after).toEqual({
        url: 'https://hooks.test',
        headers: { Authorization: '***', 'X-Trace': 'keep' },
      });
      expect(entries[0].changes.metadata.after).toEqual({ owner: 'ops', api_key: '***' });
    });
  });

  describe('a change that fails leaves no entry', () => {
    let existing: { id: number; name: string };
    let other: { id: number; name: string };
    beforeAll(async () => {
      existing = (await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201)).body;
      other = (await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201)).body;
    });

    it.each([
      ['create with a bad body (400)', () => t.http.post('/api/v1/jobs/').send(jobBody({ task_priority: 99 })), 400],
      [
        'create with a bad schedule (400)',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ schedule_type: 'daily', schedule_expression: '25:00' })),
        400,
      ],
      [
        'create with a duplicate name (409)',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ name: existing.name })),
        409,
      ],
      [
        'update to a duplicate name (409)',
        () => t.http.put(`/api/v1/jobs/${other.id}`).send({ name: existing.name }),
        409,
      ],
      [
        'update with a bad schedule (400)',
        () => t.http.put(`/api/v1/jobs/${other.id}`).send({ schedule_type: 'cron', schedule_expression: '* *' }),
        400,
      ],
      ['update of an unknown job (404)', () => t.http.put('/api/v1/jobs/999999').send({ title: 'x' }), 404],
      ['delete of an unknown job (404)', () => t.http.delete('/api/v1/jobs/999999'), 404],
      ['delete by an ordinary user (403)', () => t.asUser.delete(`/api/v1/jobs/${other.id}`), 403],
    ])('%s', async (_label, send, status) => {
      const entries = await added(async () => expect((await send()).status).toBe(status));
      expect(entries).toEqual([]);
    });
  });

  describe('an audit write that fails rolls the change back', () => {
    let job: { id: number; name: string };
    beforeAll(async () => {
      job = (
        await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ title: 'Untouchable' }))
          .expect(201)
      ).body;
      // A real failure inside PostgreSQL, in this suite's database only.
      await withClient(t.db.url, (c) =>
        c.query(`
          CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'audit store unavailable (test trigger)'; END $$;
          CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW WHEN (NEW.entity_type = 'job') EXECUTE FUNCTION test_fail_audit();`),
      );
    });
    afterAll(async () => {
      await withClient(t.db.url, (c) =>
        c.query('DROP TRIGGER test_fail_audit ON audit_logs; DROP FUNCTION test_fail_audit();'),
      );
    });

    it.each([
      ['a create', () => t.http.post('/api/v1/jobs/').send(jobBody({ name: 'never_created' }))],
      ['an update', () => t.http.put(`/api/v1/jobs/${job.id}`).send({ title: 'Changed anyway?' })],
      ['a delete', () => t.http.delete(`/api/v1/jobs/${job.id}`)],
    ])('undoes %s and answers 500 without details', async (_label, send) => {
      const before = await jobsSnapshot();
      const res = await send();
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'INTERNAL_ERROR',
        message: 'Internal server error',
      });
      expect(await jobsSnapshot()).toBe(before);
    });
  });

  describe('GET /api/v1/audit-logs', () => {
    const list = async (query: string) => (await t.http.get(`/api/v1/audit-logs?${query}`).expect(200)).body;

    it('records logins, successful and failed, with the address', async () => {
      await t.anon
        .post('/api/v1/auth/login')
        .send({ username: TEST_USER.username, password: 'not-it-at-all' })
        .expect(401);
      const failed = await list(`action=auth.login_failed&actor=${TEST_USER.username}`);
      expect(failed.items[0]).toMatchObject({
        actor: TEST_USER.username,
        entity_type: 'user',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        changes: {},
      });
      const ok = await list(`action=auth.login&actor=${TEST_ADMIN.username}`);
      expect(ok.total).toBeGreaterThanOrEqual(1);
    });

    it('filters by actor, action, entity and time, newest first, paginated like the jobs list', async () => {
      const created = (await t.http.post('/api/v1/jobs/').send(jobBody()).expect(201)).body;
      await t.http.put(`/api/v1/jobs/${created.id}`).send({ title: 'Second' }).expect(200);
      const byEntity = await list(`entity_type=job&entity_id=${created.id}`);
      expect(byEntity).toMatchObject({ total: 2, page: 1, size: 20, pages: 1 });
      expect(byEntity.items.map((e: Entry) => e.action)).toEqual(['job.update', 'job.create']);
      expect(await list(`entity_type=job&entity_id=${created.id}&action=job.update`)).toMatchObject({ total: 1 });
      expect(await list(`entity_type=job&entity_id=${created.id}&actor=${TEST_USER.username}`)).toMatchObject({
        total: 0,
      });
      const at = new Date(byEntity.items[1].at);
      expect(
        await list(`entity_id=${created.id}&from=${new Date(at.getTime() + 3_600_000).toISOString()}`),
      ).toMatchObject({ total: 0 });
      expect(
        await list(`entity_id=${created.id}&to=${new Date(at.getTime() - 3_600_000).toISOString()}`),
      ).toMatchObject({ total: 0 });
      expect(
        await list(
          `entity_id=${created.id}&from=${new Date(at.getTime() - 60_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
        ),
      ).toMatchObject({ total: 2 });
      const page2 = await list(`entity_id=${created.id}&size=1&page=2`);
      expect(page2).toMatchObject({ total: 2, page: 2, size: 1, pages: 2, items: [{ action: 'job.create' }] });
    });

    it.each([
      ['from=yesterday', /from/],
      ['to=2026-13-01T00:00:00Z', /to/],
      ['size=101', /size/],
      ['page=0', /page/],
      ['unknown=1', /unknown/],
    ])('rejects %s with 400 naming the parameter', async (query, pattern) => {
      const res = await t.http.get(`/api/v1/audit-logs?${query}`).expect(400);
      expect([res.body.message].flat().join(' ')).toMatch(pattern);
    });

    it('is for superusers only', async () => {
      await t.asUser.get('/api/v1/audit-logs').expect(403);
      await t.anon.get('/api/v1/audit-logs').expect(401);
    });
  });
});
