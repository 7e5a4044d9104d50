import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { redactValue } from '../../../common/logging/redaction';
import { AppConfig } from '../../../config/app-config';
import { throwIfAborted } from '../abort';
import { ServiceTables } from '../../../database/service-tables';
import { TaskHandler } from '../task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../task.types';

/**
 * The service's own tables, in restore order; a table that does not exist yet is skipped. The
 * secrets table is left out on purpose: a backup holds no secret, not even encrypted (restore,
 * then store the secrets again).
 */
export const BACKUP_TABLES = ['users', 'jobs', 'executions', 'audit_logs'] as const;
const BATCH = 1000;
const FILE_PATTERN = /^backup-\d{8}T\d{6}\d{3}Z\.jsonl\.gz$/;

const kwargs = z
  .object({
    keep: z.number().int().min(1).max(1000).default(7).describe('How many backup files to keep (the newest)'),
  })
  .strict();

export interface BackupResult {
  file: string;
  bytes: number;
  tables: Record<string, { rows: number; columns: string[] }>;
  skipped_tables: string[];
  removed_backups: string[];
  kept_backups: number;
}

/**
 * The seed's `app.tasks.backup.create_backup`: a logical backup of the service's tables as
 * gzip'd JSON lines (a header line, then `{"table", "row"}` lines), secrets left out: no
 * password hashes, no secrets table, and every row redacted as answers are (credentials in
 * kwargs, results, errors and audit changes shown as "***"; secret references kept). Only the
 * service's user may read it: the file is 0600 in a 0700 directory.
 */
@TaskHandler('app.tasks.backup.create_backup', {
  description:
    'Back up the service tables (jobs, runs, users without password hashes, audit) to a compressed file under BACKUP_DIR, keeping the last `keep`',
  kwargs,
})
export class CreateBackupTask implements TaskHandlerInstance {
  constructor(
    private readonly config: AppConfig,
    private readonly tables: ServiceTables,
  ) {}

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<BackupResult> {
    const { keep } = kwargs.parse(raw);
    const dir = this.config.backupDir;
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.chmod(dir, 0o700);
    const present = await this.tables.existingTables(BACKUP_TABLES);
    const columns = Object.fromEntries(
      await Promise.all(present.map(async (t) => [t, await this.tables.exportableColumns(t)] as const)),
    );
    const counts: Record<string, number> = Object.fromEntries(present.map((t) => [t, 0]));
    const createdAt = new Date();
    const file = path.join(dir, `backup-${createdAt.toISOString().replace(/[-:.]/g, '')}.jsonl.gz`);
    const partial = `${file}.partial`;
    try {
      await pipeline(
        Readable.from(this.lines(present, columns, counts, createdAt, ctx.signal)),
        createGzip(),
        createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
        {
          signal: ctx.signal,
        },
      );
      await fs.rename(partial, file);
    } catch (error) {
      await fs.rm(partial, { force: true });
      throw error;
    }
    const { removed, kept } = await pruneBackups(dir, keep);
    ctx.logger.log(`Backup written to ${file}`);
    return {
      file,
      bytes: (await fs.stat(file)).size,
      tables: Object.fromEntries(present.map((t) => [t, { rows: counts[t], columns: columns[t] }])),
      skipped_tables: BACKUP_TABLES.filter((t) => !present.includes(t)),
      removed_backups: removed,
      kept_backups: kept,
    };
  }

  private async *lines(
    tables: string[],
    columns: Record<string, string[]>,
    counts: Record<string, number>,
    createdAt: Date,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    yield `${JSON.stringify({ format: 'jobs-service-backup', version: 1, created_at: createdAt.toISOString(), tables: columns })}\n`;
    for (const table of tables) {
      let afterId = 0;
      for (;;) {
        throwIfAborted(signal);
        const rows = await this.tables.readBatch(table, columns[table], afterId, BATCH);
        if (rows.length === 0) break;
        counts[table] += rows.length;
        afterId = Number(rows[rows.length - 1].id);
        yield rows.map((row) => `${JSON.stringify({ table, row: redactRow(row) })}\n`).join('');
      }
    }
  }
}

/** Each column's value redacted (credentials inside JSON and text); column names are the schema's, not credentials. */
function redactRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, redactValue(value)]));
}

/** Keeps the newest `keep` backup files (names sort by time); returns the removed ones. */
async function pruneBackups(dir: string, keep: number): Promise<{ removed: string[]; kept: number }> {
  const names = (await fs.readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && FILE_PATTERN.test(e.name))
    .map((e) => e.name)
    .sort();
  const removed = names.slice(0, Math.max(0, names.length - keep));
  for (const name of removed) await fs.rm(path.join(dir, name), { force: true });
  return { removed, kept: names.length - removed.length };
}
