import { MigrationInterface, QueryRunner } from 'typeorm';

export class Executions1795891100000 implements MigrationInterface {
  name = 'Executions1795891100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "executions" ("id" SERIAL NOT NULL, "job_id" integer NOT NULL, "status" character varying(16) NOT NULL, "trigger" character varying(16) NOT NULL, "scheduled_for" TIMESTAMP WITH TIME ZONE NOT NULL, "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "not_before" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "duration_seconds" double precision, "attempt" smallint NOT NULL DEFAULT '1', "retry_of" integer, "worker" character varying(200), "kwargs" jsonb NOT NULL DEFAULT '{}', "result" jsonb, "error" text, "triggered_by" character varying(150), CONSTRAINT "PK_703e64e0ef651986191844b7b8b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_executions_finished_at" ON "executions"  ("finished_at") `);
    await queryRunner.query(
      `CREATE INDEX "idx_executions_active" ON "executions"  ("job_id", "status") WHERE status IN ('queued', 'running')`,
    );
    await queryRunner.query(`CREATE INDEX "idx_executions_status" ON "executions"  ("status", "id") `);
    await queryRunner.query(`CREATE INDEX "idx_executions_job_id" ON "executions"  ("job_id", "id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_executions_schedule_fire" ON "executions"  ("job_id", "scheduled_for") WHERE "trigger" = 'schedule'`,
    );
    await queryRunner.query(
      `ALTER TABLE "executions" ADD CONSTRAINT "FK_858e2ceb64301d915fd730196a7" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "executions" DROP CONSTRAINT "FK_858e2ceb64301d915fd730196a7"`);
    await queryRunner.query(`DROP INDEX "public"."uq_executions_schedule_fire"`);
    await queryRunner.query(`DROP INDEX "public"."idx_executions_job_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_executions_status"`);
    await queryRunner.query(`DROP INDEX "public"."idx_executions_active"`);
    await queryRunner.query(`DROP INDEX "public"."idx_executions_finished_at"`);
    await queryRunner.query(`DROP TABLE "executions"`);
  }
}
