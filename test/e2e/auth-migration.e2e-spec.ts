import { DataSource } from 'typeorm';
import { AuthHardening1795891800000 } from '../../migrations/1795891800000-AuthHardening';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** An existing database with users that differ only in case, meeting the case-insensitive unique index. */
describe(AuthHardening1795891800000.name, () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('auth_migration');
    dataSource = await new DataSource(dataSourceOptions(db.url, 2)).initialize();
    await runMigrationsLocked(dataSource);
    // Back to just before this migration (later migrations, if any, are undone first).
    const ran = await dataSource.query<{ name: string }[]>(`SELECT name FROM migrations ORDER BY id DESC`);
    for (const { name } of ran) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      if (name === 'AuthHardening1795891800000') break;
    }
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('stops with a message naming the users that differ only in case, changing nothing; runs once they are renamed', async () => {
    await dataSource.query(
      `INSERT INTO users (username, password_hash, is_superuser) VALUES ('admin', 'x', true), ('Admin', 'y', false), ('bob', 'z', false)`,
    );
    await expect(runMigrationsLocked(dataSource)).rejects.toThrow(
      /differ only in case: admin \(id 1\), Admin \(id 2\)\. Rename all but one/,
    );
    expect(await dataSource.query(`SELECT to_regclass('public.revoked_tokens') AS t`)).toEqual([{ t: null }]);
    await dataSource.query(`UPDATE users SET username = 'admin-2' WHERE id = 2`);
    await runMigrationsLocked(dataSource);
    await expect(dataSource.query(`INSERT INTO users (username, password_hash) VALUES ('BOB', 'w')`)).rejects.toThrow(
      /users_username_lower_key/,
    );
  });
});
