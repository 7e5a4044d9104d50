import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to a user (update, delete) or to its tokens (a revoked token id) sends
 * NOTIFY users_changed with the user's id when its transaction commits, whoever makes it: the
 * service, the CLI or an operator's SQL. Each API process drops what it cached of that user's
 * tokens (TokenHolderCache), so the change takes effect at once everywhere.
 */
export class UsersChangedNotify1795892000000 implements MigrationInterface {
  name = 'UsersChangedNotify1795892000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'revoked_tokens' THEN
          PERFORM pg_notify('users_changed', NEW.user_id::text);
        ELSE
          PERFORM pg_notify('users_changed', OLD.id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_users_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER revoked_tokens_changed AFTER INSERT ON revoked_tokens FOR EACH ROW EXECUTE FUNCTION notify_users_changed()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER revoked_tokens_changed ON revoked_tokens`);
    await queryRunner.query(`DROP TRIGGER users_changed ON users`);
    await queryRunner.query(`DROP FUNCTION notify_users_changed()`);
  }
}
