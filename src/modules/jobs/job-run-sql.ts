/**
 * The jobs side of the runs' hot-path statements. A worker claims a run together with its job's
 * settings, and records a batch of outcomes together with the jobs' statistics and the retries,
 * each in one statement (one round trip per batch). The runs module composes these statements;
 * the SQL that names `jobs` columns is written here, by the module that owns the table.
 */

/** A run's settings read from its job (joined as `j`), named as the fields of a claimed run. */
export const JOB_RUN_SETTINGS_SQL = `j.name AS "jobName", j.task_name AS "taskName", j.task_args AS "taskArgs",
  j.timeout_seconds AS "timeoutSeconds", j.max_retries AS "maxRetries", j.retry_backoff_seconds AS "retryBackoffSeconds",
  j.task_queue AS "taskQueue", j.task_priority AS "taskPriority"`;

/**
 * The jobs named by `relation.job_id`, locked in id order. Every statement that updates several
 * jobs' statistics locks them this way first, so two such statements never wait on each other in
 * a cycle (a deadlock PostgreSQL would break by failing one of them).
 */
function lockedInIdOrder(relation: string): string {
  return `(SELECT id FROM jobs WHERE id IN (SELECT job_id FROM ${relation}) ORDER BY id FOR UPDATE)`;
}

/**
 * Adds finished runs to their jobs' statistics, from a relation `perJob` with the columns
 * `job_id, n, succeeded, failed, duration, last_status, last_duration` (one row per job).
 * Returns per job `id`, its `job_type`, and what a retry needs: `max_retries, retry_backoff_seconds, task_queue, task_priority`.
 */
export function addRunsToJobStatsSql(perJob: string): string {
  return `UPDATE jobs j SET total_runs = total_runs + p.n,
                successful_runs = successful_runs + p.succeeded,
                failed_runs = failed_runs + p.failed,
                total_duration_seconds = total_duration_seconds + p.duration,
                last_run_at = now() - make_interval(secs => p.last_duration),
                last_run_status = p.last_status
           FROM (SELECT r.* FROM ${lockedInIdOrder(perJob)} l JOIN ${perJob} r ON r.job_id = l.id) p
          WHERE j.id = p.job_id
          RETURNING j.id, j.job_type, j.max_retries, j.retry_backoff_seconds, j.task_queue, j.task_priority`;
}

/**
 * Counts skipped runs in their jobs' statistics, from a relation `skipped` with a `job_id` column
 * (one row per skipped run).
 */
export function addSkippedRunsToJobStatsSql(skipped: string): string {
  return `UPDATE jobs j SET total_runs = total_runs + t.n, last_run_status = 'skipped'
           FROM (SELECT l.id AS job_id, count(*)::int AS n
                   FROM ${lockedInIdOrder(skipped)} l JOIN ${skipped} s ON s.job_id = l.id GROUP BY l.id) t
          WHERE j.id = t.job_id`;
}
