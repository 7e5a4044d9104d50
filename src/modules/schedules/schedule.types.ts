/** The kinds of schedule a job can have (see SPEC.md, "Schedules"). */
export const SCHEDULE_TYPES = ['interval', 'daily', 'weekly', 'monthly', 'cron'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** A job's schedule as stored and as accepted by the API (snake_case lives in the DTOs). */
export interface ScheduleSpec {
  type: ScheduleType;
  /** interval `N` (minutes) · daily `HH:MM` · weekly/monthly `D:HH:MM` · cron 5 or 6 fields. */
  expression: string;
  /** IANA time zone name; `UTC` when absent. */
  timezone?: string | null;
}

/** A validated spec: expression trimmed, timezone always set. */
export interface NormalizedScheduleSpec extends ScheduleSpec {
  timezone: string;
}

/** What happens to fire times missed while nothing was dispatching. */
export const MISFIRE_POLICIES = ['run_once', 'skip', 'run_all'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const DEFAULT_TIMEZONE = 'UTC';
export const MAX_INTERVAL_MINUTES = 525_600;
