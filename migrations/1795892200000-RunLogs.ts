import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lines each run logged (`run_logs`): kept with the run and deleted with it. The primary
 * key (run_id, seq) is also the reading order.
 */
export class RunLogs1795892200000 implements MigrationInterface {
  name = 'RunLogs1795892200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "run_logs" (
        "run_id" integer NOT NULL,
        "seq" integer NOT NULL,
        "at" timestamptz NOT NULL,
        "level" varchar(8) NOT NULL,
        "message" text NOT NULL,
        "fields" jsonb,
        CONSTRAINT "PK_bff9e19bc7e2beeb373df36500d" PRIMARY KEY ("run_id", "seq"),
        CONSTRAINT "FK_57288662d17ae0dd1a005e499bb" FOREIGN KEY ("run_id") REFERENCES "executions" ("id") ON DELETE CASCADE
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "run_logs"`);
  }
}
