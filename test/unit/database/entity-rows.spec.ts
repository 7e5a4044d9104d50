import type { Repository } from 'typeorm';
import { EntityRows } from '../../../src/database/entity-rows';

/** A repository with just what EntityRows reads: column metadata and query(). */
function repositoryOf(columns: object[], rows: Record<string, unknown>[]) {
  const queries: [string, unknown[]][] = [];
  const repository = {
    metadata: { name: 'Thing', columns },
    query: async (sql: string, parameters: unknown[]) => {
      queries.push([sql, parameters]);
      return rows;
    },
  } as unknown as Repository<object>;
  return { repository, queries };
}

describe(EntityRows.name, () => {
  const double = { from: (v: unknown) => Number(v) * 2, to: (v: unknown) => v };
  const columns = [
    { propertyName: 'id', databaseName: 'id' },
    { propertyName: 'taskName', databaseName: 'task_name' },
    { propertyName: 'weight', databaseName: 'weight', transformer: double },
    // Names that would break generated code if they were not quoted.
    { propertyName: 'odd"name', databaseName: "odd'col\\umn" },
  ];

  it('selects every column once and reads rows as entities, transformers applied', async () => {
    const { repository, queries } = repositoryOf(
      [...columns, { propertyName: 'alias', databaseName: 'id' }],
      [
        { id: 1, task_name: 'a', weight: '2', "odd'col\\umn": 'x', extra: 7 },
        { id: 2, task_name: 'b', weight: '5', "odd'col\\umn": null },
      ],
    );
    const rows = new EntityRows(repository);
    expect(rows.select('t')).toBe(`t."id", t."task_name", t."weight", t."odd'col\\umn"`);
    const { entities, rows: raw } = await rows.query('SELECT 1 WHERE $1', [true]);
    expect(queries).toEqual([['SELECT 1 WHERE $1', [true]]]);
    expect(entities).toEqual([
      { id: 1, taskName: 'a', weight: 4, 'odd"name': 'x' },
      { id: 2, taskName: 'b', weight: 10, 'odd"name': null },
    ]);
    expect(raw[0].extra).toBe(7);
    expect(rows.entity({ id: 3, task_name: 'c', weight: 1 })).toEqual({
      id: 3,
      taskName: 'c',
      weight: 2,
      'odd"name': undefined,
    });
  });

  it('refuses an entity with chained transformers', () => {
    const { repository } = repositoryOf([{ propertyName: 'x', databaseName: 'x', transformer: [double, double] }], []);
    expect(() => new EntityRows(repository).select('t')).toThrow(/chains transformers/);
  });
});
