import { Option, SubCommand } from 'nest-commander';
import { toPage, type Page } from '../../common/pagination';
import type { JobResponseDto } from '../../modules/jobs/dto/job-response.dto';
import { ListJobsQuery } from '../../modules/jobs/dto/list-jobs.query';
import { JobStatsService } from '../../modules/jobs/job-stats.service';
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
  sort?: string;
  page?: string;
  size?: string;
}

const FLAGS = {
  status: '--status',
  job_type: '--type',
  search: '--search',
  sort: '--sort',
  page: '--page',
  size: '--size',
};

@SubCommand({ name: 'list', description: 'List jobs, filtered and paginated (as GET /api/v1/jobs/)' })
export class JobsListCommand extends JsonCommand {
  constructor(
    private readonly jobs: JobsService,
    private readonly stats: JobStatsService,
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
        search: options.search,
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
      sort: query.sort,
    };
    const page = options.overdueOnly
      ? await this.overduePage(query)
      : await this.jobs.list(filter, { page: query.page, size: query.size });
    this.print(options, page, (p) => printJobPage(this.out, p));
  }

  /** The overdue list (always small) with the other filters applied, as a page. */
  private async overduePage(query: ListJobsQuery): Promise<Page<JobResponseDto>> {
    const search = query.search?.toLowerCase();
    const matching = (await this.stats.overdue()).filter(
      (job) =>
        (query.status === undefined || job.status === query.status) &&
        (query.job_type === undefined || job.job_type === query.job_type) &&
        (query.is_enabled === undefined || job.is_enabled === query.is_enabled) &&
        (search === undefined ||
          [job.name, job.title, job.description ?? ''].some((text) => text.toLowerCase().includes(search))),
    );
    const start = (query.page - 1) * query.size;
    return toPage(matching.slice(start, start + query.size), matching.length, query);
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
