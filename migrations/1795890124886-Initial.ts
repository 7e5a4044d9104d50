import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795890124886 implements MigrationInterface {
  name = 'Initial1795890124886';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "title" character varying(200) NOT NULL, "description" text, "job_type" character varying(40) NOT NULL, "schedule_type" character varying(16) NOT NULL, "schedule_expression" character varying(200) NOT NULL, "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "task_name" character varying(200) NOT NULL, "task_args" jsonb NOT NULL DEFAULT '[]', "task_kwargs" jsonb NOT NULL DEFAULT '{}', "task_queue" character varying(100) NOT NULL DEFAULT 'default', "task_priority" smallint NOT NULL DEFAULT '5', "timeout_seconds" integer NOT NULL DEFAULT '3600', "max_retries" smallint NOT NULL DEFAULT '0', "retry_backoff_seconds" integer NOT NULL DEFAULT '60', "misfire_policy" character varying(16) NOT NULL DEFAULT 'run_once', "overlap_policy" character varying(16) NOT NULL DEFAULT 'skip', "is_enabled" boolean NOT NULL DEFAULT true, "status" character varying(16) NOT NULL DEFAULT 'active', "next_run_at" TIMESTAMP WITH TIME ZONE, "last_run_at" TIMESTAMP WITH TIME ZONE, "last_run_status" character varying(16), "total_runs" integer NOT NULL DEFAULT '0', "successful_runs" integer NOT NULL DEFAULT '0', "failed_runs" integer NOT NULL DEFAULT '0', "total_duration_seconds" double precision NOT NULL DEFAULT '0', "config" jsonb NOT NULL DEFAULT '{}', "metadata" jsonb NOT NULL DEFAULT '{}', "created_by" character varying(150), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e480da468fa5ef0b9a8f90c438e" UNIQUE ("name"), CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_jobs_created_at" ON "jobs"  ("created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_jobs_job_type" ON "jobs"  ("job_type") `);
    await queryRunner.query(
      `CREATE INDEX "idx_jobs_due" ON "jobs"  ("next_run_at") WHERE is_enabled AND status = 'active' AND next_run_at IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_due"`);
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_job_type"`);
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_created_at"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
  }
}
