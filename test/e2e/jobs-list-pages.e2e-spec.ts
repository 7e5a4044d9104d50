import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * GET /api/v1/jobs/ reads its first pages with one plain scan and later pages with a deferred
 * join (ids first, whole rows for the page alone: jobs.repository.ts, DEFERRED_JOIN_OFFSET 200).
 * 260 jobs put pages on both sides of that offset: each sort and filter must page through the
 * same jobs in the same order as one SQL statement says, and every item must be the job itself.
 */
describe('GET /api/v1/jobs/ across the deferred-join offset', () => {
  let t: TestApp;
  const JOBS = 260;

  beforeAll(async () => {
    t = await createTestApp('jobs_list_pages');
    await withClient(t.db.url, (c) =>
      c.query(
        `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, is_enabled, status, next_run_at)
         SELECT 'paged_' || lpad(((n * 37) % 1000)::text, 4, '0'), 'Paged ' || n,
                CASE WHEN n % 3 = 0 THEN 'document_cleanup' ELSE 'custom' END, 'interval', '3600',
                'http.request', '{}'::jsonb, n % 5 <> 0,
                CASE WHEN n % 7 = 0 THEN 'paused' ELSE 'active' END,
                CASE WHEN n % 4 = 0 THEN NULL ELSE now() + n * interval '1 minute' END
           FROM generate_series(1, $1::int) AS n`,
        [JOBS],
      ),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string) => (await t.http.get(`/api/v1/jobs/?${query}`).expect(200)).body;

  it.each([
    ['', 'ORDER BY id'],
    ['sort=-id', 'ORDER BY id DESC'],
    ['sort=name', 'ORDER BY name, id'],
    ['sort=-next_run_at', 'ORDER BY next_run_at DESC NULLS FIRST, id'],
    ['is_enabled=true', 'WHERE is_enabled ORDER BY id'],
    [
      'job_type=custom&status=active&sort=-name',
      "WHERE job_type = 'custom' AND status = 'active' ORDER BY name DESC, id",
    ],
    ['search=paged_01', "WHERE name LIKE 'paged\\_01%' ORDER BY id"],
  ])('pages with "%s" are the jobs of one statement (%s), on either side of the offset', async (query, sql) => {
    const expected = await withClient(t.db.url, async (c) =>
      (await c.query<{ id: number }>(`SELECT id FROM jobs ${sql}`)).rows.map((r) => r.id),
    );
    for (const size of [20, 70, 100]) {
      const ids: number[] = [];
      const pages = Math.ceil(expected.length / size);
      for (let page = 1; page <= pages + 1; page++) {
        const body = await list(`${query}${query ? '&' : ''}size=${size}&page=${page}`);
        expect({ total: body.total, pages: body.pages }).toEqual({ total: expected.length, pages });
        ids.push(...body.items.map((j: { id: number }) => j.id));
      }
      expect(ids).toEqual(expected);
    }
  });

  it('lists a page past the offset exactly as GET /jobs/{id} shows each job', async () => {
    const page = await list('size=20&page=12');
    expect(page.items).toHaveLength(20);
    for (const item of page.items as { id: number }[])
      expect(item).toEqual((await t.http.get(`/api/v1/jobs/${item.id}`).expect(200)).body);
  });
});
