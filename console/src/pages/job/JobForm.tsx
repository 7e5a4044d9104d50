import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { CreateJob, Job } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { exact } from '../../format';
import { navigate } from '../../router';
import { JOB_TYPES, parseJsonObject, SCHEDULE_HINTS, SCHEDULE_TYPES } from './job-fields';
import { useSchedulePreview } from './schedule';

interface Draft {
  name: string;
  title: string;
  description: string;
  job_type: Job['job_type'];
  schedule_type: Job['schedule_type'];
  schedule_expression: string;
  timezone: string;
  task_name: string;
  task_kwargs: string;
  tags: string;
  is_enabled: boolean;
}

function draftOf(job?: Job): Draft {
  return {
    name: job?.name ?? '',
    title: job?.title ?? '',
    description: job?.description ?? '',
    job_type: job?.job_type ?? 'custom',
    schedule_type: job?.schedule_type ?? 'interval',
    schedule_expression: job?.schedule_expression ?? '60',
    timezone: job?.timezone ?? 'UTC',
    task_name: job?.task_name ?? 'http.request',
    task_kwargs: job ? JSON.stringify(job.task_kwargs, null, 2) : '{\n  "url": "https://example.com/hook"\n}',
    tags: job?.tags.join(', ') ?? '',
    is_enabled: job?.is_enabled ?? true,
  };
}

export function EditJobPage({ id }: { id: number }) {
  const job = useQuery({
    queryKey: ['job', id],
    queryFn: () => unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })),
  });
  if (job.error) return <ErrorAlert error={job.error} />;
  if (!job.data) return <p>Loading…</p>;
  return <JobForm job={job.data} />;
}

/** Creates a job (no `job`) or edits one, with a live preview of the schedule. */
export function JobForm({ job }: { job?: Job }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(job));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const tasks = useQuery({ queryKey: ['tasks'], queryFn: () => unwrap(api.GET('/api/v1/tasks')), staleTime: Infinity });
  const preview = useSchedulePreview(draft, 5);
  const save = useMutation({
    mutationFn: () => {
      const body: CreateJob = {
        name: draft.name.trim(),
        title: draft.title.trim(),
        description: draft.description,
        job_type: draft.job_type,
        schedule_type: draft.schedule_type,
        schedule_expression: draft.schedule_expression.trim(),
        timezone: draft.timezone.trim() || 'UTC',
        task_name: draft.task_name.trim(),
        task_kwargs: parseJsonObject(draft.task_kwargs, 'Task kwargs'),
        tags: draft.tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        is_enabled: draft.is_enabled,
      };
      return job
        ? unwrap(api.PUT('/api/v1/jobs/{id}', { params: { path: { id: job.id } }, body }))
        : unwrap(api.POST('/api/v1/jobs', { body }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['job', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
      navigate(`/jobs/${saved.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const data = preview.data;
  const text = (
    key: 'name' | 'title' | 'description' | 'schedule_expression' | 'timezone' | 'tags',
    label: string,
    hint?: string,
  ) => (
    <div className="field">
      <label>
        {label}
        <input
          value={draft[key]}
          onChange={(e) => set(key, e.target.value)}
          aria-describedby={hint ? `${key}-hint` : undefined}
        />
      </label>
      {hint && (
        <small id={`${key}-hint`} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
  return (
    <>
      <h1>{job ? `Edit ${job.name}` : 'New job'}</h1>
      <form className="job-form" onSubmit={submit} aria-label={job ? 'Edit job' : 'New job'}>
        {text('name', 'Name', 'lower-case letters, digits, _ . -')}
        {text('title', 'Title')}
        {text('description', 'Description')}
        <label>
          Job type
          <select value={draft.job_type} onChange={(e) => set('job_type', e.target.value as Job['job_type'])}>
            {JOB_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Task
          <input list="task-names" value={draft.task_name} onChange={(e) => set('task_name', e.target.value)} />
          <datalist id="task-names">
            {tasks.data?.map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
        </label>
        <label>
          Task kwargs (JSON object)
          <textarea rows={4} value={draft.task_kwargs} onChange={(e) => set('task_kwargs', e.target.value)} />
        </label>
        <fieldset>
          <legend>Schedule</legend>
          <label>
            Schedule type
            <select
              value={draft.schedule_type}
              onChange={(e) => set('schedule_type', e.target.value as Job['schedule_type'])}
            >
              {SCHEDULE_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          {text('schedule_expression', 'Schedule expression', SCHEDULE_HINTS[draft.schedule_type])}
          {text('timezone', 'Time zone', 'IANA name, e.g. Europe/Paris')}
          <div className="preview" aria-live="polite" aria-label="Schedule preview">
            {data && data.valid && 'description' in data && (
              <>
                <p>{data.description}</p>
                <ul>
                  {data.next_runs.map((at) => (
                    <li key={at}>{exact(at, draft.timezone || 'UTC')}</li>
                  ))}
                </ul>
              </>
            )}
            {data && !data.valid && 'error' in data && (
              <p role="alert" className="error">
                {data.error}
              </p>
            )}
            <ErrorAlert error={preview.error} />
          </div>
        </fieldset>
        {text('tags', 'Tags', 'comma-separated')}
        <label className="inline">
          <input type="checkbox" checked={draft.is_enabled} onChange={(e) => set('is_enabled', e.target.checked)} />{' '}
          Enabled
        </label>
        <div className="buttons">
          <button type="submit" disabled={save.isPending}>
            {job ? 'Save changes' : 'Create job'}
          </button>
          <button type="button" onClick={() => navigate(job ? `/jobs/${job.id}` : '/jobs')}>
            Cancel
          </button>
        </div>
        <ErrorAlert error={save.error} />
      </form>
    </>
  );
}
