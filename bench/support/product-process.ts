import type { Client } from 'pg';
import { freePort } from './environment';
import { ChildService, PRODUCT_MAIN, productEnv } from './service';

/** A real product process (`node …/src/main.js`) with the given roles on one benchmark database. */
export async function startProduct(
  label: string,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<ChildService> {
  const port = await freePort();
  return new ChildService(label, PRODUCT_MAIN, productEnv(databaseUrl, { PORT: String(port), ...env })).start();
}

/**
 * Makes every job due now (`next_run_at` in the past, enabled) and wakes the dispatchers, in
 * one transaction. Returns the database's clock at that moment (the start of the timing).
 */
export async function releaseJobs(client: Client, nextRunAt = `now() - interval '1 second'`): Promise<Date> {
  await client.query('BEGIN');
  const { rows } = await client.query<{ at: Date }>(`SELECT now() AS at`);
  await client.query(`UPDATE jobs SET is_enabled = true, next_run_at = ${nextRunAt}`);
  await client.query(`SELECT pg_notify('jobs_changed', 'bench')`);
  await client.query('COMMIT');
  return rows[0].at;
}

/** Waits until at least `runs` runs are recorded and none is unfinished; throws after `timeoutMs`. */
export async function waitForAllFinished(client: Client, runs: number, timeoutMs: number, pollMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const { rows } = await client.query<{ n: string; pending: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE finished_at IS NULL) AS pending FROM executions`,
    );
    if (Number(rows[0].n) >= runs && Number(rows[0].pending) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${rows[0].n} runs recorded, ${rows[0].pending} unfinished after ${timeoutMs / 1000} s`);
  }
}
