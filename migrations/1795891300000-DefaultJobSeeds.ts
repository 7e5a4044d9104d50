import { MigrationInterface, QueryRunner } from 'typeorm';

export class DefaultJobSeeds1795891300000 implements MigrationInterface {
  name = 'DefaultJobSeeds1795891300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "default_job_seeds" ("name" character varying(100) NOT NULL, "seeded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_default_job_seeds" PRIMARY KEY ("name"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "default_job_seeds"`);
  }
}
