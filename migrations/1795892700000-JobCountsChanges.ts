import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `job_counts.changes`: how many times each group's membership has changed (a job inserted,
 * deleted, or moved in or out by a change of job_type, status or is_enabled), kept by the same
 * trigger as `n`, in the transaction of the change. It only grows: a TRUNCATE of jobs sets every
 * `n` to 0 and counts a change instead of deleting the rows. A process that remembers where a
 * list page starts (JobsRepository's page boundaries) reads the sum over the filter's groups in
 * the statement of the page: an equal sum means no job entered or left that list since.
 *
 * Inserts and deletes are now counted once per statement (transition tables), not once per row:
 * one statement inserting 100,000 jobs updated each group's row 100,000 times in its
 * transaction, which left `job_counts` hundreds of pages long (3.6 ms per list total until a
 * vacuum, 0.03 ms after) and took 23 s instead of under one. Changes of job_type, status or
 * is_enabled stay counted per row (a trigger on a column list cannot see transition tables).
 * Every trigger locks the groups it changes in key order.
 */
export class JobCountsChanges1795892700000 implements MigrationInterface {
  name = 'JobCountsChanges1795892700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "job_counts" ADD "changes" bigint NOT NULL DEFAULT 0`);
    await queryRunner.query(`DROP TRIGGER "job_counts_row" ON "jobs"`);
    await queryRunner.query(`CREATE FUNCTION "job_counts_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_counts AS c (job_type, status, is_enabled, n, changes)
    SELECT job_type, status, is_enabled, count(*), count(*) FROM added GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (job_type, status, is_enabled) DO UPDATE SET n = c.n + excluded.n, changes = c.changes + excluded.changes;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE FUNCTION "job_counts_removed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM job_counts c
    WHERE (c.job_type, c.status, c.is_enabled) IN (SELECT job_type, status, is_enabled FROM removed)
    ORDER BY c.job_type, c.status, c.is_enabled FOR UPDATE;
  UPDATE job_counts c SET n = c.n - r.n, changes = c.changes + r.n
    FROM (SELECT job_type, status, is_enabled, count(*) AS n FROM removed GROUP BY 1, 2, 3) r
   WHERE (c.job_type, c.status, c.is_enabled) = (r.job_type, r.status, r.is_enabled);
  RETURN NULL;
END $$`);
    // Now for updates only (job_counts_update): both groups are locked in key order, as the
    // statement triggers take theirs, so a job moving between groups cannot deadlock with them.
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.job_type, OLD.status, OLD.is_enabled) IS NOT DISTINCT FROM (NEW.job_type, NEW.status, NEW.is_enabled) THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM job_counts c
    WHERE (c.job_type, c.status, c.is_enabled) IN ((OLD.job_type, OLD.status, OLD.is_enabled), (NEW.job_type, NEW.status, NEW.is_enabled))
    ORDER BY c.job_type, c.status, c.is_enabled FOR UPDATE;
  UPDATE job_counts SET n = n - 1, changes = changes + 1
   WHERE job_type = OLD.job_type AND status = OLD.status AND is_enabled = OLD.is_enabled;
  INSERT INTO job_counts AS c (job_type, status, is_enabled, n, changes) VALUES (NEW.job_type, NEW.status, NEW.is_enabled, 1, 1)
    ON CONFLICT (job_type, status, is_enabled) DO UPDATE SET n = c.n + 1, changes = c.changes + 1;
  RETURN NULL;
END $$`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION "job_counts_reset"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE job_counts SET n = 0, changes = changes + 1;
  RETURN NULL;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_insert" AFTER INSERT ON "jobs" REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "job_counts_added"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_delete" AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "job_counts_removed"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_update" AFTER UPDATE OF job_type, status, is_enabled ON "jobs" FOR EACH ROW EXECUTE FUNCTION "job_counts_track"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "job_counts_update" ON "jobs"`);
    await queryRunner.query(`DROP TRIGGER "job_counts_delete" ON "jobs"`);
    await queryRunner.query(`DROP TRIGGER "job_counts_insert" ON "jobs"`);
    await queryRunner.query(`DROP FUNCTION "job_counts_removed"()`);
    await queryRunner.query(`DROP FUNCTION "job_counts_added"()`);
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
    await queryRunner.query(
      `CREATE TRIGGER "job_counts_row" AFTER INSERT OR DELETE OR UPDATE OF job_type, status, is_enabled ON "jobs" FOR EACH ROW EXECUTE FUNCTION "job_counts_track"()`,
    );
    await queryRunner.query(`ALTER TABLE "job_counts" DROP COLUMN "changes"`);
  }
}
