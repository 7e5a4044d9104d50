import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { useSession } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { duration, exact, json } from '../../format';
import { Link } from '../../router';
import { useRunLog } from './useRunLog';

const LIVE = new Set(['queued', 'running']);

export function RunPage({ id }: { id: number }) {
  const { isSuperuser } = useSession();
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => unwrap(api.GET('/api/v1/executions/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data && !LIVE.has(query.state.data.status) ? false : 1000),
  });
  const log = useRunLog(id);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/executions/{id}/cancel', { params: { path: { id } } })),
    onSuccess: (updated) => queryClient.setQueryData(['run', id], updated),
  });
  if (run.error) return <ErrorAlert error={run.error} />;
  const data = run.data;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      <div className="page-head">
        <h1>Run {data.id}</h1>
        <p className="run-status">
          Status: <StatusBadge status={data.status} />
        </p>
      </div>
      <p>
        Job <Link to={`/jobs/${data.job_id}`}>{data.job_id}</Link> · trigger {data.trigger}
        {data.triggered_by ? ` by ${data.triggered_by}` : ''} · attempt {data.attempt}
      </p>
      {isSuperuser && LIVE.has(data.status) && (
        <div className="buttons">
          <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel
          </button>
          <ErrorAlert error={cancel.error} />
        </div>
      )}
      <dl className="facts">
        <dt>Scheduled for</dt>
        <dd>{exact(data.scheduled_for) || '—'}</dd>
        <dt>Queued</dt>
        <dd>{exact(data.queued_at) || '—'}</dd>
        <dt>Started</dt>
        <dd>{exact(data.started_at) || '—'}</dd>
        <dt>Finished</dt>
        <dd>{exact(data.finished_at) || '—'}</dd>
        <dt>Duration</dt>
        <dd>{duration(data.duration_seconds)}</dd>
        <dt>Worker</dt>
        <dd>{data.worker ?? '—'}</dd>
      </dl>
      <h2>Kwargs</h2>
      <pre>{json(data.kwargs)}</pre>
      {data.result !== null && data.result !== undefined && (
        <>
          <h2>Result</h2>
          <pre>{json(data.result)}</pre>
        </>
      )}
      {data.error && (
        <>
          <h2>Error</h2>
          <pre className="error-text">{data.error}</pre>
        </>
      )}
      <section aria-labelledby="log-h">
        <h2 id="log-h">Log{log.following ? ' (following)' : ''}</h2>
        <ErrorAlert error={log.error} />
        <ol className="log" aria-label="Log lines">
          {log.lines.map((line) => (
            <li key={line.seq} className={`log-${line.level}`}>
              <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>{' '}
              <span className="level">{line.level}</span> <span className="message">{line.message}</span>
              {line.fields && Object.keys(line.fields).length > 0 && (
                <span className="fields"> {JSON.stringify(line.fields)}</span>
              )}
            </li>
          ))}
          {log.lines.length === 0 && (
            <li className="muted">{log.following ? 'Waiting for log lines…' : 'No log lines.'}</li>
          )}
        </ol>
      </section>
    </>
  );
}
