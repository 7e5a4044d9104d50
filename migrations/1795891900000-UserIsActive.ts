import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users can be deactivated (locked out without losing their name or their audit trail). */
export class UserIsActive1795891900000 implements MigrationInterface {
  name = 'UserIsActive1795891900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "is_active" boolean NOT NULL DEFAULT true`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "is_active"`);
  }
}
