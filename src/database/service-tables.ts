import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Columns a backup never exports. */
const SECRET_COLUMN = /password|hash|secret|token/i;

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Generic SQL over the service's own tables, by name (sizes, row counts, VACUUM, batched reads for
 * backups), for the maintenance and health tasks. Tables may not all exist yet: every method takes
 * table names checked with `existingTables`. It names no feature table: what a table holds is its
 * module's business.
 */
@Injectable()
export class ServiceTables {
  constructor(private readonly dataSource: DataSource) {}

  /** Every table the service's entities map to. */
  serviceTableNames(): string[] {
    return [...new Set(this.dataSource.entityMetadatas.map((m) => m.tableName))].sort();
  }

  /** Milliseconds for a round trip to the database. */
  async ping(): Promise<number> {
    const started = performance.now();
    await this.dataSource.query('SELECT 1');
    return performance.now() - started;
  }

  /** The tables of `names` that exist in the current schema, in the order given. */
  async existingTables(names: readonly string[]): Promise<string[]> {
    const rows: { relname: string }[] = await this.dataSource.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)`,
      [names],
    );
    const found = new Set(rows.map((r) => r.relname));
    return names.filter((name) => found.has(name));
  }

  async tableExists(name: string): Promise<boolean> {
    return (await this.existingTables([name])).length === 1;
  }

  /** Column names a backup may export (secrets left out), in table order. */
  async exportableColumns(table: string): Promise<string[]> {
    const rows: { column_name: string }[] = await this.dataSource.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return rows.map((r) => r.column_name).filter((c) => !SECRET_COLUMN.test(c));
  }

  /** The next `limit` rows with an id above `afterId`, oldest first. */
  readBatch(table: string, columns: string[], afterId: number, limit: number): Promise<Record<string, unknown>[]> {
    return this.dataSource.query(
      `SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)} WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
  }

  /** Bytes on disk per table, indexes and TOAST included. */
  async totalSizes(tables: string[]): Promise<Record<string, number>> {
    if (tables.length === 0) return {};
    const rows: { name: string; bytes: string }[] = await this.dataSource.query(
      `SELECT t.name, pg_total_relation_size(quote_ident(t.name)::regclass) AS bytes FROM unnest($1::text[]) AS t(name)`,
      [tables],
    );
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
  }

  async rowCount(table: string): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
    return Number(rows[0].n);
  }

  /** VACUUM cannot run in a transaction: this runs on a connection of its own, in autocommit. */
  async vacuumAnalyze(table: string): Promise<void> {
    await this.dataSource.query(`VACUUM (ANALYZE) ${quoteIdent(table)}`);
  }
}
