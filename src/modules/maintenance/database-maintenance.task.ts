import { z } from 'zod';
import { AppConfig } from '../../config/app-config';
import { ServiceTables } from '../../database/service-tables';
import { ExecutionsService } from '../executions/executions.service';
import { throwIfAborted } from '../tasks/abort';
import { TaskHandler } from '../tasks/task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../tasks/task.types';

const DAY_MS = 24 * 3600 * 1000;

const kwargs = z
  .object({
    retention_days: z
      .number()
      .int()
      .min(1)
      .max(36_500)
      .optional()
      .describe('Delete finished runs older than this; default RUN_RETENTION_DAYS (0 there: none are deleted)'),
    batch_size: z.number().int().min(1).max(100_000).default(1000).describe('Runs deleted per statement'),
    vacuum: z.boolean().default(true).describe('VACUUM (ANALYZE) the service tables afterwards'),
  })
  .strict();

export interface DatabaseMaintenanceResult {
  retention_days: number;
  /** null: RUN_RETENTION_DAYS is 0, runs are kept. */
  cutoff: string | null;
  runs_deleted: number;
  batches: number;
  vacuumed: string[];
  sizes_before: Record<string, number>;
  sizes_after: Record<string, number>;
  total_bytes_before: number;
  total_bytes_after: number;
}

/** The `database_maintenance` default job: prune old runs in batches, then VACUUM (ANALYZE). */
@TaskHandler('database_maintenance', {
  description:
    'Delete finished runs older than RUN_RETENTION_DAYS in batches, then VACUUM (ANALYZE) the service tables; reports sizes before and after',
  kwargs,
})
export class DatabaseMaintenanceTask implements TaskHandlerInstance {
  constructor(
    private readonly config: AppConfig,
    private readonly tables: ServiceTables,
    private readonly executions: ExecutionsService,
  ) {}

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<DatabaseMaintenanceResult> {
    const input = kwargs.parse(raw);
    const retentionDays = input.retention_days ?? this.config.runRetentionDays;
    const cutoff = retentionDays > 0 ? new Date(Date.now() - retentionDays * DAY_MS) : null;
    const tables = await this.tables.existingTables(this.tables.serviceTableNames());
    const before = await this.tables.totalSizes(tables);

    let deleted = 0;
    let batches = 0;
    if (cutoff && tables.includes('executions')) {
      for (;;) {
        throwIfAborted(ctx.signal);
        const n = await this.executions.pruneFinishedBefore(cutoff, input.batch_size);
        if (n === 0) break;
        deleted += n;
        batches += 1;
      }
      // The overview's per-minute counts go too, should no overview have been read for a while.
      await this.executions.expireRunMinutes();
    }
    const vacuumed: string[] = [];
    if (input.vacuum) {
      for (const table of tables) {
        throwIfAborted(ctx.signal);
        await this.tables.vacuumAnalyze(table);
        vacuumed.push(table);
      }
    }
    const after = await this.tables.totalSizes(tables);
    ctx.logger.log(`Deleted ${deleted} runs older than ${retentionDays} days; vacuumed ${vacuumed.length} tables`);
    return {
      retention_days: retentionDays,
      cutoff: cutoff?.toISOString() ?? null,
      runs_deleted: deleted,
      batches,
      vacuumed,
      sizes_before: before,
      sizes_after: after,
      total_bytes_before: sum(before),
      total_bytes_after: sum(after),
    };
  }
}

const sum = (sizes: Record<string, number>): number => Object.values(sizes).reduce((a, b) => a + b, 0);
