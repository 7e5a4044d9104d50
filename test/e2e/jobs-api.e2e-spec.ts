import { JobsController } from '../../src/modules/jobs/jobs.controller';
import { jobBody, SEED_JOB } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

describe(JobsController.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('jobs_api');
  });
  afterAll(async () => {
    await t.close();
  });

  const countJobs = () =>
    withClient(t.db.url, async (c) => Number((await c.query('SELECT count(*) AS n FROM jobs')).rows[0].n));
  const snapshot = () =>
    withClient(t.db.url, async (c) => JSON.stringify((await c.query('SELECT * FROM jobs ORDER BY id')).rows));

  describe('POST /api/v1/jobs/', () => {
    it('creates the seed example with defaults and a computed next_run_at', async () => {
      const res = await t.http.post('/api/v1/jobs/').send(SEED_JOB).expect(201);
      expect(res.body).toMatchObject({
        ...SEED_JOB,
        id: expect.any(Number),
        timezone: 'UTC',
        status: 'active',
        timeout_seconds: 3600,
        max_retries: 0,
        misfire_policy: 'run_once',
        overlap_policy: 'skip',
        total_runs: 0,
        success_rate: null,
      });
      const next = new Date(res.body.next_run_at);
      expect(next.getUTCHours()).toBe(2);
      expect(next.getUTCMinutes()).toBe(0);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
    });

    it('answers 409 for a duplicate name and changes nothing', async () => {
      const before = await snapshot();
      const res = await t.http.post('/api/v1/jobs/').send(SEED_JOB).expect(409);
      expect(res.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        code: 'JOB_NAME_TAKEN',
        message: expect.stringContaining('system_cleanup'),
      });
      expect(await snapshot()).toBe(before);
    });

    it('keeps next_run_at null for a job created disabled', async () => {
      const res = await t.http
        .post('/api/v1/jobs/')
        .send(jobBody({ is_enabled: false }))
        .expect(201);
      expect(res.body.next_run_at).toBeNull();
    });
  });

  describe('GET /api/v1/jobs/{id}, PUT, DELETE', () => {
    it('updates only the given fields and recomputes next_run_at on a schedule change', async () => {
      const created = (
        await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ schedule_type: 'daily', schedule_expression: '02:00', description: 'keep me' }))
      ).body;
      const res = await t.http
        .put(`/api/v1/jobs/${created.id}`)
        .send({ schedule_expression: '03:00', is_enabled: false })
        .expect(200);
      expect(res.body).toMatchObject({
        ...created,
        schedule_expression: '03:00',
        is_enabled: false,
        next_run_at: null,
        updated_at: expect.any(String),
      });
      const enabled = await t.http.put(`/api/v1/jobs/${created.id}`).send({ is_enabled: true }).expect(200);
      expect(new Date(enabled.body.next_run_at).getUTCHours()).toBe(3);
      const fetched = await t.http.get(`/api/v1/jobs/${created.id}`).expect(200);
      expect(fetched.body.description).toBe('keep me');
      expect(fetched.body.title).toBe(created.title);
    });

    it('deletes a job, then answers 404 for it', async () => {
      const created = (await t.http.post('/api/v1/jobs/').send(jobBody())).body;
      await t.http.delete(`/api/v1/jobs/${created.id}`).expect(204);
      const res = await t.http.get(`/api/v1/jobs/${created.id}`).expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'JOB_NOT_FOUND',
        message: `Job ${created.id} was not found`,
      });
      await t.http.delete(`/api/v1/jobs/${created.id}`).expect(404);
      await t.http.put(`/api/v1/jobs/${created.id}`).send({ title: 'x' }).expect(404);
    });
  });

  describe('GET /api/v1/jobs/ (filters, pagination, sort)', () => {
    let ids: number[];
    beforeAll(async () => {
      await withClient(t.db.url, (c) => c.query('DELETE FROM jobs'));
      ids = [];
      const specs = [
        { job_type: 'system_health_check', status: 'active', is_enabled: true, title: 'Alpha health' },
        { job_type: 'system_health_check', status: 'paused', is_enabled: true, title: 'Beta health' },
        { job_type: 'document_cleanup', status: 'active', is_enabled: false, title: 'Gamma cleanup 100%_done' },
        {
          job_type: 'custom',
          status: 'active',
          is_enabled: true,
          title: 'Delta custom',
          description: 'needle in description',
        },
        { job_type: 'custom', status: 'paused', is_enabled: false, title: 'Epsilon custom' },
      ];
      for (const [i, spec] of specs.entries()) {
        const res = await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ name: `list_${String.fromCharCode(101 - i)}_${i}`, ...spec }))
          .expect(201);
        ids.push(res.body.id);
      }
    });

    const list = async (query: string) => (await t.http.get(`/api/v1/jobs/?${query}`).expect(200)).body;

    it('returns the page shape sorted by id', async () => {
      const page = await list('');
      expect(page).toMatchObject({ total: 5, page: 1, size: 20, pages: 1 });
      expect(page.items.map((j: { id: number }) => j.id)).toEqual(ids);
    });

    it.each([
      ['status=active', [0, 2, 3]],
      ['status=paused', [1, 4]],
      ['is_enabled=true', [0, 1, 3]],
      ['is_enabled=false', [2, 4]],
      ['job_type=system_health_check', [0, 1]],
      ['job_type=custom&status=paused', [4]],
      ['page=1&size=20&status=active&is_enabled=true', [0, 3]],
      ['search=HEALTH', [0, 1]],
      ['search=needle', [3]],
      ['search=100%25_', [2]],
      ['search=%25', [2]],
      ["search=' OR 1=1 --", []],
    ])('filters with %s', async (query, expected) => {
      const page = await list(query);
      expect(page.items.map((j: { id: number }) => j.id)).toEqual(expected.map((i) => ids[i]));
      expect(page.total).toBe(expected.length);
    });

    it('lists every job exactly as GET /jobs/{id} shows it (every field, counters and timestamps included)', async () => {
      await withClient(t.db.url, (c) =>
        c.query(
          `UPDATE jobs SET total_runs = 3, successful_runs = 2, failed_runs = 1, total_duration_seconds = 4.5, last_run_at = now(), last_run_status = 'failed' WHERE id = $1`,
          [ids[0]],
        ),
      );
      for (const item of (await list('size=100')).items as { id: number }[])
        expect(item).toEqual((await t.http.get(`/api/v1/jobs/${item.id}`).expect(200)).body);
      expect((await list('size=1')).items[0]).toMatchObject({ success_rate: 66.67, avg_duration_seconds: 1.5 });
    });

    it('paginates: size 1, the last page, a page past the end, size 100', async () => {
      expect(await list('size=1&page=1')).toMatchObject({ total: 5, pages: 5, size: 1, items: [{ id: ids[0] }] });
      expect(await list('size=2&page=3')).toMatchObject({ total: 5, pages: 3, page: 3, items: [{ id: ids[4] }] });
      expect(await list('size=2&page=4')).toMatchObject({ total: 5, pages: 3, page: 4, items: [] });
      expect((await list('size=100')).items).toHaveLength(5);
    });

    it('sorts by name both ways and by next_run_at with nulls last', async () => {
      const names = (await list('sort=name')).items.map((j: { name: string }) => j.name);
      expect(names).toEqual([...names].sort());
      expect((await list('sort=-name')).items.map((j: { name: string }) => j.name)).toEqual(
        [...names].sort().reverse(),
      );
      const byNext = (await list('sort=next_run_at')).items;
      expect(byNext.slice(-3).every((j: { next_run_at: string | null }) => j.next_run_at === null)).toBe(true);
      expect((await list('sort=-created_at')).items.map((j: { id: number }) => j.id)).toEqual([...ids].reverse());
    });

    it.each(['sort=next_run_at', 'sort=-next_run_at', 'sort=-name', 'status=active&sort=-id'])(
      'pages of size 2 with %s add up to the one-page list',
      async (query) => {
        const whole = (await list(`${query}&size=100`)).items.map((j: { id: number }) => j.id);
        const paged: number[] = [];
        for (let page = 1; page <= 3; page++)
          paged.push(...(await list(`${query}&size=2&page=${page}`)).items.map((j: { id: number }) => j.id));
        expect(paged).toEqual(whole);
      },
    );

    it('overdue=true: only enabled, active jobs more than OVERDUE_GRACE_SECONDS late, as the overdue list, with the other filters', async () => {
      // ids[0]: enabled+active, ids[1]: paused, ids[3]: enabled+active; only 0 and 3 can be overdue, 3 only by 10 s.
      await withClient(t.db.url, (c) =>
        c.query(
          `UPDATE jobs SET next_run_at = CASE id WHEN $1 THEN now() - interval '2 hours' WHEN $2 THEN now() - interval '2 hours'
                                                   ELSE now() - interval '10 seconds' END WHERE id = ANY($3)`,
          [ids[0], ids[1], [ids[0], ids[1], ids[3]]],
        ),
      );
      const overdue = await list('overdue=true');
      expect(overdue).toMatchObject({ total: 1, items: [{ id: ids[0] }] });
      const overdueList = (await t.http.get('/api/v1/jobs/overdue/list').expect(200)).body as { id: number }[];
      expect(overdueList.map((j) => j.id)).toEqual([ids[0]]);
      expect(await list('overdue=true&job_type=custom')).toMatchObject({ total: 0, items: [] });
      expect((await list('overdue=false')).total).toBe(5);
      const bad = await t.http.get('/api/v1/jobs/?overdue=maybe').expect(400);
      expect(bad.body.details).toEqual([{ field: 'overdue', message: 'overdue must be true or false' }]);
    });
  });

  describe('tags and pause reasons', () => {
    it('keeps tags, finds jobs carrying every tag given, and refuses bad tags naming the field', async () => {
      const make = async (name: string, tags: string[]) =>
        (await t.http.post('/api/v1/jobs/').send(jobBody({ name, tags })).expect(201)).body as {
          id: number;
          tags: string[];
        };
      const a = await make('tagged_a', ['team:payments', 'env/prod']);
      const b = await make('tagged_b', ['team:payments']);
      await make('tagged_c', ['env/prod', 'nightly']);
      expect(a.tags).toEqual(['team:payments', 'env/prod']);
      const ids = async (query: string) =>
        (await t.asUser.get(`/api/v1/jobs/?${query}`).expect(200)).body as { items: { id: number }[]; total: number };
      expect(await ids('tag=team:payments')).toMatchObject({ total: 2, items: [{ id: a.id }, { id: b.id }] });
      expect(await ids('tag=team:payments&tag=env/prod')).toMatchObject({ total: 1, items: [{ id: a.id }] });
      expect(await ids('tag=nobody')).toMatchObject({ total: 0, items: [] });
      const updated = (
        await t.http
          .put(`/api/v1/jobs/${b.id}`)
          .send({ tags: ['team:payments', 'env/prod'] })
          .expect(200)
      ).body;
      expect(updated.tags).toEqual(['team:payments', 'env/prod']);
      expect(await ids('tag=env/prod&tag=team:payments')).toMatchObject({ total: 2 });
      for (const [body, field] of [
        [{ tags: ['Upper'] }, 'tags'],
        [{ tags: ['x'.repeat(65)] }, 'tags'],
        [{ tags: ['a', 'a'] }, 'tags'],
        [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
        [{ tags: 'solo' }, 'tags'],
      ] as const) {
        const res = await t.http.put(`/api/v1/jobs/${b.id}`).send(body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      const bad = await t.asUser.get('/api/v1/jobs/?tag=Bad%20Tag').expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toContain('tag');
      const audit = (await t.http.get('/api/v1/audit-logs?size=100').expect(200)).body.items as {
        action: string;
        entity_id: string;
        changes: Record<string, unknown>;
      }[];
      expect(audit.find((e) => e.action === 'job.update' && e.entity_id === String(b.id))?.changes).toMatchObject({
        tags: { before: ['team:payments'], after: ['team:payments', 'env/prod'] },
      });
    });

    it('pause keeps who paused it, when and why; resume clears them; a PUT to paused records who', async () => {
      const job = (
        await t.http
          .post('/api/v1/jobs/')
          .send(jobBody({ name: 'pausable' }))
          .expect(201)
      ).body;
      expect(job).toMatchObject({ paused_reason: null, paused_by: null, paused_at: null });
      const paused = (
        await t.http.post(`/api/v1/jobs/${job.id}/pause`).send({ reason: 'Vendor outage until Monday' }).expect(200)
      ).body;
      expect(paused).toMatchObject({
        status: 'paused',
        paused_reason: 'Vendor outage until Monday',
        paused_by: 'test-admin',
        paused_at: expect.any(String),
        next_run_at: null,
      });
      expect((await t.asUser.get(`/api/v1/jobs/${job.id}`).expect(200)).body.paused_reason).toBe(
        'Vendor outage until Monday',
      );
      const reason = await t.http
        .post(`/api/v1/jobs/${job.id}/pause`)
        .send({ reason: 'x'.repeat(501) })
        .expect(400);
      expect(reason.body.details.map((d: { field: string }) => d.field)).toEqual(['reason']);
      const resumed = (await t.http.post(`/api/v1/jobs/${job.id}/resume`).expect(200)).body;
      expect(resumed).toMatchObject({ status: 'active', paused_reason: null, paused_by: null, paused_at: null });
      // No body at all, as before reasons existed.
      expect((await t.http.post(`/api/v1/jobs/${job.id}/pause`).expect(200)).body).toMatchObject({
        status: 'paused',
        paused_reason: null,
        paused_by: 'test-admin',
      });
      await t.http.post(`/api/v1/jobs/${job.id}/resume`).expect(200);
      expect((await t.http.put(`/api/v1/jobs/${job.id}`).send({ status: 'paused' }).expect(200)).body).toMatchObject({
        paused_by: 'test-admin',
        paused_at: expect.any(String),
      });
    });
  });

  describe('bad input', () => {
    const long = 'x'.repeat(201);
    const cases: [string, () => Promise<{ status: number; body: { message: string | string[] } }>, number, RegExp][] = [
      ['missing title', () => t.http.post('/api/v1/jobs/').send(jobBody({ title: undefined })), 400, /title/],
      ['empty title', () => t.http.post('/api/v1/jobs/').send(jobBody({ title: '' })), 400, /title/],
      ['over-long title', () => t.http.post('/api/v1/jobs/').send(jobBody({ title: long })), 400, /title/],
      ['title as a number', () => t.http.post('/api/v1/jobs/').send(jobBody({ title: 42 })), 400, /title/],
      ['name with capitals', () => t.http.post('/api/v1/jobs/').send(jobBody({ name: 'BadName' })), 400, /name/],
      ['name with a space', () => t.http.post('/api/v1/jobs/').send(jobBody({ name: 'bad name' })), 400, /name/],
      ['empty name', () => t.http.post('/api/v1/jobs/').send(jobBody({ name: '' })), 400, /name/],
      [
        'name of 101 characters',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ name: 'a'.repeat(101) })),
        400,
        /name/,
      ],
      [
        'unknown field',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ owner: 'me' })),
        400,
        /owner should not exist/,
      ],
      [
        'bad job_type',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ job_type: 'mining' })),
        400,
        /job_type must be one of/,
      ],
      [
        'bad schedule_type',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ schedule_type: 'hourly' })),
        400,
        /schedule_type/,
      ],
      [
        'daily 25:00',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ schedule_type: 'daily', schedule_expression: '25:00' })),
        400,
        /schedule_expression/,
      ],
      [
        'cron with 4 fields',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ schedule_type: 'cron', schedule_expression: '* * * *' })),
        400,
        /schedule_expression/,
      ],
      [
        'unknown timezone',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ timezone: 'Mars/Olympus' })),
        400,
        /timezone/,
      ],
      ['priority 11', () => t.http.post('/api/v1/jobs/').send(jobBody({ task_priority: 11 })), 400, /task_priority/],
      [
        'priority as a string',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ task_priority: '5' })),
        400,
        /task_priority/,
      ],
      ['priority 1.5', () => t.http.post('/api/v1/jobs/').send(jobBody({ task_priority: 1.5 })), 400, /task_priority/],
      [
        'negative timeout',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ timeout_seconds: -1 })),
        400,
        /timeout_seconds/,
      ],
      [
        'bad misfire_policy',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ misfire_policy: 'never' })),
        400,
        /misfire_policy/,
      ],
      [
        'bad overlap_policy',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ overlap_policy: 'maybe' })),
        400,
        /overlap_policy/,
      ],
      [
        'task_kwargs as an array',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ task_kwargs: [1] })),
        400,
        /task_kwargs/,
      ],
      [
        'is_enabled as a string',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ is_enabled: 'yes' })),
        400,
        /is_enabled/,
      ],
      [
        'queue with a colon',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ task_queue: 'a:b' })),
        400,
        /task_queue/,
      ],
      [
        'malformed JSON',
        () => t.http.post('/api/v1/jobs/').set('content-type', 'application/json').send('{"name": '),
        400,
        /JSON/,
      ],
      [
        'oversized body',
        () => t.http.post('/api/v1/jobs/').send(jobBody({ description: 'x'.repeat(1_100_000) })),
        413,
        /1 MiB/,
      ],
      ['null title on update', () => t.http.put('/api/v1/jobs/1').send({ title: null }), 400, /title/],
      ['non-integer id', () => t.http.get('/api/v1/jobs/abc'), 400, /id must be a positive integer/],
      ['id beyond int4', () => t.http.get('/api/v1/jobs/99999999999'), 400, /id must be a positive integer/],
      ['id 0 on delete', () => t.http.delete('/api/v1/jobs/0'), 400, /id/],
      ['size 0', () => t.http.get('/api/v1/jobs/?size=0'), 400, /size/],
      ['size 101', () => t.http.get('/api/v1/jobs/?size=101'), 400, /size/],
      ['page abc', () => t.http.get('/api/v1/jobs/?page=abc'), 400, /page/],
      ['is_enabled=maybe', () => t.http.get('/api/v1/jobs/?is_enabled=maybe'), 400, /is_enabled/],
      ['bad sort', () => t.http.get('/api/v1/jobs/?sort=password'), 400, /sort/],
      ['status filter injection', () => t.http.get("/api/v1/jobs/?status=active';DROP TABLE jobs;--"), 400, /status/],
      ['unknown query parameter', () => t.http.get('/api/v1/jobs/?owner=me'), 400, /owner/],
    ];

    it.each(cases)(
      'rejects %s with a 4xx naming the problem and changes nothing',
      async (_label, send, status, pattern) => {
        const before = await snapshot();
        const res = await send();
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String) });
        expect([res.body.message].flat().join(' | ')).toMatch(pattern);
        expect(await snapshot()).toBe(before);
      },
    );

    it('still has the jobs table after injection attempts', async () => {
      await expect(countJobs()).resolves.toBeGreaterThan(0);
    });
  });
});
