import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notification channels (webhook, Slack, email; a write-only signing secret sealed with the
 * secrets store's key), their deliveries (one per channel, event and occurrence: the unique
 * key makes recording one twice harmless), and what each job notifies: channel ids (none: the
 * default channels) and events.
 */
export class Notifications1795892300000 implements MigrationInterface {
  name = 'Notifications1795892300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "notification_channels" (
        "id" SERIAL NOT NULL,
        "name" varchar(100) NOT NULL,
        "type" varchar(16) NOT NULL,
        "url" varchar(2000),
        "email_to" varchar(1000),
        "is_default" boolean NOT NULL DEFAULT false,
        "secret_ciphertext" bytea,
        "secret_iv" bytea,
        "secret_auth_tag" bytea,
        "created_by" varchar(150),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_69dd6d53a1bdc77cf870f8713ab" UNIQUE ("name"),
        CONSTRAINT "PK_3bc0cb5b60e8659f5fc859b2af0" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "notification_deliveries" (
        "id" SERIAL NOT NULL,
        "channel_id" integer NOT NULL,
        "event" varchar(32) NOT NULL,
        "dedup_key" varchar(100) NOT NULL,
        "job_id" integer,
        "run_id" integer,
        "payload" jsonb NOT NULL,
        "status" varchar(16) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "response_status" integer,
        "error" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        CONSTRAINT "UQ_05128400cfb4f18eeec040b3f8b" UNIQUE ("channel_id", "event", "dedup_key"),
        CONSTRAINT "PK_81daeff81f237bd384f7cfc4a4c" PRIMARY KEY ("id"),
        CONSTRAINT "FK_cb8fc3f1c2debe694670bc9d655" FOREIGN KEY ("channel_id") REFERENCES "notification_channels" ("id") ON DELETE CASCADE
      )`);
    await queryRunner.query(
      `CREATE INDEX "IDX_7c775f23b88dfbb90b0feb0c2f" ON "notification_deliveries" ("channel_id", "id")`,
    );
    await queryRunner.query(`ALTER TABLE "jobs" ADD "notify_channel_ids" integer array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      `ALTER TABLE "jobs" ADD "notify_on" varchar(32) array NOT NULL DEFAULT '{run.failed,run.timed_out}'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "notify_on"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "notify_channel_ids"`);
    await queryRunner.query(`DROP TABLE "notification_deliveries"`);
    await queryRunner.query(`DROP TABLE "notification_channels"`);
  }
}
