import { Option, SubCommand } from 'nest-commander';
import { PauseJobDto } from '../../modules/jobs/dto/pause-job.dto';
import type { JobResponseDto } from '../../modules/jobs/dto/job-response.dto';
import { JobActionsService } from '../../modules/jobs/job-actions.service';
import { cliActor } from '../cli-actor';
import { parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { timeWithRelative } from '../output/format';
import { JsonCommand, type JsonOption } from './cli-command';

function describe(out: CliOutput, verb: string, job: JobResponseDto): void {
  out.line(`${verb} job ${job.id} ${out.c.bold(job.name)}: status ${job.status}${job.is_enabled ? '' : ', disabled'}`);
  out.line(
    `Next run: ${job.next_run_at ? timeWithRelative(job.next_run_at, new Date(), job.timezone) : 'none while paused or disabled'}`,
  );
}

@SubCommand({ name: 'pause', arguments: '<id>', description: 'Pause a job: it is not dispatched until resumed' })
export class JobsPauseCommand extends JsonCommand {
  constructor(
    private readonly actions: JobActionsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: JsonOption & { reason?: string }): Promise<void> {
    const id = parseId(rawId);
    const { reason } = await validateDto(PauseJobDto, { reason: options.reason }, { reason: '--reason' });
    const job = await this.actions.pause(id, cliActor(), reason ?? null);
    this.print(options, job, (j) => describe(this.out, 'Paused', j));
  }

  @Option({ flags: '--reason <text>', description: 'why (up to 500 characters): shown until it is resumed' })
  parseReason(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'resume',
  arguments: '<id>',
  description: 'Resume a paused job; its next run is computed from now',
})
export class JobsResumeCommand extends JsonCommand {
  constructor(
    private readonly actions: JobActionsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: JsonOption): Promise<void> {
    const job = await this.actions.resume(parseId(rawId), cliActor());
    this.print(options, job, (j) => describe(this.out, 'Resumed', j));
  }
}
