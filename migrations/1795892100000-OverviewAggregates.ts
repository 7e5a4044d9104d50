import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bucket bounds of the run duration histograms, in seconds: powers of √2 milliseconds from 1 ms
 * to 2^26.5 ms (about 26 hours), the layout of a Prometheus native histogram at schema 1. A
 * histogram has one bucket more than there are bounds: [0, 1 ms), [1 ms, 1.41 ms), …, [26 h, ∞).
 * Written into the SQL as a literal (fixed by this migration, not by later code).
 */
const DURATION_BOUNDS = Array.from({ length: 54 }, (_, k) => 0.001 * 2 ** (k / 2));

/** Writers spread over this many counter rows (by backend), so that no row serialises them all. */
const SHARDS = 8;

/**
 * The statistics overview from maintained aggregates instead of scans, kept by triggers in the
 * same transaction as every change, whoever makes it (the service, the CLI, an operator's SQL):
 *
 * - `job_run_totals`: the per-job run counters (jobs.total_runs, successful_runs, failed_runs,
 *   total_duration_seconds) summed over all jobs, one row per shard; a statement trigger on jobs
 *   adds what each insert, update or delete did to the counters to its backend's shard.
 * - `run_minutes`: runs by the minute they finished (finished_at), status and shard, with a
 *   histogram of their durations; `run_window`: the same summed over all minutes, by shard and
 *   status. A statement trigger on executions adds what each statement changed among the runs
 *   finished in the last 24 hours (whole minutes: run_window_start()) to both, so a read sums a
 *   few `run_window` rows and subtracts the minutes that have since left the window, until they
 *   are expired (deleted from run_minutes and subtracted from run_window together).
 *
 * A shard is the writing backend's (pg_backend_pid() % 8), so concurrent writers do not queue
 * behind one hot row. Backends whose pids share a shard take its rows in one order: run_minutes,
 * then run_window (each in key order), then job_run_totals — the service's statements and
 * transactions change runs before their jobs' counters (outcomes, skips, the dispatcher's
 * transaction, a job delete's cascade), and a statement's executions trigger fires before its
 * jobs trigger.
 */
/** Each statement trigger's event and the changed rows it hands its function (none for TRUNCATE). */
const TRIGGER_ROWS = {
  insert: 'REFERENCING NEW TABLE AS new_rows',
  update: 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
  delete: 'REFERENCING OLD TABLE AS old_rows',
  truncate: '',
} as const;
const TRIGGER_EVENTS = Object.keys(TRIGGER_ROWS) as (keyof typeof TRIGGER_ROWS)[];

/**
 * The statement triggers `${prefix}_insert|update|delete|truncate` on `table`: the first three call
 * `${prefix}_track()` with the statement's changed rows as `old_rows` / `new_rows`, TRUNCATE calls
 * `${prefix}_reset()`.
 */
async function createStatementTriggers(queryRunner: QueryRunner, table: string, prefix: string): Promise<void> {
  for (const event of TRIGGER_EVENTS) {
    const fn = event === 'truncate' ? `${prefix}_reset` : `${prefix}_track`;
    await queryRunner.query(
      `CREATE TRIGGER "${prefix}_${event}" AFTER ${event.toUpperCase()} ON "${table}" ${TRIGGER_ROWS[event]} FOR EACH STATEMENT EXECUTE FUNCTION "${fn}"()`,
    );
  }
}

async function dropStatementTriggers(queryRunner: QueryRunner, table: string, prefix: string): Promise<void> {
  for (const event of TRIGGER_EVENTS) await queryRunner.query(`DROP TRIGGER "${prefix}_${event}" ON "${table}"`);
}

