import { Option, SubCommand } from 'nest-commander';
import { BackfillService } from '../../modules/executions/backfill.service';
import { BackfillJobDto, type BackfillResultDto } from '../../modules/executions/dto/backfill-job.dto';
import { JobsService } from '../../modules/jobs/jobs.service';
import { cliActor } from '../cli-actor';
import { numberish, parseId, validateDto, withFlags } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { zonedTime } from '../output/format';
import { JsonCommand, type JsonOption } from './cli-command';

interface BackfillOptions extends JsonOption {
  from: string;
  to: string;
  max?: string;
}

const FLAGS = { from: '--from', to: '--to', max_runs: '--max' };

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

@SubCommand({
  name: 'backfill',
  arguments: '<id>',
  description:
    'Run a job for its past fire times in [--from, --to) that have no run yet: records and queues them for ' +
    'the workers of a running server (as POST /api/v1/jobs/{id}/backfill)',
})
export class JobsBackfillCommand extends JsonCommand {
  constructor(
    private readonly backfills: BackfillService,
    private readonly jobs: JobsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], o: BackfillOptions): Promise<void> {
    const id = parseId(rawId);
    const dto = await validateDto(BackfillJobDto, { from: o.from, to: o.to, max_runs: numberish(o.max) }, FLAGS);
    const result = await withFlags(FLAGS, () => this.backfills.backfill(id, dto, cliActor()));
    if (o.json) return this.out.json(result);
    await this.describe(id, result);
  }

  private async describe(id: number, result: BackfillResultDto): Promise<void> {
    const job = await this.jobs.get(id);
    this.out.line(
      `Job ${id} ${this.out.c.bold(job.name)}: ${count(result.recorded, 'run')} recorded (trigger backfill) and ` +
        `queued; ${count(result.already_present, 'fire time')} already had one`,
    );
    this.out.line(`${count(result.fire_times.length, 'fire time')} in the range${result.fire_times.length ? ':' : ''}`);
    result.fire_times.forEach((time) => this.out.line(`  ${zonedTime(time, job.timezone)}`));
    if (result.recorded > 0)
      this.out.line(
        this.out.c.dim(
          `A worker of the running server (npm start) executes them; follow them with ./manage jobs runs ${id}.`,
        ),
      );
  }

  @Option({
    flags: '--from <iso>',
    description: 'start of the range (included), e.g. 2026-01-01T00:00:00Z',
    required: true,
  })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <iso>', description: 'end of the range (excluded), not in the future', required: true })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--max <n>', description: 'refuse a range with more fire times than this, 1–1000 (default 100)' })
  parseMax(value: string): string {
    return value;
  }
}
