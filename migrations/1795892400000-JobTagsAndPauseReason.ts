import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job tags (GIN-indexed: `GET /jobs/?tag=a&tag=b` is `tags @> '{a,b}'`) and why, by whom and
 * when a job was paused.
 */
export class JobTagsAndPauseReason1795892400000 implements MigrationInterface {
  name = 'JobTagsAndPauseReason1795892400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" ADD "tags" varchar(64) array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`CREATE INDEX "idx_jobs_tags" ON "jobs" USING gin ("tags")`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "paused_reason" varchar(500)`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "paused_by" varchar(150)`);
    await queryRunner.query(`ALTER TABLE "jobs" ADD "paused_at" timestamptz`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "paused_at"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "paused_by"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "paused_reason"`);
    await queryRunner.query(`DROP INDEX "idx_jobs_tags"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "tags"`);
  }
}
