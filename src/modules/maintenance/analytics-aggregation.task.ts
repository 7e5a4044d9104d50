import { z } from 'zod';
import { throwIfAborted } from '../tasks/abort';
import { TaskHandler } from '../tasks/task-handler.decorator';
import type { TaskContext, TaskHandlerInstance } from '../tasks/task.types';
import { JobDailyStatsRepository, type DailyStatsRow } from './job-daily-stats.repository';

const DAY_MS = 24 * 3600 * 1000;
/** The result lists at most this many job-days (the table holds them all). */
const LISTED_ROWS = 500;

const kwargs = z
  .object({
    days: z.number().int().min(1).max(366).default(2).describe('How many UTC days to recompute, ending with today'),
    until: z.iso.date().optional().describe('Last day to recompute (YYYY-MM-DD, UTC); default today'),
  })
  .strict();

export interface AnalyticsAggregationResult {
  from_day: string;
  to_day: string;
  rows_written: number;
  runs: number;
  stats: DailyStatsRow[];
}

/** The `analytics_aggregation` default job: run statistics per job and day into `job_daily_stats`. */
@TaskHandler('analytics_aggregation', {
  description: 'Roll finished runs up per job and UTC day (outcomes, p50/p95 duration, start lag) into job_daily_stats',
  kwargs,
})
export class AnalyticsAggregationTask implements TaskHandlerInstance {
  constructor(private readonly stats: JobDailyStatsRepository) {}

  async run(raw: Record<string, unknown>, ctx: TaskContext): Promise<AnalyticsAggregationResult> {
    const input = kwargs.parse(raw);
    const last = input.until
      ? new Date(`${input.until}T00:00:00Z`)
      : new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const fromDay = dayOf(new Date(last.getTime() - (input.days - 1) * DAY_MS));
    const toDay = dayOf(new Date(last.getTime() + DAY_MS));
    const written = await this.stats.recomputeDays(fromDay, toDay);
    throwIfAborted(ctx.signal);
    const stats = (await this.stats.findDays(fromDay, toDay)).map(numbers);
    const runs = stats.reduce((sum, s) => sum + s.runs, 0);
    ctx.logger.log(`Aggregated ${runs} runs into ${written} job-days from ${fromDay}`);
    return { from_day: fromDay, to_day: dayOf(last), rows_written: written, runs, stats: stats.slice(0, LISTED_ROWS) };
  }
}

const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

const round = (v: unknown): number | null =>
  v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000;

function numbers(row: DailyStatsRow): DailyStatsRow {
  return {
    ...row,
    avg_duration_seconds: round(row.avg_duration_seconds),
    p50_duration_seconds: round(row.p50_duration_seconds),
    p95_duration_seconds: round(row.p95_duration_seconds),
    avg_start_lag_seconds: round(row.avg_start_lag_seconds),
    p95_start_lag_seconds: round(row.p95_start_lag_seconds),
  };
}
