import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobDefinitionsService } from '../../src/modules/jobs/job-definitions.service';
import { jobBody } from '../factories/job.factory';
import { buildOnce, manageEnv, runManage } from '../support/manage';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

type Definition = Record<string, unknown>;
interface Job extends Record<string, unknown> {
  id: number;
  name: string;
}

/** A definition named `name`: a custom http.request job every 30 minutes, with `overrides`. */
const define = (name: string, overrides: Definition = {}): Definition => jobBody({ name, title: name, ...overrides });

describe('POST /api/v1/jobs/apply (jobs as code)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // API only: no dispatcher moves next_run_at or records runs behind the snapshots' back.
    t = await createTestApp('jobs_apply', { ROLES: 'api' });
  });
  afterAll(async () => {
    await t.close();
  });

  const apply = async (body: object, status = 200) =>
    (await t.http.post('/api/v1/jobs/apply').send(body).expect(status)).body;
  const outcome = (lists: Partial<Record<'created' | 'updated' | 'unchanged' | 'deleted', string[]>>) => ({
    created: [],
    updated: [],
    unchanged: [],
    deleted: [],
    ...lists,
  });
  const job = async (name: string): Promise<Job> => {
    const page = (await t.http.get(`/api/v1/jobs/?search=${name}&size=100`).expect(200)).body;
    return page.items.find((j: Job) => j.name === name);
  };
  const audit = async (action: string, id: number) =>
    (await t.http.get(`/api/v1/audit-logs?action=${action}&entity_id=${id}`).expect(200)).body.items;
  /** Every job row, the runs and the audit entries: what a refused or dry apply leaves as it was. */
  const snapshot = () =>
    withClient(t.db.url, async (c) =>
      JSON.stringify({
        jobs: (await c.query('SELECT * FROM jobs ORDER BY id')).rows,
        audit: (await c.query('SELECT count(*)::int AS n FROM audit_logs')).rows[0].n,
      }),
    );
  const storedKwargs = (id: number) =>
    withClient(t.db.url, async (c) => (await c.query('SELECT task_kwargs FROM jobs WHERE id = $1', [id])).rows[0]);

  // Every kind of field, the schedule policies' too; start_at in another zone than answers show it.
  const a = define('apply_a', {
    description: 'first',
    tags: ['team:a'],
    start_at: '2030-01-01T00:00:00+01:00',
    max_runs: 5,
    jitter_seconds: 30,
  });
  const b = define('apply_b', { schedule_type: 'daily', schedule_expression: '02:00', task_priority: 8 });

  it('creates the jobs of a list, each with the audit entry POST /jobs/ writes', async () => {
    expect(await apply({ jobs: [a, b] })).toEqual(outcome({ created: ['apply_a', 'apply_b'] }));

    const created = await job('apply_a');
    expect(created).toMatchObject({
      ...a,
      start_at: '2029-12-31T23:00:00.000Z',
      timezone: 'UTC',
      task_queue: 'default',
      status: 'active',
      is_enabled: true,
    });
    const posted = (await t.http.post('/api/v1/jobs/').send(define('apply_posted')).expect(201)).body;
    const [entry] = await audit('job.create', created.id);
    const [postedEntry] = await audit('job.create', posted.id);
    expect(entry).toMatchObject({ actor: 'test-admin', entity_type: 'job' });
    expect(Object.keys(entry.changes).sort()).toEqual(Object.keys(postedEntry.changes).sort());
    expect(entry.changes.name).toEqual({ before: null, after: 'apply_a' });
  });

  it('applied again, the same list leaves everything unchanged: nothing written, no audit entry', async () => {
    const before = await snapshot();

    expect(await apply({ jobs: [a, b] })).toEqual(outcome({ unchanged: ['apply_a', 'apply_b'] }));

    expect(await snapshot()).toBe(before);
  });

  it("leaves a job made by POST /jobs/ unchanged by its own body: a definition's defaults are create's", async () => {
    const body = define('apply_minimal');
    await t.http.post('/api/v1/jobs/').send(body).expect(201);
    const before = await snapshot();

    expect(await apply({ jobs: [body] })).toEqual(outcome({ unchanged: ['apply_minimal'] }));
    expect(await snapshot()).toBe(before);
  });

  it('updates exactly the job whose definition changed, audited with the diff, as PUT does', async () => {
    const id = (await job('apply_b')).id;

    expect(await apply({ jobs: [a, { ...b, title: 'Renamed b' }] })).toEqual(
      outcome({ updated: ['apply_b'], unchanged: ['apply_a'] }),
    );

    expect(await job('apply_b')).toMatchObject({ title: 'Renamed b', task_priority: 8 });
    const entries = await audit('job.update', id);
    expect(entries).toHaveLength(1);
    expect(entries[0].changes).toEqual({ title: { before: 'apply_b', after: 'Renamed b' } });
    b.title = 'Renamed b';
  });

  it('sets a field the definition no longer has back to its default', async () => {
    const { task_priority: _removed, ...withoutPriority } = b;

    expect(await apply({ jobs: [withoutPriority] })).toEqual(outcome({ updated: ['apply_b'] }));

    expect(await job('apply_b')).toMatchObject({ task_priority: 5 });
    delete b.task_priority;
  });

  it('recomputes next_run_at of a new schedule exactly as PUT /jobs/{id} does', async () => {
    const twin = (
      await t.http
        .post('/api/v1/jobs/')
        .send(define('apply_twin', { schedule_type: 'daily', schedule_expression: '02:00' }))
        .expect(201)
    ).body;

    await apply({ jobs: [{ ...b, schedule_expression: '03:00' }] });
    const put = (await t.http.put(`/api/v1/jobs/${twin.id}`).send({ schedule_expression: '03:00' }).expect(200)).body;

    const applied = await job('apply_b');
    expect(new Date(applied.next_run_at as string).getUTCHours()).toBe(3);
    expect(applied.next_run_at).toBe(put.next_run_at);
    b.schedule_expression = '03:00';
  });

  it('holds is_enabled as part of the definition; status (pause) changes only when a definition names it', async () => {
    const id = (await job('apply_a')).id;
    await t.http.put(`/api/v1/jobs/${id}`).send({ is_enabled: false }).expect(200);

    expect(await apply({ jobs: [a] })).toEqual(outcome({ updated: ['apply_a'] }));
    expect(await job('apply_a')).toMatchObject({ is_enabled: true, next_run_at: expect.any(String) });

    await t.http.post(`/api/v1/jobs/${id}/pause`).send({ reason: 'vendor outage' }).expect(200);
    expect(await apply({ jobs: [a] })).toEqual(outcome({ unchanged: ['apply_a'] }));
    expect(await job('apply_a')).toMatchObject({ status: 'paused', paused_reason: 'vendor outage' });

    expect(await apply({ jobs: [{ ...a, status: 'active' }] })).toEqual(outcome({ updated: ['apply_a'] }));
    expect(await job('apply_a')).toMatchObject({ status: 'active', paused_reason: null });
  });

  it('keeps stored credentials that the export shows as "***"; a new one is an update', async () => {
    const kwargs = { url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer s3cret' } };
    await apply({ jobs: [define('apply_secret', { task_kwargs: kwargs })] });
    const id = (await job('apply_secret')).id;
    const exported = (await t.app.get(JobDefinitionsService).export()).jobs.find((d) => d.name === 'apply_secret')!;
    expect(exported.task_kwargs).toEqual({ ...kwargs, headers: { Authorization: '***' } });

    expect(await apply({ jobs: [exported] })).toEqual(outcome({ unchanged: ['apply_secret'] }));
    expect(await apply({ jobs: [define('apply_secret', { task_kwargs: kwargs })] })).toEqual(
      outcome({ unchanged: ['apply_secret'] }),
    );
    expect(await storedKwargs(id)).toEqual({ task_kwargs: kwargs });

    const rotated = { ...kwargs, headers: { Authorization: 'Bearer rotated' } };
    expect(await apply({ jobs: [define('apply_secret', { task_kwargs: rotated })] })).toEqual(
      outcome({ updated: ['apply_secret'] }),
    );
    expect(await storedKwargs(id)).toEqual({ task_kwargs: rotated });
  });

  describe('refused lists change nothing', () => {
    let before: string;
    beforeEach(async () => {
      before = await snapshot();
    });
    afterEach(async () => {
      expect(await snapshot()).toBe(before);
    });

    const refused = async (body: object, status = 400) => {
      const res = await apply(body, status);
      return { ...res, fields: (res.details ?? []).map((d: { field: string }) => d.field) };
    };

    it('an invalid item is a 400 naming jobs.N.field (as validation of POST /jobs/ names it)', async () => {
      const res = await refused({ jobs: [define('apply_new'), a, { ...b, schedule_expression: 5 }] });
      expect(res).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['jobs.2.schedule_expression'] });
      expect([res.message].flat().join('; ')).toContain('jobs.2.schedule_expression must be a string');
    });

    it("create's checks of the schedule and the task name every item: every problem at once", async () => {
      const res = await refused({
        jobs: [
          define('apply_new'),
          define('apply_bad_time', { schedule_type: 'daily', schedule_expression: '25:00' }),
          define('apply_bad_task', { task_name: 'no.such.task' }),
        ],
      });
      expect(res.fields).toEqual(['jobs.1.schedule_expression', 'jobs.2.task_name']);
    });

    it('a problem found inside the transaction, after other jobs were written, rolls all of them back', async () => {
      const res = await refused({ jobs: [define('apply_new'), { ...a, notify_channel_ids: [999] }] });
      expect(res.fields).toEqual(['jobs.1.notify_channel_ids']);
      expect(await job('apply_new')).toBeUndefined();
    });

    it('a name defined twice is a 400 naming it', async () => {
      const res = await refused({ jobs: [a, define('apply_new'), { ...a, title: 'again' }] });
      expect(res.fields).toEqual(['jobs.2.name']);
      expect(res.message).toContain('"apply_a" is defined twice');
    });

    it('more than 1,000 definitions is a 400 naming jobs (a body over 1 MiB is read: the route allows 4)', async () => {
      const many = Array.from({ length: 1001 }, (_, i) => define(`apply_many_${i}`, { description: 'x'.repeat(1500) }));
      const res = await refused({ jobs: many });
      expect(res.fields).toContain('jobs');
      expect(res.message).toEqual(expect.arrayContaining(['jobs must hold at most 1000 job definitions']));
    });

    it('is for superusers only', async () => {
      await t.asUser
        .post('/api/v1/jobs/apply')
        .send({ jobs: [define('apply_new')] })
        .expect(403);
      await t.anon
        .post('/api/v1/jobs/apply')
        .send({ jobs: [define('apply_new')] })
        .expect(401);
    });
  });

  describe('dry_run and prune', () => {
    const list = () => [a, { ...b, title: 'Dry b' }, define('apply_c')];

    it('dry_run answers what the apply does, prune included, and changes nothing', async () => {
      const before = await snapshot();
      const names = (await t.http.get('/api/v1/jobs/?size=100').expect(200)).body.items.map((j: Job) => j.name);
      const unnamed = names.filter((n: string) => !['apply_a', 'apply_b'].includes(n)).sort();

      const dry = await apply({ jobs: list(), prune: true, dry_run: true });

      expect(dry).toEqual(
        outcome({ created: ['apply_c'], updated: ['apply_b'], unchanged: ['apply_a'], deleted: unnamed }),
      );
      expect(await snapshot()).toBe(before);
      expect(await apply({ jobs: list(), prune: true })).toEqual(dry);
    });

    it('prune deleted every job the list does not name, each audited as DELETE /jobs/{id} is', async () => {
      const names = (await t.http.get('/api/v1/jobs/?size=100').expect(200)).body.items.map((j: Job) => j.name);
      expect(names.sort()).toEqual(['apply_a', 'apply_b', 'apply_c']);
      const deletions = (await t.http.get('/api/v1/audit-logs?action=job.delete&size=100').expect(200)).body.items;
      expect(deletions.map((e: { changes: { name: { before: string } } }) => e.changes.name.before)).toContain(
        'apply_secret',
      );
    });
  });

  it('round trip through the CLI: jobs export, then jobs apply -f of that file, leaves everything unchanged', async () => {
    buildOnce();
    const env = manageEnv(t);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-apply-'));
    try {
      // A job with a credential: the export shows "***", the apply keeps the stored value.
      await apply({
        jobs: [
          a,
          b,
          define('apply_c'),
          define('apply_secret', { task_kwargs: { url: 'http://127.0.0.1:9/?token=abc' } }),
        ],
      });
      const exported = await runManage(['jobs', 'export'], env);
      expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: '' });
      const file = path.join(dir, 'jobs.yaml');
      fs.writeFileSync(file, exported.stdout);
      const before = await snapshot();

      const applied = await runManage(['jobs', 'apply', '-f', file, '--json'], env);

      expect({ code: applied.code, stderr: applied.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(applied.stdout)).toEqual(
        outcome({ unchanged: ['apply_a', 'apply_b', 'apply_c', 'apply_secret'] }),
      );
      expect(await snapshot()).toBe(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
