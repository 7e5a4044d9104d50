import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserActivityDigests1795891000000 implements MigrationInterface {
  name = 'UserActivityDigests1795891000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_activity_digests" ("id" SERIAL NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" character varying(150) NOT NULL, "total_actions" integer NOT NULL, "actions" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bfc3958b2f642713f63a43d8dfc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_user_activity_digests_actor" ON "user_activity_digests" ("actor") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_user_activity_digests_period_actor" ON "user_activity_digests" ("period_start", "period_end", "actor") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_user_activity_digests_period_actor"`);
    await queryRunner.query(`DROP INDEX "public"."idx_user_activity_digests_actor"`);
    await queryRunner.query(`DROP TABLE "user_activity_digests"`);
  }
}
