/**
 * What a job gets for a field its creator leaves out: the one list behind the column defaults
 * (job.entity.ts), the Swagger defaults (create-job.dto.ts) and JobsService.create.
 */
export const JOB_DEFAULTS = {
  timezone: 'UTC',
  task_queue: 'default',
  task_priority: 5,
  timeout_seconds: 3600,
  max_retries: 0,
  retry_backoff_seconds: 60,
  misfire_policy: 'run_once',
  overlap_policy: 'skip',
  is_enabled: true,
  status: 'active',
} as const;
