import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Job } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';
import { useSession } from '../../auth';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Pager, pageParam } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { When } from '../../components/When';
import { percent } from '../../format';
import { Link, navigate, useSearchParam } from '../../router';
import { JOB_TYPES } from '../job/job-fields';
import { ScheduleText } from '../job/schedule';

const SORTS = [
  { value: '', label: 'Id' },
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: 'next_run_at', label: 'Next run (soonest)' },
  { value: '-next_run_at', label: 'Next run (latest)' },
  { value: 'last_run_at', label: 'Last run (oldest)' },
  { value: '-last_run_at', label: 'Last run (newest)' },
  { value: 'created_at', label: 'Created (oldest)' },
  { value: '-created_at', label: 'Created (newest)' },
] as const;
type Sort =
  'name' | 'created_at' | 'next_run_at' | 'last_run_at' | '-name' | '-created_at' | '-next_run_at' | '-last_run_at';

export function JobsPage() {
  const { isSuperuser } = useSession();
  const [search, setSearch] = useSearchParam('search');
  const [status, setStatus] = useSearchParam('status');
  const [type, setType] = useSearchParam('job_type');
  const [tag, setTag] = useSearchParam('tag');
  const [sort, setSort] = useSearchParam('sort');
  const [pageText] = useSearchParam('page');
  const page = pageParam(pageText);
  const [draft, setDraft] = useState(search);
  // The box drives ?search= once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (draft !== search) setSearch(draft);
    }, 250);
    return () => clearTimeout(timer);
  });
  const query = {
    page,
    size: 20,
    ...(search ? { search } : {}),
    ...(status ? { status: status as 'active' | 'paused' } : {}),
    ...(type ? { job_type: type as Job['job_type'] } : {}),
    ...(tag ? { tag: [tag] } : {}),
    ...(sort ? { sort: sort as Sort } : {}),
  };
  const jobs = useQuery({
    queryKey: ['jobs', query],
    queryFn: () => unwrap(api.GET('/api/v1/jobs', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="page-head">
        <h1>Jobs</h1>
        {isSuperuser && (
          <button type="button" onClick={() => navigate('/jobs/new')}>
            New job
          </button>
        )}
      </div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="name, title, description"
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            <option value="active">active</option>
            <option value="paused">paused</option>
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">Any</option>
            {JOB_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <input value={tag} onChange={(e) => setTag(e.target.value.trim())} />
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorAlert error={jobs.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Jobs</caption>
          <thead>
            <tr>
              <SortHeader label="Name" field="name" sort={sort} setSort={setSort} />
              <th scope="col">Status</th>
              <th scope="col">Schedule</th>
              <SortHeader label="Next run" field="next_run_at" sort={sort} setSort={setSort} />
              <SortHeader label="Last run" field="last_run_at" sort={sort} setSort={setSort} />
              <th scope="col">Success rate</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.items.map((job) => (
              <tr key={job.id}>
                <td>
                  <Link to={`/jobs/${job.id}`}>{job.name}</Link>
                  <div className="muted small">{job.title}</div>
                </td>
                <td>
                  <StatusBadge status={job.is_enabled ? job.status : 'disabled'} />
                </td>
                <td>
                  <ScheduleText job={job} />
                </td>
                <td>
                  <When iso={job.next_run_at} />
                </td>
                <td>
                  <StatusBadge status={job.last_run_status} />
                </td>
                <td>{percent(job.success_rate)}</td>
              </tr>
            ))}
            {jobs.data?.items.length === 0 && (
              <tr>
                <td colSpan={6}>No job matches.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {jobs.data && <Pager page={jobs.data.page} pages={jobs.data.pages} total={jobs.data.total} />}
    </>
  );
}

/** A column header that sorts by its field; a second click reverses the order. */
function SortHeader(props: { label: string; field: string; sort: string; setSort: (value: string) => void }) {
  const { label, field, sort, setSort } = props;
  const direction = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined;
  return (
    <th scope="col" aria-sort={direction ?? 'none'}>
      <button type="button" className="link-button" onClick={() => setSort(sort === field ? `-${field}` : field)}>
        {label}
        {direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}
      </button>
    </th>
  );
}
