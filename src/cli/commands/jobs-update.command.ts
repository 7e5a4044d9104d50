import { Option, SubCommand } from 'nest-commander';
import { UpdateJobDto } from '../../modules/jobs/dto/update-job.dto';
import type { JobResponseDto } from '../../modules/jobs/dto/job-response.dto';
import { JobsService } from '../../modules/jobs/jobs.service';
import type { ScheduleType } from '../../modules/schedules/schedule.types';
import { SchedulesService } from '../../modules/schedules/schedules.service';
import { cliActor } from '../cli-actor';
import { UsageError } from '../cli-errors';
import { enabledFlag, numberish, parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { timeWithRelative } from '../output/format';
import { inferScheduleType } from '../schedule-inference';
import { JsonCommand, type JsonOption } from './cli-command';
import { JOB_FIELD_FLAGS, type JobFieldOptions } from './job-field-options';

interface UpdateOptions extends JsonOption, JobFieldOptions {
  schedule?: string;
  scheduleType?: string;
  title?: string;
}

const FLAGS = {
  ...JOB_FIELD_FLAGS,
  title: '--title',
  schedule_expression: '--schedule',
  schedule_type: '--schedule-type',
};

@SubCommand({
  name: 'update',
  arguments: '<id>',
  description: 'Change a job: only the given options change (as PUT /api/v1/jobs/{id})',
})
export class JobsUpdateCommand extends JsonCommand {
  constructor(
    private readonly jobs: JobsService,
    private readonly schedules: SchedulesService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], o: UpdateOptions): Promise<void> {
    const id = parseId(rawId);
    const plain = {
      title: o.title,
      description: o.description,
      schedule_expression: o.schedule,
      schedule_type: o.scheduleType,
      task_queue: o.queue,
      task_priority: numberish(o.priority),
      timeout_seconds: numberish(o.timeout),
      timezone: o.timezone,
      is_enabled: enabledFlag(o),
    };
    if (Object.values(plain).every((v) => v === undefined))
      throw new UsageError('nothing to change: give at least one option');
    const dto = await validateDto(UpdateJobDto, plain, FLAGS);
    const before = await this.jobs.get(id);
    if (dto.schedule_expression !== undefined && dto.schedule_type === undefined) this.inferType(dto, before);
    const after = await this.jobs.update(id, dto, cliActor());
    this.print(o, after, (job) => this.describe(before, job));
  }

  private inferType(dto: UpdateJobDto, job: JobResponseDto): void {
    const fits = (type: ScheduleType) =>
      this.schedules.preview(
        { type, expression: dto.schedule_expression!, timezone: dto.timezone ?? job.timezone },
        new Date(),
        1,
      ).valid;
    const type = inferScheduleType(dto.schedule_expression!, job.schedule_type as ScheduleType, fits);
    if (type === undefined || type === job.schedule_type) return;
    dto.schedule_type = type;
    this.out.note(
      `Schedule type: ${job.schedule_type} → ${type} (from the shape of "${dto.schedule_expression}"; --schedule-type chooses it explicitly)`,
    );
  }

  private describe(before: JobResponseDto, after: JobResponseDto): void {
    const changed = (Object.keys(after) as (keyof JobResponseDto)[]).filter(
      (key) =>
        key !== 'updated_at' && key !== 'next_run_at' && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    this.out.line(
      `Updated job ${after.id} ${this.out.c.bold(after.name)}${changed.length === 0 ? ' (no change)' : ''}`,
    );
    for (const key of changed)
      this.out.line(`  ${key}: ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`);
    this.out.line(`Next run: ${after.next_run_at ? timeWithRelative(after.next_run_at) : 'none (disabled or paused)'}`);
  }

  @Option({
    flags: '--schedule <expression>',
    description: 'new schedule expression (the type follows its shape unless --schedule-type is given)',
  })
  parseSchedule(value: string): string {
    return value;
  }

  @Option({ flags: '--schedule-type <type>', description: 'interval, daily, weekly, monthly or cron' })
  parseScheduleType(value: string): string {
    return value;
  }

  @Option({ flags: '--title <text>' })
  parseTitle(value: string): string {
    return value;
  }

  @Option({ flags: '--description <text>' })
  parseDescription(value: string): string {
    return value;
  }

  @Option({ flags: '--queue <name>' })
  parseQueue(value: string): string {
    return value;
  }

  @Option({ flags: '--priority <1-10>', description: 'higher runs first' })
  parsePriority(value: string): string {
    return value;
  }

  @Option({ flags: '--timeout <seconds>' })
  parseTimeout(value: string): string {
    return value;
  }

  @Option({ flags: '--timezone <iana>' })
  parseTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--enabled', description: 'enable the job' })
  parseEnabled(): boolean {
    return true;
  }

  @Option({ flags: '--disabled', description: 'disable the job (it is not dispatched)' })
  parseDisabled(): boolean {
    return true;
  }
}
