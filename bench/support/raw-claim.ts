import { Client } from 'pg';

const DUE = `is_enabled AND status = 'active' AND next_run_at IS NOT NULL`;

/**
 * The baseline of `dispatch` and `pipeline`: the claim SQL alone, with nothing around it.
 * Per transaction: claim 100 due rows FOR UPDATE SKIP LOCKED, insert 100 runs (one unnest
 * INSERT), advance next_run_at by an hour (one unnest UPDATE). Returns rows claimed.
 */
export async function rawClaimAll(url: string, batch = 100): Promise<{ rows: number; seconds: number }> {
  const client = new Client({ connectionString: url, application_name: 'jobs-bench:raw-claim' });
  await client.connect();
  let rows = 0;
  const started = process.hrtime.bigint();
  try {
    for (;;) {
      await client.query('BEGIN');
      const { rows: claimed } = await client.query<{ id: number; next_run_at: Date; task_kwargs: unknown }>(
        `SELECT id, next_run_at, task_kwargs FROM jobs WHERE ${DUE} AND next_run_at <= now()
          ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (claimed.length > 0) {
        await client.query(
          `INSERT INTO executions (job_id, status, "trigger", scheduled_for, kwargs, triggered_by)
           SELECT id, 'queued', 'schedule', at, kw, 'scheduler' FROM unnest($1::int[], $2::timestamptz[], $3::jsonb[]) AS t(id, at, kw)`,
          [
            claimed.map((r) => r.id),
            claimed.map((r) => r.next_run_at),
            claimed.map((r) => JSON.stringify(r.task_kwargs)),
          ],
        );
        await client.query(
          `UPDATE jobs j SET next_run_at = t.next FROM unnest($1::int[], $2::timestamptz[]) AS t(id, next) WHERE j.id = t.id`,
          [claimed.map((r) => r.id), claimed.map((r) => new Date(r.next_run_at.getTime() + 3600_000))],
        );
      }
      await client.query('COMMIT');
      rows += claimed.length;
      if (claimed.length < batch) break;
    }
  } finally {
    await client.end();
  }
  return { rows, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
