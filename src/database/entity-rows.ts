import type { EntityMetadata, Repository, ValueTransformer } from 'typeorm';

/**
 * Plain SQL in, entities out, for the hot list reads: the select list and the row-to-entity
 * mapping come from the entity's own column metadata (names, transformers), so a page costs
 * one parameterised statement and a property copy per column instead of TypeORM's query
 * building and hydration (measured: about a tenth of a list request's CPU). pg already gives
 * the column types (Date, parsed JSON, numbers); only the entity's transformers are applied.
 * Entities without relations loaded: plain columns only.
 */
interface ColumnRead {
  property: string;
  column: string;
  transformer?: ValueTransformer;
}

export class EntityRows<T extends object> {
  private columnsOf: ColumnRead[] | undefined;

  constructor(private readonly repository: Repository<T>) {}

  /** Read from the metadata on first use: it exists once the data source is open (./manage --help never opens it). */
  private get columns(): ColumnRead[] {
    return (this.columnsOf ??= columnsOf(this.repository.metadata));
  }

  /** `alias."column", …`: every column of the entity, for a SELECT list. */
  select(alias: string): string {
    return this.columns.map((c) => `${alias}."${c.column}"`).join(', ');
  }

  /** Runs the statement (parameters as `$1…`) and reads its rows as entities; `rows` keeps them raw (for extra columns). */
  async query(sql: string, parameters: unknown[]): Promise<{ entities: T[]; rows: Record<string, unknown>[] }> {
    const rows: Record<string, unknown>[] = await this.repository.query(sql, parameters);
    return { entities: rows.map((row) => this.entity(row)), rows };
  }

  entity(row: Record<string, unknown>): T {
    const entity: Record<string, unknown> = {};
    for (const { property, column, transformer } of this.columns) {
      const value = row[column];
      entity[property] = transformer ? transformer.from(value) : value;
    }
    return entity as T;
  }
}

function columnsOf(metadata: EntityMetadata): ColumnRead[] {
  const chained = metadata.columns.find((c) => Array.isArray(c.transformer));
  if (chained) throw new Error(`EntityRows: ${metadata.name}.${chained.propertyName} chains transformers`);
  const seen = new Set<string>();
  return metadata.columns
    .filter((c) => !seen.has(c.databaseName) && seen.add(c.databaseName))
    .map((c) => ({ property: c.propertyName, column: c.databaseName, transformer: c.transformer as ValueTransformer }));
}
