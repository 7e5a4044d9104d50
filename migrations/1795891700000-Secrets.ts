import { MigrationInterface, QueryRunner } from 'typeorm';

/** The secrets store: values only as AES-256-GCM ciphertext with its nonce and tag. */
export class Secrets1795891700000 implements MigrationInterface {
  name = 'Secrets1795891700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "secrets" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "description" text, "ciphertext" bytea NOT NULL, "iv" bytea NOT NULL, "auth_tag" bytea NOT NULL, "created_by" character varying(150), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_secrets_name" UNIQUE ("name"), CONSTRAINT "PK_secrets_id" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "secrets"`);
  }
}
