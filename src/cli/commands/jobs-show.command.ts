import { Option, SubCommand } from 'nest-commander';
import { ListJobExecutionsQuery } from '../../modules/executions/dto/list-executions.query';
import { ExecutionsService } from '../../modules/executions/executions.service';
import { JobsService } from '../../modules/jobs/jobs.service';
import { parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { printJob, printRuns } from '../output/job-views';
import { JsonCommand, type JsonOption } from './cli-command';

interface ShowOptions extends JsonOption {
  runs?: string;
}

@SubCommand({
  name: 'show',
  arguments: '<id>',
  description: 'Show a job and its last runs (--json: the job as GET /api/v1/jobs/{id})',
})
export class JobsShowCommand extends JsonCommand {
  constructor(
    private readonly jobs: JobsService,
    private readonly executions: ExecutionsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: ShowOptions): Promise<void> {
    const id = parseId(rawId);
    const { size } = await validateDto(ListJobExecutionsQuery, { size: options.runs ?? '5' }, { size: '--runs' });
    const job = await this.jobs.get(id);
    if (options.json) return this.out.json(job);
    const runs = await this.executions.listForJob(id, { jobId: id }, { page: 1, size });
    printJob(this.out, job);
    this.out.line();
    this.out.heading(`Last runs (${runs.items.length} of ${runs.total})`);
    printRuns(this.out, runs.items);
  }

  @Option({ flags: '--runs <n>', description: 'how many recent runs to show (default 5, at most 100)' })
  parseRuns(value: string): string {
    return value;
  }
}

interface RunsOptions extends JsonOption {
  status?: string;
  page?: string;
  size?: string;
}

@SubCommand({
  name: 'runs',
  arguments: '<id>',
  description: "A job's runs, newest first (as GET /api/v1/jobs/{id}/executions)",
})
export class JobsRunsCommand extends JsonCommand {
  constructor(
    private readonly executions: ExecutionsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: RunsOptions): Promise<void> {
    const id = parseId(rawId);
    const q = await validateDto(
      ListJobExecutionsQuery,
      { status: options.status, page: options.page, size: options.size },
      { status: '--status', page: '--page', size: '--size' },
    );
    const page = await this.executions.listForJob(id, { jobId: id, status: q.status }, { page: q.page, size: q.size });
    this.print(options, page, (p) => {
      printRuns(this.out, p.items);
      if (p.total > 0)
        this.out.line(this.out.c.dim(`Page ${p.page} of ${p.pages} · ${p.total} run${p.total === 1 ? '' : 's'}`));
    });
  }

  @Option({
    flags: '--status <status>',
    description: 'queued, running, succeeded, failed, timed_out, cancelled or skipped',
  })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--page <n>', description: 'page number (default 1)' })
  parsePage(value: string): string {
    return value;
  }

  @Option({ flags: '--size <n>', description: 'runs per page, 1–100 (default 20)' })
  parseSize(value: string): string {
    return value;
  }
}
