import { Option, SubCommand } from 'nest-commander';
import { UpdateJobDto } from '../../modules/jobs/dto/update-job.dto';
import type { JobResponseDto } from '../../modules/jobs/dto/job-response.dto';
import { JobsService } from '../../modules/jobs/jobs.service';
import type { ScheduleType } from '../../modules/schedules/schedule.types';
import { SchedulesService } from '../../modules/schedules/schedules.service';
import { cliActor } from '../cli-actor';
import { UsageError } from '../cli-errors';
import { parseId, validateDto, withFlags } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { timeWithRelative } from '../output/format';
import { inferScheduleType } from '../schedule-inference';
import { JOB_FIELD_FLAGS, JobFieldsCommand, jobFields, type JobFieldOptions } from './job-field-options';

interface UpdateOptions extends JobFieldOptions {
  name?: string;
  title?: string;
  jobType?: string;
  schedule?: string;
  scheduleType?: string;
  taskName?: string;
}

/** Create's positional arguments are options here. */
const FLAGS = {
  name: '--name',
  title: '--title',
  job_type: '--job-type',
  schedule_expression: '--schedule',
  schedule_type: '--schedule-type',
  task_name: '--task-name',
  ...JOB_FIELD_FLAGS,
};

@SubCommand({
  name: 'update',
  arguments: '<id>',
  description: 'Change a job: only the given options change (as PUT /api/v1/jobs/{id})',
})
export class JobsUpdateCommand extends JobFieldsCommand {
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
      name: o.name,
      title: o.title,
      job_type: o.jobType,
      schedule_expression: o.schedule,
      schedule_type: o.scheduleType,
      task_name: o.taskName,
      ...jobFields(o),
    };
    if (Object.values(plain).every((v) => v === undefined))
      throw new UsageError('nothing to change: give at least one option');
    const dto = await validateDto(UpdateJobDto, plain, FLAGS);
    const before = await this.jobs.get(id);
    if (dto.schedule_expression !== undefined && dto.schedule_type === undefined) this.inferType(dto, before);
    const after = await withFlags(FLAGS, () => this.jobs.update(id, dto, cliActor()));
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
    this.out.line(
      `Next run: ${after.next_run_at ? timeWithRelative(after.next_run_at, new Date(), after.timezone) : 'none (disabled or paused)'}`,
    );
  }

  @Option({
    flags: '--schedule <expression>',
    description: 'schedule_expression (the type follows its shape unless --schedule-type is given)',
  })
  parseSchedule(value: string): string {
    return value;
  }

  @Option({ flags: '--schedule-type <type>', description: 'schedule_type: interval, daily, weekly, monthly or cron' })
  parseScheduleType(value: string): string {
    return value;
  }

  @Option({ flags: '--name <slug>', description: 'name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--title <text>', description: 'title' })
  parseTitle(value: string): string {
    return value;
  }

  @Option({ flags: '--job-type <type>', description: 'job_type' })
  parseJobType(value: string): string {
    return value;
  }

  @Option({ flags: '--task-name <task>', description: 'task_name, e.g. http.request' })
  parseTaskName(value: string): string {
    return value;
  }
}
