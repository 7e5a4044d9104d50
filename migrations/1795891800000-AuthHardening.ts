import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auth hardening: usernames unique regardless of case (a unique index on lower(username),
 * which TypeORM cannot declare: the entity says synchronize false), a per-user token version
 * (raised on a password change, revoking older tokens), revoked token ids (logout), and the
 * login throttling counters shared by every API process.
 *
 * An existing database whose users differ only in case (`admin` and `Admin`) stops the
 * migration with a message naming them: which account to keep is the operator's decision,
 * never the migration's.
 */
export class AuthHardening1795891800000 implements MigrationInterface {
  name = 'AuthHardening1795891800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const clashes = (await queryRunner.query(
      `SELECT string_agg(format('%s (id %s)', username, id), ', ' ORDER BY id) AS names FROM users GROUP BY lower(username) HAVING count(*) > 1`,
    )) as { names: string }[];
    if (clashes.length > 0) {
      throw new Error(
        `AuthHardening: usernames must be unique regardless of case, and these users differ only in case: ${clashes.map((c) => c.names).join('; ')}. ` +
          `Rename all but one of each group (UPDATE users SET username = 'new-name' WHERE id = …) and start again.`,
      );
    }
    await queryRunner.query(`CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"))`);
    await queryRunner.query(`ALTER TABLE "users" ADD "token_version" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `CREATE TABLE "revoked_tokens" ("jti" uuid NOT NULL, "user_id" integer NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b18aa48269f87cafba8c6310624" PRIMARY KEY ("jti"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_revoked_tokens_expires_at" ON "revoked_tokens"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE "login_attempt_counters" ("key" character varying(64) NOT NULL, "hits" integer NOT NULL, "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "blocked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_21385188d31ae40f99ba0cd7d05" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_login_attempt_counters_window_ends_at" ON "login_attempt_counters"  ("window_ends_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_login_attempt_counters_window_ends_at"`);
    await queryRunner.query(`DROP TABLE "login_attempt_counters"`);
    await queryRunner.query(`DROP INDEX "public"."idx_revoked_tokens_expires_at"`);
    await queryRunner.query(`DROP TABLE "revoked_tokens"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "token_version"`);
    await queryRunner.query(`DROP INDEX "public"."users_username_lower_key"`);
  }
}
