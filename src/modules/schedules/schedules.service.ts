import { Injectable } from '@nestjs/common';
import {
  describeSchedule,
  dueFireTimes,
  fireTimesBetween,
  nextFireTime,
  nextFireTimes,
  type DueFireTimes,
  type DueFireTimesInput,
} from './schedule-calculator';
import { InvalidScheduleError, normalizeSpec, parseSchedule } from './schedule-parser';
import type { NormalizedScheduleSpec, ScheduleSpec } from './schedule.types';

export type SchedulePreview =
  { valid: true; next_runs: string[]; description: string } | { valid: false; error: string };

/** Schedule validation and fire-time arithmetic for the Jobs API, the dispatcher and the CLI. */
@Injectable()
export class SchedulesService {
  /** Checks a spec (throws InvalidScheduleError) and returns it trimmed, with timezone set. */
  validate(spec: ScheduleSpec): NormalizedScheduleSpec {
    parseSchedule(spec);
    return normalizeSpec(spec);
  }

  /** The first fire time strictly after `after`; `anchor` is the previous fire time (interval). */
  nextRunAt(spec: ScheduleSpec, after: Date, anchor?: Date | null): Date | null {
    return nextFireTime(spec, after, anchor);
  }

  /** What validate-schedule answers. Never throws for a bad schedule: it reports it instead. */
  preview(spec: ScheduleSpec, from: Date, count: number): SchedulePreview {
    try {
      const next_runs = nextFireTimes(spec, from, count).map((time) => time.toISOString());
      return { valid: true, next_runs, description: describeSchedule(spec) };
    } catch (error) {
      if (error instanceof InvalidScheduleError) return { valid: false, error: error.message };
      throw error;
    }
  }

  /** The fire times in [from, to), oldest first, at most `limit` (interval schedules: on the lattice of `anchor`). */
  fireTimesBetween(spec: ScheduleSpec, from: Date, to: Date, limit: number, anchor?: Date | null): Date[] {
    return fireTimesBetween(spec, from, to, limit, anchor);
  }

  /** The runs to create for a job whose next_run_at came due, and its new next_run_at. */
  dueFireTimes(spec: ScheduleSpec, input: DueFireTimesInput): DueFireTimes {
    return dueFireTimes(spec, input);
  }
}
