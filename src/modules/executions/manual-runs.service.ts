import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { ValidationFailedError } from '../../common/errors';
import { AuditService } from '../audit/audit.service';
import { JobNotRunnableError } from '../jobs/jobs.errors';
import { JobsService } from '../jobs/jobs.service';
import { TaskRegistry } from '../tasks/task-registry.service';
import type { ExecuteJobDto } from './dto/execute-job.dto';
import { ExecutionResponseDto } from './dto/execution-response.dto';
import { ExecutionsService } from './executions.service';

/** "Run now": a manual run of a job, recorded under the job's row lock, audited, then queued. */
@Injectable()
export class ManualRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly executions: ExecutionsService,
    private readonly tasks: TaskRegistry,
    private readonly audit: AuditService,
  ) {}

  /**
   * Records a manual run and queues it. A disabled or paused job needs `force`.
   * `override_kwargs` are merged over the job's kwargs for this run only.
   */
  async runNow(id: number, dto: ExecuteJobDto, actor: Actor): Promise<ExecutionResponseDto> {
    const { runId, job } = await this.dataSource.transaction(async (tx) => {
      const job = await this.jobs.lockForRun(tx, id);
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
}