export class OverviewAggregates1795892100000 implements MigrationInterface {
  name = 'OverviewAggregates1795892100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Nothing may change between the initial sums and the triggers.
    await queryRunner.query(`LOCK TABLE "jobs", "executions" IN SHARE ROW EXCLUSIVE MODE`);
    await this.jobRunTotals(queryRunner);
    await this.runMinutes(queryRunner);
  }

  private async jobRunTotals(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "job_run_totals" ("shard" smallint NOT NULL, "total_runs" bigint NOT NULL, "successful_runs" bigint NOT NULL, "failed_runs" bigint NOT NULL, "total_duration_seconds" double precision NOT NULL, CONSTRAINT "PK_job_run_totals" PRIMARY KEY ("shard"))`,
    );
    await queryRunner.query(
      `INSERT INTO "job_run_totals" SELECT 0, coalesce(sum(total_runs), 0), coalesce(sum(successful_runs), 0), coalesce(sum(failed_runs), 0), coalesce(sum(total_duration_seconds), 0) FROM "jobs"`,
    );
    // Statement triggers: one upsert per statement, however many jobs it changed (a row trigger
    // would update the shard row once per job, each update walking the versions the earlier ones
    // left in the same transaction). An update's delta is new minus old per job (grouped by id:
    // linear, where a join's cached plan may not be), so a job whose counters did not change adds
    // exactly nothing, and a statement that changed no counters writes nothing.
    const add = (deltas: string) => `INSERT INTO job_run_totals AS t
    SELECT pg_backend_pid() % ${SHARDS}, sum(total), sum(succeeded), sum(failed), sum(duration)
      FROM (SELECT sum(total) AS total, sum(succeeded) AS succeeded, sum(failed) AS failed, sum(duration) AS duration
              FROM (${deltas}) d GROUP BY id) per_job
    HAVING sum(total) <> 0 OR sum(succeeded) <> 0 OR sum(failed) <> 0 OR sum(duration) <> 0
    ON CONFLICT (shard) DO UPDATE SET total_runs = t.total_runs + excluded.total_runs,
      successful_runs = t.successful_runs + excluded.successful_runs, failed_runs = t.failed_runs + excluded.failed_runs,
      total_duration_seconds = t.total_duration_seconds + excluded.total_duration_seconds`;
    const counters = (rows: string, sign: string) =>
      `SELECT id, ${sign}total_runs AS total, ${sign}successful_runs AS succeeded, ${sign}failed_runs AS failed, ${sign}total_duration_seconds AS duration FROM ${rows}`;
    await queryRunner.query(`CREATE FUNCTION "job_run_totals_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${add(counters('new_rows', ''))};
  ELSIF TG_OP = 'DELETE' THEN
    ${add(counters('old_rows', '-'))};
  ELSE
    ${add(`${counters('new_rows', '')} UNION ALL ${counters('old_rows', '-')}`)};
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE FUNCTION "job_run_totals_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_run_totals;
  RETURN NULL;
END $$`);
    await createStatementTriggers(queryRunner, 'jobs', 'job_run_totals');
  }

  private async runMinutes(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "run_minutes" ("minute" TIMESTAMP WITH TIME ZONE NOT NULL, "shard" smallint NOT NULL, "status" character varying(16) NOT NULL, "runs" bigint NOT NULL, "durations" bigint array NOT NULL, CONSTRAINT "PK_run_minutes" PRIMARY KEY ("minute", "shard", "status"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "run_window" ("shard" smallint NOT NULL, "status" character varying(16) NOT NULL, "runs" bigint NOT NULL, "durations" bigint array NOT NULL, CONSTRAINT "PK_run_window" PRIMARY KEY ("shard", "status"))`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "run_duration_bounds"() RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '{${DURATION_BOUNDS.join(',')}}'::double precision[] $$`,
    );
    // The oldest minute of the last 24 hours: the current minute and the 1,439 before it.
    await queryRunner.query(
      `CREATE FUNCTION "run_window_start"() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT date_trunc('minute', now()) - interval '1439 minutes' $$`,
    );
    // Histograms are bigint arrays, one count per bucket (numbered from 1). The two helpers are
    // plain loops in PL/pgSQL: a SQL function with a FROM clause is planned again in every
    // statement that calls it, which would be most of a trigger's cost.
    // A histogram from bucket numbers and counts; NULL buckets (no duration) are left out.
    await queryRunner.query(`CREATE FUNCTION "run_histogram"(buckets integer[], counts bigint[]) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  h bigint[] := array_fill(0::bigint, ARRAY[cardinality(run_duration_bounds()) + 1]);
BEGIN
  FOR i IN 1 .. coalesce(cardinality(buckets), 0) LOOP
    IF buckets[i] IS NOT NULL THEN
      h[buckets[i]] := h[buckets[i]] + counts[i];
    END IF;
  END LOOP;
  RETURN h;
END $$`);
    await queryRunner.query(`CREATE FUNCTION "run_histogram_add"(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  h bigint[] := a;
BEGIN
  FOR i IN 1 .. cardinality(b) LOOP
    h[i] := coalesce(h[i], 0) + b[i];
  END LOOP;
  RETURN h;
END $$`);
    // Adds runs (+1) or takes them away (-1), by finished minute, status and duration bucket,
    // to the writer's shard: first run_minutes, then run_window, each in key order.
    await queryRunner.query(`CREATE FUNCTION "run_minutes_add"(minutes timestamptz[], statuses text[], buckets integer[], signs integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  writer smallint := pg_backend_pid() % ${SHARDS};
BEGIN
  INSERT INTO run_minutes AS r (minute, shard, status, runs, durations)
  SELECT minute, writer, status, sum(n), run_histogram(array_agg(bucket), array_agg(n))
    FROM (SELECT minute, status, bucket, sum(sign)::bigint AS n
            FROM unnest(minutes, statuses, buckets, signs) AS u(minute, status, bucket, sign)
           GROUP BY 1, 2, 3 HAVING sum(sign) <> 0) p
   GROUP BY minute, status ORDER BY minute, status
  ON CONFLICT (minute, shard, status) DO UPDATE SET runs = r.runs + excluded.runs, durations = run_histogram_add(r.durations, excluded.durations);
  INSERT INTO run_window AS w (shard, status, runs, durations)
  SELECT writer, status, sum(n), run_histogram(array_agg(bucket), array_agg(n))
    FROM (SELECT status, bucket, sum(sign)::bigint AS n
            FROM unnest(statuses, buckets, signs) AS u(status, bucket, sign)
           GROUP BY 1, 2 HAVING sum(sign) <> 0) p
   GROUP BY status ORDER BY status
  ON CONFLICT (shard, status) DO UPDATE SET runs = w.runs + excluded.runs, durations = run_histogram_add(w.durations, excluded.durations);
END $$`);
    // Runs that finished before the window are left out: their minutes are expired, or about to be.
    const finishedRuns = (rows: string, sign: number) =>
      `SELECT date_trunc('minute', finished_at) AS minute, status::text AS status, width_bucket(duration_seconds, bounds) + 1 AS bucket, ${sign} AS sign
         FROM ${rows} WHERE finished_at >= start`;
    // The variables both functions below collect runs into (with collect) before run_minutes_add.
    const declare = `DECLARE
  start timestamptz := run_window_start();
  bounds double precision[] := run_duration_bounds();
  minutes timestamptz[];
  statuses text[];
  buckets integer[];
  signs integer[];`;
    const collect = `SELECT array_agg(minute), array_agg(status), array_agg(bucket), array_agg(sign) INTO minutes, statuses, buckets, signs`;
    await queryRunner.query(`CREATE FUNCTION "run_minutes_track"() RETURNS trigger LANGUAGE plpgsql AS $$
${declare}
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${collect} FROM (${finishedRuns('new_rows', 1)}) c;
  ELSIF TG_OP = 'DELETE' THEN
    ${collect} FROM (${finishedRuns('old_rows', -1)}) c;
  ELSE
    ${collect} FROM (${finishedRuns('new_rows', 1)} UNION ALL ${finishedRuns('old_rows', -1)}) c;
  END IF;
  IF minutes IS NOT NULL THEN
    PERFORM run_minutes_add(minutes, statuses, buckets, signs);
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE FUNCTION "run_minutes_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM run_minutes;
  DELETE FROM run_window;
  RETURN NULL;
END $$`);
    // Recomputes both tables from the runs: for this migration, and after a bulk load made with
    // the triggers disabled. The caller locks executions against changes meanwhile.
    await queryRunner.query(`CREATE FUNCTION "run_minutes_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
${declare}
BEGIN
  DELETE FROM run_minutes;
  DELETE FROM run_window;
  ${collect} FROM (${finishedRuns('executions', 1)}) c;
  IF minutes IS NOT NULL THEN
    PERFORM run_minutes_add(minutes, statuses, buckets, signs);
  END IF;
END $$`);
    await queryRunner.query(`SELECT run_minutes_rebuild()`);
    await createStatementTriggers(queryRunner, 'executions', 'run_minutes');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await dropStatementTriggers(queryRunner, 'executions', 'run_minutes');
    await dropStatementTriggers(queryRunner, 'jobs', 'job_run_totals');
    await queryRunner.query(`DROP FUNCTION "run_minutes_rebuild"()`);
    await queryRunner.query(`DROP FUNCTION "run_minutes_reset"()`);
    await queryRunner.query(`DROP FUNCTION "run_minutes_track"()`);
    await queryRunner.query(`DROP FUNCTION "run_minutes_add"(timestamptz[], text[], integer[], integer[])`);
    await queryRunner.query(`DROP FUNCTION "run_histogram_add"(bigint[], bigint[])`);
    await queryRunner.query(`DROP FUNCTION "run_histogram"(integer[], bigint[])`);
    await queryRunner.query(`DROP FUNCTION "run_window_start"()`);
    await queryRunner.query(`DROP FUNCTION "run_duration_bounds"()`);
    await queryRunner.query(`DROP TABLE "run_window"`);
    await queryRunner.query(`DROP TABLE "run_minutes"`);
    await queryRunner.query(`DROP FUNCTION "job_run_totals_reset"()`);
    await queryRunner.query(`DROP FUNCTION "job_run_totals_track"()`);
    await queryRunner.query(`DROP TABLE "job_run_totals"`);
  }
}
