import { Option, SubCommand } from 'nest-commander';
import { CreateJobDto } from '../../modules/jobs/dto/create-job.dto';
import { JobsService } from '../../modules/jobs/jobs.service';
import { cliActor } from '../cli-actor';
import { enabledFlag, numberish, parseJsonObject, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { timeWithRelative } from '../output/format';
import { JsonCommand, type JsonOption } from './cli-command';
import { JOB_FIELD_FLAGS, JobFieldOptions } from './job-field-options';

interface CreateOptions extends JsonOption, JobFieldOptions {
  maxRetries?: string;
  kwargs?: string;
}

@SubCommand({
  name: 'create',
  arguments: '<name> <title> <job_type> <schedule_type> <schedule_expression> <task_name>',
  description: 'Create a job (as POST /api/v1/jobs/)',
})
export class JobsCreateCommand extends JsonCommand {
  constructor(
    private readonly jobs: JobsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([name, title, jobType, scheduleType, expression, taskName]: string[], o: CreateOptions): Promise<void> {
    const dto = await validateDto(
      CreateJobDto,
      {
        name,
        title,
        job_type: jobType,
        schedule_type: scheduleType,
        schedule_expression: expression,
        task_name: taskName,
        description: o.description,
        task_queue: o.queue,
        task_priority: numberish(o.priority),
        timeout_seconds: numberish(o.timeout),
        max_retries: numberish(o.maxRetries),
        timezone: o.timezone,
        is_enabled: enabledFlag(o),
        task_kwargs: parseJsonObject(o.kwargs, 'task_kwargs', '--kwargs'),
      },
      { ...JOB_FIELD_FLAGS, max_retries: '--max-retries', task_kwargs: '--kwargs' },
    );
    const job = await this.jobs.create(dto, cliActor());
    this.print(o, job, (j) => {
      this.out.line(
        `Created job ${j.id} ${this.out.c.bold(j.name)} (${j.schedule_type} ${j.schedule_expression}, ${j.timezone})`,
      );
      this.out.line(`Next run: ${j.next_run_at ? timeWithRelative(j.next_run_at) : 'none while the job is disabled'}`);
    });
  }

  @Option({ flags: '--description <text>' })
  parseDescription(value: string): string {
    return value;
  }

  @Option({ flags: '--queue <name>', description: 'task queue (default "default")' })
  parseQueue(value: string): string {
    return value;
  }

  @Option({ flags: '--priority <1-10>', description: 'higher runs first (default 5)' })
  parsePriority(value: string): string {
    return value;
  }

  @Option({ flags: '--timeout <seconds>', description: 'run timeout (default 3600)' })
  parseTimeout(value: string): string {
    return value;
  }

  @Option({ flags: '--timezone <iana>', description: 'e.g. Europe/Paris (default UTC)' })
  parseTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--max-retries <n>', description: 'retries after a failure, 0–100 (default 0)' })
  parseMaxRetries(value: string): string {
    return value;
  }

  @Option({ flags: '--kwargs <json>', description: 'task_kwargs as a JSON object' })
  parseKwargs(value: string): string {
    return value;
  }

  @Option({ flags: '--enabled', description: 'create it enabled (the default)' })
  parseEnabled(): boolean {
    return true;
  }

  @Option({ flags: '--disabled', description: 'create it disabled' })
  parseDisabled(): boolean {
    return true;
  }
}
