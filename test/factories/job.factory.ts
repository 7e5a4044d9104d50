let sequence = 0;

/** A valid create-job body; override any field. */
export function jobBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    name: `job_${process.pid}_${sequence}`,
    title: `Job ${sequence}`,
    job_type: 'custom',
    schedule_type: 'interval',
    schedule_expression: '30',
    task_name: 'http.request',
    task_kwargs: { url: 'http://127.0.0.1:9/unused' },
    ...overrides,
  };
}

/** The seed's create example, exactly as written there. */
export const SEED_JOB = {
  name: 'system_cleanup',
  title: 'System Cleanup Job',
  description: 'Clean up temporary files and logs',
  job_type: 'document_cleanup',
  schedule_type: 'daily',
  schedule_expression: '02:00',
  task_name: 'app.tasks.cleanup.system_cleanup',
  task_queue: 'maintenance',
  task_priority: 5,
  is_enabled: true,
};
