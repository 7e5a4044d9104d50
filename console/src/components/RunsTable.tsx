import type { Run } from '../../../clients/typescript/src';
import { duration } from '../format';
import { Link } from '../router';
import { StatusBadge } from './StatusBadge';
import { When } from './When';

export function RunsTable({ runs, showJob = false }: { runs: Run[]; showJob?: boolean }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Runs</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            {showJob && <th scope="col">Job</th>}
            <th scope="col">Status</th>
            <th scope="col">Trigger</th>
            <th scope="col">Scheduled for</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td>
                <Link to={`/runs/${run.id}`}>Run {run.id}</Link>
              </td>
              {showJob && (
                <td>
                  <Link to={`/jobs/${run.job_id}`}>Job {run.job_id}</Link>
                </td>
              )}
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td>{run.trigger}</td>
              <td>
                <When iso={run.scheduled_for} />
              </td>
              <td>
                <When iso={run.started_at} />
              </td>
              <td>{duration(run.duration_seconds)}</td>
            </tr>
          ))}
          {runs.length === 0 && (
            <tr>
              <td colSpan={showJob ? 7 : 6}>No runs.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
