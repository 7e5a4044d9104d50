import { Help, SubCommand } from 'nest-commander';
import { CreateJobDto } from '../../modules/jobs/dto/create-job.dto';
import { JOB_DEFAULTS } from '../../modules/jobs/job-defaults';
import { JobsService } from '../../modules/jobs/jobs.service';
import { cliActor } from '../cli-actor';
import { validateDto, withFlags } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { timeWithRelative } from '../output/format';
import { JOB_FIELD_FLAGS, JobFieldsCommand, jobFields, type JobFieldOptions } from './job-field-options';

/** What a job created without an option gets, in the help's words (as JOB_DEFAULTS). */
const DEFAULTS_HELP = [
  '',
  'Left out, an option takes the API default:',
  `  --timezone ${JOB_DEFAULTS.timezone}, --args [], --kwargs {}, --queue ${JOB_DEFAULTS.task_queue}, ` +
    `--priority ${JOB_DEFAULTS.task_priority}, --timeout ${JOB_DEFAULTS.timeout_seconds},`,
  `  --max-retries ${JOB_DEFAULTS.max_retries}, --retry-backoff-seconds ${JOB_DEFAULTS.retry_backoff_seconds}, ` +
    `--misfire-policy ${JOB_DEFAULTS.misfire_policy}, --overlap-policy ${JOB_DEFAULTS.overlap_policy},`,
  `  --status ${JOB_DEFAULTS.status}, ${JOB_DEFAULTS.is_enabled ? '--enabled' : '--disabled'}, --config {}, --metadata {}`,
].join('\n');

@SubCommand({
  name: 'create',
  arguments: '<name> <title> <job_type> <schedule_type> <schedule_expression> <task_name>',
  description: 'Create a job (as POST /api/v1/jobs/)',
})
export class JobsCreateCommand extends JobFieldsCommand {
  constructor(
    private readonly jobs: JobsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([name, title, jobType, scheduleType, expression, taskName]: string[], o: JobFieldOptions): Promise<void> {
    const dto = await validateDto(
      CreateJobDto,
      {
        name,
        title,
        job_type: jobType,
        schedule_type: scheduleType,
        schedule_expression: expression,
        task_name: taskName,
        ...jobFields(o),
      },
      JOB_FIELD_FLAGS,
    );
    const job = await withFlags(JOB_FIELD_FLAGS, () => this.jobs.create(dto, cliActor()));
    this.print(o, job, (j) => {
      this.out.line(
        `Created job ${j.id} ${this.out.c.bold(j.name)} (${j.schedule_type} ${j.schedule_expression}, ${j.timezone})`,
      );
      this.out.line(
        `Next run: ${j.next_run_at ? timeWithRelative(j.next_run_at, new Date(), j.timezone) : 'none while the job is disabled or paused'}`,
      );
    });
  }

  @Help('after')
  defaultsHelp(): string {
    return DEFAULTS_HELP;
  }
}
