import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the job list's filters in the list's order (id): `job_type` and `status`, each
 * with the other filter columns included, so a filtered page, its OFFSET walk and its count
 * are index-only scans. TypeORM cannot declare INCLUDE, so the entity marks them
 * `synchronize: false` and this migration owns them.
 */
export class JobListIndexes1795891400000 implements MigrationInterface {
  name = 'JobListIndexes1795891400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_job_type"`);
    await queryRunner.query(
      `CREATE INDEX "idx_jobs_job_type_id" ON "jobs" ("job_type", "id") INCLUDE ("is_enabled", "status")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_jobs_status_id" ON "jobs" ("status", "id") INCLUDE ("is_enabled", "job_type")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_status_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_jobs_job_type_id"`);
    await queryRunner.query(`CREATE INDEX "idx_jobs_job_type" ON "jobs" ("job_type") `);
  }
}
