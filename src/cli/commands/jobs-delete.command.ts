import { CommandRunner, Option, SubCommand } from 'nest-commander';
import { JobsService } from '../../modules/jobs/jobs.service';
import { cliActor } from '../cli-actor';
import { OperationFailedError } from '../cli-errors';
import { parseId } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { confirm, stdinIsTerminal } from '../prompts';

@SubCommand({ name: 'delete', arguments: '<id>', description: 'Delete a job and its runs; asks first unless --force' })
export class JobsDeleteCommand extends CommandRunner {
  constructor(
    private readonly jobs: JobsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: { force?: boolean }): Promise<void> {
    const id = parseId(rawId);
    const job = await this.jobs.get(id);
    if (!options.force) {
      // No terminal to ask (a script, a pipe, cron): refuse rather than guess.
      if (!stdinIsTerminal())
        throw new OperationFailedError(
          `not deleting job ${id} (${job.name}) without confirmation, and there is no terminal to ask: use --force`,
        );
      if (!(await confirm(`Delete job ${id} "${job.name}" and its ${job.total_runs} recorded runs?`))) {
        throw new OperationFailedError(`aborted; job ${id} was not deleted`);
      }
    }
    await this.jobs.delete(id, cliActor());
    this.out.line(`Deleted job ${id} ${job.name}`);
  }

  @Option({ flags: '-f, --force', description: 'do not ask for confirmation' })
  parseForce(): boolean {
    return true;
  }
}
