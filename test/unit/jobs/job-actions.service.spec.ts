import { EventEmitter2 } from '@nestjs/event-emitter';
import { JOB_EVENTS, type JobChangedEvent } from '../../../src/modules/jobs/job-events';
import { JobActionsService } from '../../../src/modules/jobs/job-actions.service';
import { JobNotFoundError } from '../../../src/modules/jobs/jobs.errors';
import {
  FakeAuditService,
  FakeDataSource,
  FakeJobsRepository,
  JOB_SAVED_AT,
  superuserActor,
  realJobsService,
} from '../support/fakes';

const NOW = new Date('2026-04-01T08:00:00Z');
/** The next 09:30 UTC after NOW. */
const NEXT_0930 = new Date('2026-04-01T09:30:00Z');
const STALE = new Date('2026-03-30T09:30:00Z');
/** An interval fire time off NOW's quarter hours: kept as an anchor, 15 minutes would next fall at 08:07. */
const OFF_LATTICE = new Date('2026-03-31T23:52:00Z');

describe(JobActionsService.name, () => {
  let dataSource: FakeDataSource;
  let jobs: FakeJobsRepository;
  let audit: FakeAuditService;
  let service: JobActionsService;
  let events: EventEmitter2;
  let changed: JobChangedEvent[];

  beforeEach(() => {
    // Only the clock: the next run is computed from "now".
    jest.useFakeTimers({ now: NOW });
    dataSource = new FakeDataSource();
    jobs = new FakeJobsRepository(dataSource.log);
    audit = new FakeAuditService(dataSource.log);
    // The real JobsService.computeNextRun, over the real schedule arithmetic; nothing else of it is used.
    const jobsService = realJobsService(dataSource, jobs, audit);
    // The runs module's listener, as a fake: it records which job's claimed-ahead runs it was asked to drop, in which transaction.
    events = new EventEmitter2();
    changed = [];
    events.on(JOB_EVENTS.changed, (event: JobChangedEvent) => {
      changed.push(event);
      dataSource.log.push('job.changed');
      return 0;
    });
    service = new JobActionsService(
      dataSource.asDataSource(),
      jobs.asJobsRepository(),
      jobsService,
      audit.asAuditService(),
      events,
    );
  });

  afterEach(() => jest.useRealTimers());

  describe('pause', () => {
    it('pauses an active job: no next run, saved and announced in one transaction, audited with the changes', async () => {
      jobs.seed({ id: 3, scheduleType: 'daily', scheduleExpression: '09:30', nextRunAt: NEXT_0930 });

      const answer = await service.pause(3, superuserActor);

      expect(answer).toMatchObject({ id: 3, status: 'paused', next_run_at: null });
      expect(jobs.rows.get(3)).toMatchObject({ status: 'paused', nextRunAt: null });
      expect(jobs.calls).toEqual([
        { method: 'findByIdForUpdate', id: 3, tx: dataSource.tx },
        { method: 'save', id: 3, tx: dataSource.tx },
        { method: 'notifyChanged', id: 3, tx: dataSource.tx },
      ]);
      expect(audit.recorded).toEqual([
        {
          tx: dataSource.tx,
          entry: {
            actor: superuserActor,
            action: 'job.pause',
            entityType: 'job',
            entityId: 3,
            // updated_at changed too (JOB_SAVED_AT) but is not audited.
            changes: {
              status: { before: 'active', after: 'paused' },
              next_run_at: { before: NEXT_0930.toISOString(), after: null },
              // Who paused it and when (no reason given).
              paused_by: { before: null, after: superuserActor.name },
              paused_at: { before: null, after: expect.any(String) },
            },
          },
        },
      ]);
      expect(answer.updated_at).toBe(JOB_SAVED_AT.toISOString());
      expect(dataSource.log).toEqual([
        'begin',
        'findByIdForUpdate',
        // The runs claimed ahead go first, so that they stop counting as scheduled runs.
        'job.changed',
        'save',
        'notifyChanged',
        'audit',
        'commit',
      ]);
      // The runs module drops the runs claimed ahead, inside the pause's transaction.
      expect(changed).toEqual([{ tx: dataSource.tx, jobId: 3 }]);
    });

    it('leaves an already paused job as it is, but still audits the request (with no changes)', async () => {
      const job = jobs.seed({ id: 3, status: 'paused', nextRunAt: null });
      const updatedAt = job.updatedAt.toISOString();

      const answer = await service.pause(3, superuserActor);

      expect(answer).toMatchObject({ status: 'paused', next_run_at: null, updated_at: updatedAt });
      expect(jobs.methods()).toEqual(['findByIdForUpdate']);
      expect(audit.entries).toEqual([
        { actor: superuserActor, action: 'job.pause', entityType: 'job', entityId: 3, changes: {} },
      ]);
    });
  });

  describe('resume', () => {
    it('makes a paused job active again with its next run computed from now', async () => {
      jobs.seed({ id: 3, status: 'paused', scheduleType: 'daily', scheduleExpression: '09:30', nextRunAt: null });

      const answer = await service.resume(3, superuserActor);

      expect(answer).toMatchObject({ status: 'active', next_run_at: NEXT_0930.toISOString() });
      expect(jobs.rows.get(3)).toMatchObject({ status: 'active', nextRunAt: NEXT_0930 });
      expect(jobs.methods()).toEqual(['findByIdForUpdate', 'save', 'notifyChanged']);
      expect(audit.entries).toEqual([
        {
          actor: superuserActor,
          action: 'job.resume',
          entityType: 'job',
          entityId: 3,
          changes: {
            status: { before: 'paused', after: 'active' },
            next_run_at: { before: null, after: NEXT_0930.toISOString() },
          },
        },
      ]);
    });

    it('starts an interval job one interval from now, not on its old lattice (nothing is caught up)', async () => {
      jobs.seed({
        id: 3,
        status: 'paused',
        scheduleType: 'interval',
        scheduleExpression: '15',
        nextRunAt: OFF_LATTICE,
      });
      const answer = await service.resume(3, superuserActor);
      expect(answer.next_run_at).toBe('2026-04-01T08:15:00.000Z');
    });

    it('gives a disabled job no next run: it becomes active but stays unscheduled until enabled', async () => {
      jobs.seed({ id: 3, status: 'paused', isEnabled: false, scheduleType: 'daily', scheduleExpression: '09:30' });

      const answer = await service.resume(3, superuserActor);

      expect(answer).toMatchObject({ status: 'active', is_enabled: false, next_run_at: null });
      expect(audit.entries[0].changes).toEqual({ status: { before: 'paused', after: 'active' } });
      expect(jobs.methods()).toEqual(['findByIdForUpdate', 'save', 'notifyChanged']);
    });

    it('leaves an active job and its next run untouched, and audits the request with no changes', async () => {
      jobs.seed({ id: 3, status: 'active', scheduleType: 'daily', scheduleExpression: '09:30', nextRunAt: STALE });

      const answer = await service.resume(3, superuserActor);

      expect(answer.next_run_at).toBe(STALE.toISOString());
      expect(jobs.methods()).toEqual(['findByIdForUpdate']);
      expect(audit.entries).toEqual([
        { actor: superuserActor, action: 'job.resume', entityType: 'job', entityId: 3, changes: {} },
      ]);
    });
  });

  it.each(['pause', 'resume'] as const)('%s of an unknown job is JOB_NOT_FOUND and audits nothing', async (action) => {
    await expect(service[action](42, superuserActor)).rejects.toThrow(new JobNotFoundError(42));
    expect(jobs.methods()).toEqual(['findByIdForUpdate']);
    expect(audit.recorded).toEqual([]);
    expect(dataSource.log).toEqual(['begin', 'findByIdForUpdate', 'rollback']);
  });
});
