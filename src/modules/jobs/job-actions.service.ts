import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { changesBetween } from '../audit/audit-changes';
import { AuditService } from '../audit/audit.service';
import type { ExecuteJobDto } from '../executions/dto/execute-job.dto';
import { ExecutionResponseDto } from '../executions/dto/execution-response.dto';
import { ExecutionsService } from '../executions/executions.service';
import { TaskRegistry } from '../tasks/task-registry.service';
import { JobResponseDto } from './dto/job-response.dto';
import type { Job, JobStatus } from './job.entity';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';
import { JobNotFoundError, JobNotRunnableError } from './jobs.errors';

/** What people do to a job besides editing it: run it now, pause it, resume it. */
@Injectable()
export class JobActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    private readonly executions: ExecutionsService,
    private readonly tasks: TaskRegistry,
    private readonly audit: AuditService,
  ) {}

  pause(id: number, actor: Actor): Promise<JobResponseDto> {
    return this.setStatus(id, 'paused', actor);
  }

  resume(id: number, actor: Actor): Promise<JobResponseDto> {
    return this.setStatus(id, 'active', actor);
  }

  /**
   * Records a manual run and queues it. A disabled or paused job needs `force`.
   * `override_kwargs` are merged over the job's kwargs for this run only.
   */
  async execute(id: number, dto: ExecuteJobDto, actor: Actor): Promise<ExecutionResponseDto> {
    const { runId, job } = await this.dataSource.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      if (!dto.force && (!job.isEnabled || job.status !== 'active')) {
        throw new JobNotRunnableError(id, job.isEnabled ? job.status : 'disabled');
      }
      const kwargs = { ...job.taskKwargs, ...(dto.override_kwargs ?? {}) };
      this.validateOverride(job.taskName, kwargs);
      const [run] = await this.executions.record(tx, [
        { jobId: id, status: 'queued', trigger: 'manual', scheduledFor: new Date(), kwargs, triggeredBy: actor.name },
      ]);
      await this.audit.record(tx, {
        actor,
        action: 'job.execute',
        entityType: 'job',
        entityId: id,
        changes: {
          run_id: { before: null, after: run.id },
          force: { before: null, after: dto.force ?? false },
          override_kwargs: { before: null, after: dto.override_kwargs ?? {} },
        },
      });
      return { runId: run.id, job };
    });
    // The answer is the run as recorded; once queued, a worker may start it at any moment.
    const recorded = await this.executions.get(runId);
    await this.executions.enqueue([{ id: runId, taskQueue: job.taskQueue, taskPriority: job.taskPriority }]);
    return recorded;
  }

  /** The merged kwargs are checked as the task's; errors name `override_kwargs`, the field the caller sent. */
  private validateOverride(taskName: string, kwargs: Record<string, unknown>): void {
    try {
      this.tasks.validateKwargs(taskName, kwargs);
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      const rename = (m: string) => m.replace(/\btask_kwargs\b/g, 'override_kwargs');
      throw new ValidationFailedError(rename(error.message), error.details?.map(rename));
    }
  }

  private async setStatus(id: number, status: JobStatus, actor: Actor): Promise<JobResponseDto> {
    return this.dataSource.transaction(async (tx) => {
      const job = await this.jobs.findByIdForUpdate(id, tx);
      if (!job) throw new JobNotFoundError(id);
      const before = JobResponseDto.from(job);
      if (job.status !== status) {
        job.status = status;
        job.nextRunAt = this.jobsService.computeNextRun(job, new Date());
        await this.jobs.save(job, tx);
        await this.jobs.notifyChanged(tx, id);
      }
      const after = JobResponseDto.from(job as Job);
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
