import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { BarChart } from '../../components/BarChart';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { When } from '../../components/When';
import { duration, percent } from '../../format';
import { Link } from '../../router';

export function OverviewPage() {
  const stats = useQuery({
    queryKey: ['overview'],
    queryFn: () => unwrap(api.GET('/api/v1/jobs/stats/overview')),
    refetchInterval: 15_000,
  });
  const overdue = useQuery({ queryKey: ['overdue'], queryFn: () => unwrap(api.GET('/api/v1/jobs/overdue/list')) });
  const failing = useQuery({
    queryKey: ['jobs', 'last-failed'],
    queryFn: () => unwrap(api.GET('/api/v1/jobs', { params: { query: { sort: '-last_run_at', size: 100 } } })),
  });
  // Runs that ended in each of the last 24 hours, counted by the server (run_minutes).
  const perHour = (stats.data?.runs_per_hour ?? []).map((h) => ({
    label: new Date(h.hour).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    value: h.runs,
  }));
  const failed = (failing.data?.items ?? []).filter(
    (j) => j.last_run_status === 'failed' || j.last_run_status === 'timed_out',
  );
  const s = stats.data;
  return (
    <>
      <h1>Overview</h1>
      <ErrorAlert error={stats.error} />
      {s && (
        <div className="cards">
          <Card
            label="Jobs"
            value={String(s.total_jobs)}
            detail={Object.entries(s.jobs_by_status)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')}
          />
          <Card label="Success rate" value={percent(s.success_rate)} detail={`${s.total_runs} runs in all`} />
          <Card
            label="Runs in the last 24 h"
            value={String(s.runs_last_24h)}
            detail={`${s.running_now} running, ${s.queued_now} queued now`}
          />
          <Card label="Overdue jobs" value={String(s.overdue_jobs)} />
          <Card
            label="Duration"
            value={duration(s.avg_duration_seconds)}
            detail={`p95 ${duration(s.p95_duration_seconds)}`}
          />
        </div>
      )}
      <section aria-labelledby="per-hour-h">
        <h2 id="per-hour-h">Runs per hour, last 24 h</h2>
        <BarChart
          title={`Runs per hour (by the hour they ended)${perHour.length > 0 ? ` since ${new Date(stats.data!.runs_per_hour[0].hour).toLocaleString()}` : ''}`}
          bars={perHour}
        />
      </section>
      <div className="columns">
        <section aria-labelledby="overdue-h">
          <h2 id="overdue-h">Overdue jobs</h2>
          <ErrorAlert error={overdue.error} />
          <ul>
            {overdue.data?.map((j) => (
              <li key={j.id}>
                <Link to={`/jobs/${j.id}`}>{j.name}</Link> — {duration(j.overdue_seconds)} late
              </li>
            ))}
            {overdue.data?.length === 0 && <li>None.</li>}
          </ul>
        </section>
        <section aria-labelledby="failed-h">
          <h2 id="failed-h">Jobs whose last run failed</h2>
          <ErrorAlert error={failing.error} />
          <ul>
            {failed.map((j) => (
              <li key={j.id}>
                <Link to={`/jobs/${j.id}`}>{j.name}</Link> <StatusBadge status={j.last_run_status} />{' '}
                <When iso={j.last_run_at} />
              </li>
            ))}
            {failing.data && failed.length === 0 && <li>None.</li>}
          </ul>
        </section>
      </div>
    </>
  );
}

function Card({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="card">
      <div className="card-label">{label}</div>
      <div className="card-value">{value}</div>
      {detail && <div className="muted small">{detail}</div>}
    </div>
  );
}
