import { DEFAULT_TIMEZONE } from '../schedules/schedule.types';

/**
 * What a job gets for a field its creator leaves out: the one list behind the column defaults
 * (job.entity.ts), the Swagger defaults (create-job.dto.ts) and JobsService.create. The time zone
 * is the schedules module's DEFAULT_TIMEZONE, the one its parser and schedule fields use.
 */
export const JOB_DEFAULTS = {
  timezone: DEFAULT_TIMEZONE,
  task_queue: 'default',
  task_priority: 5,
  timeout_seconds: 3600,
  max_retries: 0,
  retry_backoff_seconds: 60,
  misfire_policy: 'run_once',
  overlap_policy: 'skip',
  is_enabled: true,
  jitter_seconds: 0,
  status: 'active',
  notify_on: ['run.failed', 'run.timed_out'],
} as const;
