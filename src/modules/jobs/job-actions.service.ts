import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { changesBetween } from '../audit/audit-changes';
import { AuditService } from '../audit/audit.service';
import { JobResponseDto } from './dto/job-response.dto';
import type { JobStatus } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { JobsService, pausedState } from './jobs.service';
import { announceJobChanged } from './job-events';
import { JobNotFoundError } from './jobs.errors';

/** What people do to a job besides editing it: pause it, resume it (running it now: ManualRunsService). */
@Injectable()
export class JobActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
  ) {}

  /** Pauses the job, saying why (optional); pausing a paused job again updates the reason. */
  pause(id: number, actor: Actor, reason: string | null = null): Promise<JobResponseDto> {
    return this.setStatus(id, 'paused', actor, reason);
  }

  resume(id: number, actor: Actor): Promise<JobResponseDto> {
    return this.setStatus(id, 'active', actor, null);
  }

  private async setStatus(id: number, status: JobStatus, actor: Actor, reason: string | null): Promise<JobResponseDto> {
    return this.dataSource.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      const before = JobResponseDto.from(job);
      if (job.status !== status) {
        job.status = status;
        Object.assign(job, pausedState(status, actor, reason));
        // The runs claimed ahead go first: they stop counting as runs (max_runs).
        const dropped = await announceJobChanged(this.events, { tx, jobId: id });
        job.scheduledRuns = Math.max(0, job.scheduledRuns - dropped.length);
        job.nextRunAt = this.jobsService.computeNextRun(job, new Date());
        await this.jobs.save(job, tx);
        await this.jobs.notifyChanged(tx, id);
      } else if (status === 'paused' && reason !== null && reason !== job.pausedReason) {
        job.pausedReason = reason;
        await this.jobs.save(job, tx);
      }
      const after = JobResponseDto.from(job);
      await this.audit.record(tx, {
        actor,
        action: status === 'paused' ? 'job.pause' : 'job.resume',
        entityType: 'job',
        entityId: id,
        changes: changesBetween(before, after, { ignore: ['updated_at'] }),
      });
      return after;
    });
  }
}
