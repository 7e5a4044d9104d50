import { MigrationInterface, QueryRunner } from 'typeorm';

export class JobDailyStats1795891200000 implements MigrationInterface {
  name = 'JobDailyStats1795891200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "job_daily_stats" ("job_id" integer NOT NULL, "day" date NOT NULL, "runs" integer NOT NULL DEFAULT '0', "succeeded" integer NOT NULL DEFAULT '0', "failed" integer NOT NULL DEFAULT '0', "timed_out" integer NOT NULL DEFAULT '0', "cancelled" integer NOT NULL DEFAULT '0', "skipped" integer NOT NULL DEFAULT '0', "avg_duration_seconds" double precision, "p50_duration_seconds" double precision, "p95_duration_seconds" double precision, "avg_start_lag_seconds" double precision, "p95_start_lag_seconds" double precision, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_88d4384771368242f73b58f3676" PRIMARY KEY ("job_id", "day"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_job_daily_stats_day" ON "job_daily_stats" ("day") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_job_daily_stats_day"`);
    await queryRunner.query(`DROP TABLE "job_daily_stats"`);
  }
}
