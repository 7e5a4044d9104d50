import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExecutionsService } from '../../modules/executions/executions.service';
import { RunLogsQuery } from '../../modules/executions/run-logs/dto/run-logs.dto';
import { RUN_LOG_POLL_MS, RunLogsService } from '../../modules/executions/run-logs/run-logs.service';
import { JobsService } from '../../modules/jobs/jobs.service';
import { parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { printLogLines, printRun } from '../output/run-views';
import { JsonCommand, missingSubcommand, type JsonOption } from './cli-command';

/** Lines shown under `runs show` (the rest: `runs logs`). */
const SHOW_LOG_LINES = 20;

@SubCommand({
  name: 'show',
  arguments: '<run-id>',
  description: 'Show a run and the start of its log (--json: the run as GET /api/v1/executions/{id})',
})
export class RunsShowCommand extends JsonCommand {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly jobs: JobsService,
    private readonly runLogs: RunLogsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: JsonOption): Promise<void> {
    const id = parseId(rawId, 'run id');
    const run = await this.executions.get(id);
    if (options.json) return this.out.json(run);
    const jobName = await this.jobs.get(run.job_id).then(
      (job) => job.name,
      () => null,
    );
    printRun(this.out, run, jobName);
    const log = await this.runLogs.page(id, 0, SHOW_LOG_LINES + 1);
    this.out.line();
    if (log.items.length === 0) {
      this.out.line(this.out.c.dim(log.run_finished ? 'The run logged nothing.' : 'No log lines yet.'));
      return;
    }
    this.out.heading('Log');
    printLogLines(this.out, log.items.slice(0, SHOW_LOG_LINES));
    if (log.items.length > SHOW_LOG_LINES) this.out.line(this.out.c.dim(`… more lines: ./manage runs logs ${id}`));
  }
}

interface LogsOptions extends JsonOption {
  follow?: boolean;
  after?: string;
}

@SubCommand({
  name: 'logs',
  arguments: '<run-id>',
  description: "Print a run's log lines, oldest first (--follow: until the run ends; --json: one JSON line each)",
})
export class RunsLogsCommand extends JsonCommand {
  constructor(
    private readonly runLogs: RunLogsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: LogsOptions): Promise<void> {
    const id = parseId(rawId, 'run id');
    const { after } = await validateDto(RunLogsQuery, { after: options.after }, { after: '--after' });
    let last = after;
    for (;;) {
      const page = await this.runLogs.page(id, last, 1000);
      if (options.json) for (const line of page.items) this.out.jsonLine(line);
      else printLogLines(this.out, page.items);
      last = page.next_after;
      if (page.items.length === 1000) continue;
      if (!options.follow || page.run_finished) return;
      await sleep(RUN_LOG_POLL_MS);
    }
  }

  @Option({ flags: '-f, --follow', description: 'keep printing new lines until the run ends' })
  parseFollow(): boolean {
    return true;
  }

  @Option({ flags: '--after <seq>', description: 'only lines after this sequence number' })
  parseAfter(value: string): string {
    return value;
  }
}

@Command({ name: 'runs', description: 'Inspect runs and their logs', subCommands: [RunsShowCommand, RunsLogsCommand] })
export class RunsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    missingSubcommand(this.command, args);
    return Promise.resolve();
  }
}
