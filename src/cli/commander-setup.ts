import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';

/**
 * nest-commander builds every subcommand with `new Command()`, so settings on the root do
 * not reach them: without this, a subcommand's usage error or `--help` would call
 * process.exit itself, skipping app.close() (and so the embedded PostgreSQL's shutdown),
 * and excess arguments would be silently ignored. Every error is thrown instead and mapped
 * to an exit code by `reportError`.
 */
@Injectable()
export class CommanderSetup implements OnApplicationBootstrap {
  constructor(@InjectCommander() private readonly root: Command) {}

  onApplicationBootstrap(): void {
    this.root.name('manage');
    this.configure(this.root);
  }

  private configure(command: Command): void {
    command
      .exitOverride((error) => {
        throw error;
      })
      .showHelpAfterError('(run with --help for usage)');
    // Parents (`jobs`, `users`) receive unknown subcommand names as arguments and reject them.
    if (command.commands.length === 0) command.allowExcessArguments(false);
    command.commands.forEach((sub) => this.configure(sub));
  }
}
