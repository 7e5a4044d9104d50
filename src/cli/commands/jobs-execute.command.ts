import { Option, SubCommand } from 'nest-commander';
import { ExecuteJobDto } from '../../modules/executions/dto/execute-job.dto';
import type { ExecutionResponseDto } from '../../modules/executions/dto/execution-response.dto';
import { ManualRunsService } from '../../modules/executions/manual-runs.service';
import { cliActor } from '../cli-actor';
import { OperationFailedError } from '../cli-errors';
import { parseId, parseJsonObject, validateDto, withFlags } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { duration } from '../output/format';
import { runStatus } from '../output/job-views';
import { RunWaiter } from '../run-waiter';
import { JsonCommand, type JsonOption } from './cli-command';

interface ExecuteOptions extends JsonOption {
  force?: boolean;
  kwargs?: string;
  wait?: boolean;
  waitTimeout?: string;
}

const FLAGS = { override_kwargs: '--kwargs' };

@SubCommand({
  name: 'execute',
  arguments: '<id>',
  description:
    'Run a job now: records a manual run and queues it for the workers of a running server (as POST /api/v1/jobs/{id}/execute)',
})
export class JobsExecuteCommand extends JsonCommand {
  constructor(
    private readonly manualRuns: ManualRunsService,
    private readonly waiter: RunWaiter,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], o: ExecuteOptions): Promise<void> {
    const id = parseId(rawId);
    const pickup = Number(o.waitTimeout ?? '60');
    if (!Number.isFinite(pickup) || pickup <= 0)
      throw new OperationFailedError('--wait-timeout must be a positive number of seconds');
    const dto = await validateDto(
      ExecuteJobDto,
      { force: o.force ? true : undefined, override_kwargs: parseJsonObject(o.kwargs, '--kwargs') },
      FLAGS,
    );
    const queued = await withFlags(FLAGS, () => this.manualRuns.runNow(id, dto, cliActor()));
    if (!o.wait) return this.print(o, queued, (run) => this.describeQueued(run));
    if (!o.json) this.out.line(`Queued run ${queued.id} of job ${id}`);
    const run = await this.waiter.wait(queued.id, pickup);
    this.print(o, run, (r) =>
      this.out.line(
        `Run ${r.id} ${runStatus(this.out, r.status)} after ${duration(r.duration_seconds)}${r.error ? `: ${r.error}` : ''}`,
      ),
    );
    if (run.status !== 'succeeded')
      throw new OperationFailedError(`run ${run.id} ended ${run.status}${run.error ? `: ${run.error}` : ''}`);
  }

  private describeQueued(run: ExecutionResponseDto): void {
    this.out.line(`Queued run ${run.id} of job ${run.job_id} (${run.trigger}, by ${run.triggered_by ?? '—'})`);
    this.out.line(
      this.out.c.dim(
        `A worker of the running server (npm start) executes it; follow it with ./manage jobs runs ${run.job_id}, or use --wait next time.`,
      ),
    );
  }

  @Option({ flags: '-f, --force', description: 'run even if the job is disabled or paused' })
  parseForce(): boolean {
    return true;
  }

  @Option({ flags: '--kwargs <json>', description: 'JSON object merged over the task kwargs for this run only' })
  parseKwargs(value: string): string {
    return value;
  }

  @Option({ flags: '--wait', description: 'follow the run until it ends; exit 1 unless it succeeds' })
  parseWait(): boolean {
    return true;
  }

  @Option({
    flags: '--wait-timeout <seconds>',
    description: 'with --wait: how long a worker may take to pick the run up (default 60)',
  })
  parseWaitTimeout(value: string): string {
    return value;
  }
}
