import { ValidationFailedError } from '../../../src/common/errors';
import { ManualRunsService } from '../../../src/modules/executions/manual-runs.service';
import { JobNotFoundError, JobNotRunnableError } from '../../../src/modules/jobs/jobs.errors';
import type { TaskRegistry } from '../../../src/modules/tasks/task-registry.service';
import {
  FakeAuditService,
  FakeDataSource,
  FakeExecutionsService,
  FakeJobsRepository,
  superuserActor,
  realJobsService,
} from '../support/fakes';

/**
 * The task registry's kwargs check as the real one words it: `limit` must be a number, and the
 * messages name `task_kwargs` (the job's field). Task `exploding` fails with a plain Error.
 */
class FakeTaskRegistry implements Pick<TaskRegistry, 'validateKwargs'> {
  readonly checked: { name: string; kwargs: Record<string, unknown> }[] = [];
  readonly explosion = new Error('the handler exploded');

  validateKwargs(name: string, kwargs: Record<string, unknown> | null | undefined): Record<string, unknown> {
    this.checked.push({ name, kwargs: kwargs ?? {} });
    if (name === 'exploding') throw this.explosion;
    const limit = kwargs?.limit;
    if (limit !== undefined && typeof limit !== 'number') {
      const problem = `task_kwargs.limit: expected a number, got ${JSON.stringify(limit)} (see task_kwargs of ${name})`;
      throw new ValidationFailedError(problem, [problem, 'task_kwargs: 1 problem']);
    }
    return kwargs ?? {};
  }
}

