import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact job counts per (job_type, status, is_enabled), kept by triggers in the same
 * transaction as every change of a job, so that the job list's `total` for the filters
 * without `search` is a sum over at most 28 rows instead of a count over the jobs. Only
 * inserts, deletes and changes of those three columns fire the trigger: the dispatcher's and
 * the workers' updates (next_run_at, run counters) do not.
 */
export class JobCounts1795891500000 implements MigrationInterface {
  name = 'JobCounts1795891500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // No job may change between the initial count and the trigger.
    await queryRunner.query(`LOCK TABLE "jobs" IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(
      `CREATE TABLE "job_counts" ("job_type" character varying(40) NOT NULL, "status" character varying(16) NOT NULL, "is_enabled" boolean NOT NULL, "n" bigint NOT NULL, CONSTRAINT "PK_job_counts" PRIMARY KEY ("job_type", "status", "is_enabled"))`,
    );
    await queryRunner.query(
      `INSERT INTO "job_counts" SELECT job_type, status, is_enabled, count(*) FROM "jobs" GROUP BY 1, 2, 3`,
    );
    await queryRunner.query(`CREATE FUNCTION "job_counts_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.job_type, OLD.status, OLD.is_enabled) IS NOT DISTINCT FROM (NEW.job_type, NEW.status, NEW.is_enabled) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE job_counts SET n = n - 1 WHERE job_type = OLD.job_type AND status = OLD.status AND is_enabled = OLD.is_enabled;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO job_counts AS c (job_type, status, is_enabled, n) VALUES (NEW.job_type, NEW.status, NEW.is_enabled, 1)
      ON CONFLICT (job_type, status, is_enabled) DO UPDATE SET n = c.n + 1;
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE FUNCTION "job_counts_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_counts;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_row" AFTER INSERT OR DELETE OR UPDATE OF job_type, status, is_enabled ON "jobs" FOR EACH ROW EXECUTE FUNCTION "job_counts_track"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_truncate" AFTER TRUNCATE ON "jobs" FOR EACH STATEMENT EXECUTE FUNCTION "job_counts_reset"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "job_counts_truncate" ON "jobs"`);
    await queryRunner.query(`DROP TRIGGER "job_counts_row" ON "jobs"`);
    await queryRunner.query(`DROP FUNCTION "job_counts_reset"()`);
    await queryRunner.query(`DROP FUNCTION "job_counts_track"()`);
    await queryRunner.query(`DROP TABLE "job_counts"`);
  }
}
