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

  it('gives every partial index the predicate its entity declares (TypeORM compares no predicates)', async () => {
    const partial = dataSource.entityMetadatas.flatMap((entity) =>
      entity.indices
        .filter((index) => index.where && index.synchronize !== false)
        .map((index) => ({ table: entity.tableName, index, columns: index.columns.map((c) => `"${c.databaseName}"`) })),
    );
    expect(partial.map((p) => p.index.name)).toContain('uq_executions_schedule_fire');
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      for (const { table, index, columns } of partial) {
        // PostgreSQL's own rendering of the declared predicate, from a twin index rolled back afterwards.
        await runner.query(`CREATE INDEX "twin" ON "${table}" (${columns.join(', ')}) WHERE ${index.where}`);
        const rows: { name: string; predicate: string }[] = await runner.query(
          `SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ($1, 'twin')`,
          [index.name],
        );
        const predicate = (name: string) => rows.find((r) => r.name === name)?.predicate;
        expect({ index: index.name, predicate: predicate(index.name) }).toEqual({
          index: index.name,
          predicate: predicate('twin'),
        });
        await runner.query(`DROP INDEX "twin"`);
      }
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
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
