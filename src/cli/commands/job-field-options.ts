/** Options `jobs create` and `jobs update` share, and the API field each one sets. */
export interface JobFieldOptions {
  description?: string;
  queue?: string;
  priority?: string;
  timeout?: string;
  timezone?: string;
  enabled?: boolean;
  disabled?: boolean;
}

export const JOB_FIELD_FLAGS: Record<string, string> = {
  description: '--description',
  task_queue: '--queue',
  task_priority: '--priority',
  timeout_seconds: '--timeout',
  timezone: '--timezone',
};
