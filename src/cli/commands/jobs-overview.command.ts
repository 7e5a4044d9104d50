import { SubCommand } from 'nest-commander';
import { JobStatsService } from '../../modules/jobs/job-stats.service';
import { OverviewService } from '../../modules/overview/overview.service';
import { CliOutput } from '../output/cli-output';
import { printJobTable, printStats } from '../output/job-views';
import { JsonCommand, type JsonOption } from './cli-command';

@SubCommand({
  name: 'overdue',
  description: 'Enabled, active jobs whose next run is late (as GET /api/v1/jobs/overdue/list)',
})
export class JobsOverdueCommand extends JsonCommand {
  constructor(
    private readonly stats: JobStatsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const jobs = await this.stats.overdue();
    this.print(options, jobs, (list) =>
      list.length === 0 ? this.out.line('No overdue jobs.') : printJobTable(this.out, list),
    );
  }
}

@SubCommand({
  name: 'stats',
  description: 'Counts of jobs and runs, success rate, durations (as GET /api/v1/jobs/stats/overview)',
})
export class JobsStatsCommand extends JsonCommand {
  constructor(
    private readonly overview: OverviewService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    this.print(options, await this.overview.overview(), (s) => printStats(this.out, s));
  }
}
