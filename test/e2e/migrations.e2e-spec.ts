import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runMigrationsLocked } from '../../src/database/migrations-runner';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('Migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('migrations');
    dataSource = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('brings an empty database to a schema that matches the entities exactly (no drift)', async () => {
    const ran = await runMigrationsLocked(dataSource);
    expect(ran).toHaveLength(MIGRATIONS.length);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('runs once when several processes migrate at the same time', async () => {
    const others = await Promise.all([1, 2].map(() => new DataSource(dataSourceOptions(db.url, 2)).initialize()));
    try {
      const results = await Promise.all(others.map((ds) => runMigrationsLocked(ds)));
      expect(results.flat()).toHaveLength(0);
    } finally {
      await Promise.all(others.map((ds) => ds.destroy()));
    }
  });

  it('reverts every migration and applies them again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables).toEqual([]);
    await runMigrationsLocked(dataSource);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
