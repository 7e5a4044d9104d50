import { Option, SubCommand } from 'nest-commander';
import { ListJobsQuery } from '../../modules/jobs/dto/list-jobs.query';
import { JobsService } from '../../modules/jobs/jobs.service';
import { validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { printJobPage } from '../output/job-views';
import { JsonCommand, type JsonOption } from './cli-command';

interface ListOptions extends JsonOption {
  status?: string;
  type?: string;
  enabledOnly?: boolean;
  overdueOnly?: boolean;
  search?: string;
  tag?: string[];
  sort?: string;
  page?: string;
  size?: string;
}

const FLAGS = {
  status: '--status',
  job_type: '--type',
  search: '--search',
  tag: '--tag',
  sort: '--sort',
  page: '--page',
  size: '--size',
};

@SubCommand({ name: 'list', description: 'List jobs, filtered and paginated (as GET /api/v1/jobs/)' })
export class JobsListCommand extends JsonCommand {
  constructor(
    private readonly jobs: JobsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: ListOptions): Promise<void> {
    const query = await validateDto(
      ListJobsQuery,
      {
        status: options.status,
        job_type: options.type,
        is_enabled: options.enabledOnly ? 'true' : undefined,
        overdue: options.overdueOnly ? 'true' : undefined,
        search: options.search,
        tag: options.tag,
        sort: options.sort,
        page: options.page,
        size: options.size,
      },
      FLAGS,
    );
    const filter = {
      status: query.status,
      isEnabled: query.is_enabled,
      jobType: query.job_type,
      search: query.search,
      tags: query.tag,
      overdue: query.overdue,
      sort: query.sort,
    };
    const page = await this.jobs.list(filter, { page: query.page, size: query.size });
    this.print(options, page, (p) => printJobPage(this.out, p));
  }

  @Option({ flags: '--tag <tag>', description: 'only jobs carrying this tag (repeat: every one given)' })
  parseTag(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--status <status>', description: 'active or paused' })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--type <job_type>', description: 'only jobs of this type, e.g. system_health_check' })
  parseType(value: string): string {
    return value;
  }

  @Option({ flags: '--enabled-only', description: 'only enabled jobs' })
  parseEnabledOnly(): boolean {
    return true;
  }

  @Option({ flags: '--overdue-only', description: 'only enabled, active jobs whose next run is overdue' })
  parseOverdueOnly(): boolean {
    return true;
  }

  @Option({ flags: '--search <text>', description: 'text in the name, title or description' })
  parseSearch(value: string): string {
    return value;
  }

  @Option({
    flags: '--sort <field>',
    description: 'name, created_at, next_run_at or last_run_at; prefix - for descending',
  })
  parseSort(value: string): string {
    return value;
  }

  @Option({ flags: '--page <n>', description: 'page number (default 1)' })
  parsePage(value: string): string {
    return value;
  }

  @Option({ flags: '--size <n>', description: 'jobs per page, 1–100 (default 20)' })
  parseSize(value: string): string {
    return value;
  }
}
