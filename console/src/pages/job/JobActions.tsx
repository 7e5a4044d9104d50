import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { Job } from '../../../../clients/typescript/src';
import { api, unwrap } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { navigate } from '../../router';
import { parseJsonObject } from './job-fields';

type Open = 'none' | 'run' | 'pause' | 'delete';

/** Run now, Pause / Resume, Edit, Delete: shown to superusers only. */
export function JobActions({ job }: { job: Job }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Open>('none');
  const [kwargs, setKwargs] = useState('');
  const [force, setForce] = useState(false);
  const [reason, setReason] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['job', job.id] });
  const path = { path: { id: job.id } };

  const run = useMutation({
    mutationFn: () => {
      const override = parseJsonObject(kwargs, 'Override kwargs');
      const body = { force, ...(Object.keys(override).length > 0 ? { override_kwargs: override } : {}) };
      return unwrap(api.POST('/api/v1/jobs/{id}/execute', { params: path, body }));
    },
    onSuccess: (created) => {
      void refresh();
      navigate(`/runs/${created.id}`);
    },
  });
  const pause = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/jobs/{id}/pause', { params: path, body: reason.trim() ? { reason: reason.trim() } : {} }),
      ),
    onSuccess: (updated) => {
      queryClient.setQueryData(['job', job.id], updated);
      setOpen('none');
      setReason('');
    },
  });
  const resume = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/jobs/{id}/resume', { params: path })),
    onSuccess: (updated) => queryClient.setQueryData(['job', job.id], updated),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/jobs/{id}', { params: path })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
      navigate('/jobs');
    },
  });
  const toggle = (which: Open) => setOpen(open === which ? 'none' : which);
  const submit = (mutate: () => void) => (event: FormEvent) => {
    event.preventDefault();
    mutate();
  };

  return (
    <section className="actions" aria-label="Actions">
      <div className="buttons">
        <button type="button" aria-expanded={open === 'run'} onClick={() => toggle('run')}>
          Run now
        </button>
        {job.status === 'paused' ? (
          <button type="button" onClick={() => resume.mutate()} disabled={resume.isPending}>
            Resume
          </button>
        ) : (
          <button type="button" aria-expanded={open === 'pause'} onClick={() => toggle('pause')}>
            Pause
          </button>
        )}
        <button type="button" onClick={() => navigate(`/jobs/${job.id}/edit`)}>
          Edit
        </button>
        <button type="button" className="danger" aria-expanded={open === 'delete'} onClick={() => toggle('delete')}>
          Delete
        </button>
      </div>
      <ErrorAlert error={resume.error} />
      {open === 'run' && (
        <form className="panel" aria-label="Run now" onSubmit={submit(() => run.mutate())}>
          <label>
            Override kwargs (JSON object, optional)
            <textarea
              rows={3}
              value={kwargs}
              onChange={(e) => setKwargs(e.target.value)}
              placeholder='{"key": "value"}'
            />
          </label>
          {(job.status === 'paused' || !job.is_enabled) && (
            <label className="inline">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (the job is{' '}
              {job.is_enabled ? 'paused' : 'disabled'})
            </label>
          )}
          <button type="submit" disabled={run.isPending}>
            Start run
          </button>
          <ErrorAlert error={run.error} />
        </form>
      )}
      {open === 'pause' && (
        <form className="panel" aria-label="Pause" onSubmit={submit(() => pause.mutate())}>
          <label>
            Reason
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="submit" disabled={pause.isPending}>
            Confirm pause
          </button>
          <ErrorAlert error={pause.error} />
        </form>
      )}
      {open === 'delete' && (
        <form className="panel" aria-label="Delete" onSubmit={submit(() => remove.mutate())}>
          <p>Delete {job.name} and its runs? This cannot be undone.</p>
          <button type="submit" className="danger" disabled={remove.isPending}>
            Confirm delete
          </button>
          <button type="button" onClick={() => setOpen('none')}>
            Cancel
          </button>
          <ErrorAlert error={remove.error} />
        </form>
      )}
    </section>
  );
}
