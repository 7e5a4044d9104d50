import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `job_counts.changes`: how many times each group's membership has changed (a job inserted,
 * deleted, or moved in or out by a change of job_type, status or is_enabled), kept by the same
 * trigger as `n`, in the transaction of the change. It only grows: a TRUNCATE of jobs sets every
 * `n` to 0 and counts a change instead of deleting the rows. A process that remembers where a
 * list page starts (JobsRepository's page boundaries) reads the sum over the filter's groups in
 * the statement of the page: an equal sum means no job entered or left that list since.
 */
export class JobCountsChanges1795892700000 implements MigrationInterface {
  name = 'JobCountsChanges1795892700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "job_counts" ADD "changes" bigint NOT NULL DEFAULT 0`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.job_type, OLD.status, OLD.is_enabled) IS NOT DISTINCT FROM (NEW.job_type, NEW.status, NEW.is_enabled) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE job_counts SET n = n - 1, changes = changes + 1
     WHERE job_type = OLD.job_type AND status = OLD.status AND is_enabled = OLD.is_enabled;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO job_counts AS c (job_type, status, is_enabled, n, changes) VALUES (NEW.job_type, NEW.status, NEW.is_enabled, 1, 1)
      ON CONFLICT (job_type, status, is_enabled) DO UPDATE SET n = c.n + 1, changes = c.changes + 1;
  END IF;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE job_counts SET n = 0, changes = changes + 1;
  RETURN NULL;
END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM job_counts;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_track"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await queryRunner.query(`ALTER TABLE "job_counts" DROP COLUMN "changes"`);
  }
}
