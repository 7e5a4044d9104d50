import { EntityRows } from '../../src/database/entity-rows';
import { createTestApp, type TestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/**
 * GET /api/v1/jobs/ reads its first pages with one plain scan and later pages with a deferred
 * join (ids first, whole rows for the page alone: jobs.repository.ts, DEFERRED_JOIN_OFFSET 200).
 * 260 jobs put pages on both sides of that offset: each sort and filter must page through the
 * same jobs in the same order as one SQL statement says, and every item must be the job itself.
 * Past that offset, in id order, a page start once found is remembered and sought again
 * (`id > boundary`): only while no job entered or left the list (job_counts.changes).
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

  it('seeks a remembered page start only while no job entered or left the list, whoever changed it', async () => {
    const lists: [string, string][] = [
      ['', 'ORDER BY id'],
      ['sort=-id', 'ORDER BY id DESC'],
      ['status=active', "WHERE status = 'active' ORDER BY id"],
      ['is_enabled=true&sort=-id', 'WHERE is_enabled ORDER BY id DESC'],
    ];
    const statements = jest.spyOn(EntityRows.prototype, 'query');
    const seeks = () => statements.mock.calls.filter(([sql]) => /job\.id [<>] \$\d/.test(sql)).length;
    const pagesMatch = async (label: string) => {
      for (const [query, sql] of lists) {
        const expected = await withClient(t.db.url, async (c) =>
          (await c.query<{ id: number }>(`SELECT id FROM jobs ${sql}`)).rows.map((r) => r.id),
        );
        for (const page of [11, 12, 11, 13]) {
          const body = await list(`${query}${query ? '&' : ''}size=20&page=${page}`);
          expect({ label, query, page, total: body.total, ids: body.items.map((j: { id: number }) => j.id) }).toEqual({
            label,
            query,
            page,
            total: expected.length,
            ids: expected.slice((page - 1) * 20, page * 20),
          });
        }
      }
    };
    const sql = (text: string) => withClient(t.db.url, (c) => c.query(text));
    try {
      await pagesMatch('first reads');
      let before = seeks();
      await pagesMatch('read again');
      expect(seeks() - before).toBeGreaterThanOrEqual(lists.length * 4);

      // A change of a column no filter reads keeps every remembered start.
      await sql(`UPDATE jobs SET title = title || ' (renamed)' WHERE id IN (SELECT id FROM jobs ORDER BY id LIMIT 50)`);
      before = seeks();
      await pagesMatch('after a title change');
      expect(seeks() - before).toBeGreaterThanOrEqual(lists.length * 4);

      await sql(
        `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs)
         SELECT 'late_' || n, 'Late ' || n, 'custom', 'interval', '3600', 'http.request', '{}'::jsonb FROM generate_series(1, 3) n`,
      );
      await pagesMatch('after inserts');
      await sql(`DELETE FROM jobs WHERE id = (SELECT min(id) FROM jobs)`);
      await pagesMatch('after a delete before the pages');
      await sql(`UPDATE jobs SET status = 'paused' WHERE id = (SELECT min(id) FROM jobs WHERE status = 'active')`);
      await pagesMatch('after a job left the active ones');
      await sql(`UPDATE jobs SET is_enabled = NOT is_enabled WHERE id = (SELECT min(id) FROM jobs)`);
      await pagesMatch('after a job was enabled or disabled');
      await sql(`TRUNCATE jobs CASCADE`);
      await sql(
        `INSERT INTO jobs (name, title, job_type, schedule_type, schedule_expression, task_name, task_kwargs, status)
         SELECT 'again_' || n, 'Again ' || n, 'custom', 'interval', '3600', 'http.request', '{}'::jsonb,
                CASE WHEN n % 7 = 0 THEN 'paused' ELSE 'active' END FROM generate_series(1, 270) n`,
      );
      await pagesMatch('after a truncate and as many jobs again');
    } finally {
      statements.mockRestore();
    }
  });
});
