import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs may be `backfill` runs (an operator's run for a past fire time). The unique fire-time
 * index covers them with the `schedule` runs, so one fire time has one run whether the dispatcher
 * or a backfill recorded it. Same name, so the entity and `ON CONFLICT` keep naming it; dropped
 * and built in one transaction, so no moment is without the key.
 */
export class BackfillTrigger1795892500000 implements MigrationInterface {
  name = 'BackfillTrigger1795892500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_executions_schedule_fire"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_executions_schedule_fire" ON "executions" ("job_id", "scheduled_for") WHERE "trigger" IN ('schedule', 'backfill')`,
    );
  }

  /** Backfill runs already recorded stay, with their trigger; the key covers `schedule` runs again. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_executions_schedule_fire"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_executions_schedule_fire" ON "executions" ("job_id", "scheduled_for") WHERE "trigger" = 'schedule'`,
    );
  }
}
