import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Schedule policies: an active window (`start_at`, `end_at`), a limit on scheduled runs
 * (`max_runs`, against `scheduled_runs`, the scheduled runs ever recorded: a counter, so that
 * the retention of old runs does not give a finished job its runs back) and `jitter_seconds`.
 */
export class SchedulePolicies1795892600000 implements MigrationInterface {
  name = 'SchedulePolicies1795892600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" ADD "start_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "end_at" timestamptz`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "max_runs" integer`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "scheduled_runs" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "jitter_seconds" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(
      `UPDATE jobs j SET scheduled_runs = s.n
         FROM (SELECT job_id, count(*)::int AS n FROM executions WHERE "trigger" = 'schedule' GROUP BY job_id) s
        WHERE s.job_id = j.id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "jitter_seconds"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "scheduled_runs"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "max_runs"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "end_at"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "start_at"`);
  }
}