describe(ManualRunsService.name, () => {
  let dataSource: FakeDataSource;
  let jobs: FakeJobsRepository;
  let executions: FakeExecutionsService;
  let tasks: FakeTaskRegistry;
  let audit: FakeAuditService;
  let service: ManualRunsService;

  beforeEach(() => {
    dataSource = new FakeDataSource();
    jobs = new FakeJobsRepository(dataSource.log);
    executions = new FakeExecutionsService(dataSource.log);
    tasks = new FakeTaskRegistry();
    audit = new FakeAuditService(dataSource.log);
    const jobsService = realJobsService(dataSource, jobs, audit, tasks);
    service = new ManualRunsService(
      dataSource.asDataSource(),
      jobsService,
      executions.asExecutionsService(),
      tasks as unknown as TaskRegistry,
      audit.asAuditService(),
    );
  });

  function expectNothingWritten(): void {
    expect(executions.runs).toEqual([]);
    expect(executions.enqueued).toEqual([]);
    expect(audit.recorded).toEqual([]);
    expect(dataSource.log).toContain('rollback');
  }

  describe('a job that cannot run without force', () => {
    it('refuses a paused job, naming its state, and records nothing', async () => {
      jobs.seed({ id: 4, status: 'paused' });
      const error = await service.runNow(4, {}, superuserActor).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobNotRunnableError);
      expect(error).toMatchObject({
        errorCode: 'JOB_NOT_RUNNABLE',
        message: 'Job 4 is paused; send "force": true (CLI: --force) to run it anyway',
      });
      expectNothingWritten();
    });

    it('refuses a disabled job (also when paused: disabled is what it says)', async () => {
      jobs.seed({ id: 4, isEnabled: false, status: 'paused' });
      jobs.seed({ id: 5, isEnabled: false, status: 'active' });
      for (const id of [4, 5]) {
        await expect(service.runNow(id, { force: false }, superuserActor)).rejects.toThrow(
          new JobNotRunnableError(id, 'disabled'),
        );
      }
      expectNothingWritten();
    });
  });

  it('records a manual run of an active job with its kwargs, audits it in the same transaction, and queues it after commit', async () => {
    jobs.seed({ id: 4, taskKwargs: { limit: 10, to: 'ops' }, taskQueue: 'reports', taskPriority: 8 });
    const before = Date.now();

    const answer = await service.runNow(4, {}, superuserActor);

    const [run] = executions.runs;
    expect(executions.runs).toEqual([
      {
        id: 101,
        tx: dataSource.tx,
        jobId: 4,
        status: 'queued',
        trigger: 'manual',
        scheduledFor: expect.any(Date),
        kwargs: { limit: 10, to: 'ops' },
        triggeredBy: 'root',
      },
    ]);
    expect(run.scheduledFor.getTime()).toBeGreaterThanOrEqual(before);
    expect(run.scheduledFor.getTime()).toBeLessThanOrEqual(Date.now());
    expect(audit.recorded).toEqual([
      {
        tx: dataSource.tx,
        entry: {
          actor: superuserActor,
          action: 'job.execute',
          entityType: 'job',
          entityId: 4,
          changes: {
            run_id: { before: null, after: 101 },
            force: { before: null, after: false },
            override_kwargs: { before: null, after: {} },
          },
        },
      },
    ]);
    expect(jobs.calls).toEqual([{ method: 'findByIdForUpdate', id: 4, tx: dataSource.tx }]);
    expect(executions.enqueued).toEqual([[{ id: 101, taskQueue: 'reports', taskPriority: 8 }]]);
    expect(dataSource.log).toEqual(['begin', 'findByIdForUpdate', 'record', 'audit', 'commit', 'get', 'enqueue']);
    expect(answer).toMatchObject({ id: 101, job_id: 4, status: 'queued', trigger: 'manual', triggered_by: 'root' });
  });

  it('with force runs a paused, disabled job, its override_kwargs merged over the job kwargs for this run', async () => {
    const job = jobs.seed({
      id: 4,
      status: 'paused',
      isEnabled: false,
      taskName: 'report.send',
      taskKwargs: { limit: 10, to: 'ops', format: 'pdf' },
    });

    const answer = await service.runNow(
      4,
      { force: true, override_kwargs: { limit: 3, dry_run: true } },
      superuserActor,
    );

    const merged = { limit: 3, to: 'ops', format: 'pdf', dry_run: true };
    expect(tasks.checked).toEqual([{ name: 'report.send', kwargs: merged }]);
    expect(executions.runs).toEqual([expect.objectContaining({ trigger: 'manual', status: 'queued', kwargs: merged })]);
    expect(answer.kwargs).toEqual(merged);
    expect(audit.entries[0].changes).toEqual({
      run_id: { before: null, after: 101 },
      force: { before: null, after: true },
      override_kwargs: { before: null, after: { limit: 3, dry_run: true } },
    });
    expect(executions.enqueuedRuns).toEqual([{ id: 101, taskQueue: 'default', taskPriority: 5 }]);
    // For this run only: the job keeps its kwargs.
    expect(job.taskKwargs).toEqual({ limit: 10, to: 'ops', format: 'pdf' });
  });

  describe('override_kwargs the task refuses', () => {
    it('is a ValidationFailedError that names override_kwargs, not task_kwargs, and records nothing', async () => {
      jobs.seed({ id: 4, taskName: 'report.send', taskKwargs: { limit: 10 } });

      const error = await service
        .runNow(4, { force: true, override_kwargs: { limit: 'ten' } }, superuserActor)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ValidationFailedError);
      const problem = 'override_kwargs.limit: expected a number, got "ten" (see override_kwargs of report.send)';
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: problem,
        details: [problem, 'override_kwargs: 1 problem'],
      });
      expect(JSON.stringify(error)).not.toContain('task_kwargs');
      expect((error as Error).message).not.toContain('task_kwargs');
      expectNothingWritten();
    });

    it('lets an error other than a validation failure through unchanged', async () => {
      jobs.seed({ id: 4, taskName: 'exploding' });
      await expect(service.runNow(4, {}, superuserActor)).rejects.toBe(tasks.explosion);
      expectNothingWritten();
    });
  });

  it('answers JOB_NOT_FOUND for an unknown job', async () => {
    await expect(service.runNow(99, { force: true }, superuserActor)).rejects.toThrow(JobNotFoundError);
    expectNothingWritten();
  });
});
