import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Run } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Pager, pageParam } from '../../components/Pager';
import { RunsTable } from '../../components/RunsTable';
import { useSearchParam } from '../../router';

const STATUSES: Run['status'][] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];
const TRIGGERS: Run['trigger'][] = ['schedule', 'manual', 'retry', 'backfill'];

export function RunsPage() {
  const [status, setStatus] = useSearchParam('status');
  const [trigger, setTrigger] = useSearchParam('trigger');
  const [jobId, setJobId] = useSearchParam('job_id');
  const [pageText] = useSearchParam('page');
  const query = {
    page: pageParam(pageText),
    size: 25,
    ...(status ? { status: status as Run['status'] } : {}),
    ...(trigger ? { trigger: trigger as Run['trigger'] } : {}),
    ...(/^\d+$/.test(jobId) ? { job_id: Number(jobId) } : {}),
  };
  const runs = useQuery({
    queryKey: ['runs', query],
    queryFn: () => unwrap(api.GET('/api/v1/executions', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  return (
    <>
      <h1>Runs</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select value={trigger} onChange={(e) => setTrigger(e.target.value)}>
            <option value="">Any</option>
            {TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Job id
          <input inputMode="numeric" value={jobId} onChange={(e) => setJobId(e.target.value.trim())} />
        </label>
      </form>
      <ErrorAlert error={runs.error} />
      {runs.data && (
        <>
          <RunsTable runs={runs.data.items} showJob />
          <Pager page={runs.data.page} pages={runs.data.pages} total={runs.data.total} />
        </>
      )}
    </>
  );
}
