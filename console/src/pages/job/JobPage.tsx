import { useQuery } from '@tanstack/react-query';
import type { Job } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';
import { useSession } from '../../auth';
import { BarChart } from '../../components/BarChart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RunsTable } from '../../components/RunsTable';
import { StatusBadge } from '../../components/StatusBadge';
import { When } from '../../components/When';
import { duration, exact, json, percent } from '../../format';
import { JobActions } from './JobActions';
import { useSchedulePreview } from './schedule';

export function JobPage({ id }: { id: number }) {
  const { isSuperuser } = useSession();
  const job = useQuery({
    queryKey: ['job', id],
    queryFn: () => unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })),
  });
  if (job.error) return <ErrorAlert error={job.error} />;
  if (!job.data) return <p>Loading…</p>;
  return <JobView job={job.data} isSuperuser={isSuperuser} />;
}

function JobView({ job, isSuperuser }: { job: Job; isSuperuser: boolean }) {
  const runs = useQuery({
    queryKey: ['job-runs', job.id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/jobs/{id}/executions', { params: { path: { id: job.id }, query: { size: 50 } } })),
    refetchInterval: 5000,
  });
  const finished = (runs.data?.items ?? []).filter((r) => r.duration_seconds !== null).reverse();
  return (
    <>
      <div className="page-head">
        <h1>{job.name}</h1>
        <StatusBadge status={job.is_enabled ? job.status : 'disabled'} />
      </div>
      <p className="lead">{job.title}</p>
      {job.description && <p>{job.description}</p>}
      {job.status === 'paused' && (
        <p className="notice">
          Paused{job.paused_by ? ` by ${job.paused_by}` : ''}
          {job.paused_at ? ` ${exact(job.paused_at)}` : ''}
          {job.paused_reason ? `: ${job.paused_reason}` : ''}
        </p>
      )}
      {isSuperuser && <JobActions job={job} />}
      <div className="columns">
        <section aria-labelledby="schedule-h">
          <h2 id="schedule-h">Schedule</h2>
          <ScheduleSection job={job} />
        </section>
        <section aria-labelledby="definition-h">
          <h2 id="definition-h">Definition</h2>
          <dl className="facts">
            <dt>Type</dt>
            <dd>{job.job_type}</dd>
            <dt>Task</dt>
            <dd>{job.task_name}</dd>
            <dt>Queue / priority</dt>
            <dd>
              {job.task_queue} / {job.task_priority}
            </dd>
            <dt>Timeout</dt>
            <dd>{job.timeout_seconds} s</dd>
            <dt>Retries</dt>
            <dd>
              {job.max_retries} (backoff {job.retry_backoff_seconds} s)
            </dd>
            <dt>Misfire / overlap</dt>
            <dd>
              {job.misfire_policy} / {job.overlap_policy}
            </dd>
            <dt>Tags</dt>
            <dd>{job.tags.length > 0 ? job.tags.join(', ') : '—'}</dd>
            <dt>Runs</dt>
            <dd>
              {job.total_runs} ({job.successful_runs} succeeded, {job.failed_runs} failed; {percent(job.success_rate)})
            </dd>
            <dt>Average duration</dt>
            <dd>{duration(job.avg_duration_seconds)}</dd>
            <dt>Last run</dt>
            <dd>
              <When iso={job.last_run_at} /> <StatusBadge status={job.last_run_status} />
            </dd>
          </dl>
          <h3>Task kwargs</h3>
          <pre>{json(job.task_kwargs)}</pre>
        </section>
      </div>
      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Runs</h2>
        {finished.length > 0 && (
          <BarChart
            title={`Durations of the last ${finished.length} finished runs`}
            unit=" s"
            bars={finished.map((r) => ({ label: `Run ${r.id}`, value: r.duration_seconds ?? 0, tone: r.status }))}
          />
        )}
        <ErrorAlert error={runs.error} />
        {runs.data && <RunsTable runs={runs.data.items} />}
      </section>
    </>
  );
}

function ScheduleSection({ job }: { job: Job }) {
  const preview = useSchedulePreview(job, 5);
  const viewer = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const data = preview.data;
  return (
    <>
      <p>
        <code>
          {job.schedule_type} {job.schedule_expression}
        </code>{' '}
        ({job.timezone})
      </p>
      {data && data.valid && 'description' in data && <p>{data.description}</p>}
      {data && !data.valid && 'error' in data && <p role="alert">{data.error}</p>}
      <ErrorAlert error={preview.error} />
      <p>
        Next run: <When iso={job.next_run_at} />
      </p>
      {data && 'next_runs' in data && (
        <table className="compact">
          <caption>Next {data.next_runs.length} fire times</caption>
          <thead>
            <tr>
              <th scope="col">Job time ({job.timezone})</th>
              <th scope="col">Your time ({viewer})</th>
            </tr>
          </thead>
          <tbody>
            {data.next_runs.map((at) => (
              <tr key={at}>
                <td>{exact(at, job.timezone)}</td>
                <td>{exact(at, viewer)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
