import { Command, CommandRunner } from 'nest-commander';
import { missingSubcommand } from './cli-command';
import { JobsBackfillCommand } from './jobs-backfill.command';
import { JobsCreateCommand } from './jobs-create.command';
import { JobsApplyCommand, JobsExportCommand } from './jobs-definitions.command';
import { JobsDeleteCommand } from './jobs-delete.command';
import { JobsExecuteCommand } from './jobs-execute.command';
import { JobsListCommand } from './jobs-list.command';
import { JobsOverdueCommand, JobsStatsCommand } from './jobs-overview.command';
import { JobsRunsCommand, JobsShowCommand } from './jobs-show.command';
import { JobsPauseCommand, JobsResumeCommand } from './jobs-state.command';
import { JobsUpdateCommand } from './jobs-update.command';
import { JobsValidateScheduleCommand } from './jobs-validate-schedule.command';

export const JOBS_SUBCOMMANDS = [
  JobsListCommand,
  JobsShowCommand,
  JobsCreateCommand,
  JobsUpdateCommand,
  JobsDeleteCommand,
  JobsExecuteCommand,
  JobsBackfillCommand,
  JobsPauseCommand,
  JobsResumeCommand,
  JobsOverdueCommand,
  JobsStatsCommand,
  JobsValidateScheduleCommand,
  JobsRunsCommand,
  JobsExportCommand,
  JobsApplyCommand,
];

@Command({ name: 'jobs', description: 'Manage scheduled jobs', subCommands: JOBS_SUBCOMMANDS })
export class JobsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    missingSubcommand(this.command, args);
    return Promise.resolve();
  }
}
