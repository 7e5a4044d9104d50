import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Command } from 'commander';
import { InjectCommander } from 'nest-commander';
import { appVersion } from '../common/app-version';
import { CREATE_DATA_DIR_FLAG } from './data-dir-flag';

/** Every help text fits this many columns. */
const HELP_WIDTH = 100;
/** Longest subcommand term shown whole in a command list (longer: name, [options] and `<…>`; its own --help shows all). */
const MAX_TERM = 36;

/** `text` broken at spaces into lines of at most `width` characters, continuation lines indented. */
function wrapWords(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

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
    // Listed in --help; `./manage --version` itself is answered before the application starts (cli.ts).
    this.root
      .name('manage')
      .version(appVersion(), '-V, --version', 'print the version and exit')
      // Read before the application starts (run-cli.ts); declared here for --help and the parser.
      .option(
        CREATE_DATA_DIR_FLAG,
        'with no DATABASE_URL, create a new, empty embedded database when DATA_DIR holds none',
      );
    this.configure(this.root);
  }

  private configure(command: Command): void {
    // The help as commander writes it, but at most HELP_WIDTH columns: long argument lists are
    // shortened in command lists and wrapped in a command's own usage line.
    const plain = command.createHelp();
    command
      .exitOverride((error) => {
        throw error;
      })
      .showHelpAfterError('(run with --help for usage)')
      .configureHelp({
        helpWidth: HELP_WIDTH,
        subcommandTerm: (sub) => {
          const term = plain.subcommandTerm(sub);
          return term.length <= MAX_TERM ? term : `${sub.name()}${sub.options.length > 0 ? ' [options]' : ''} <…>`;
        },
        commandUsage: (cmd) => wrapWords(plain.commandUsage(cmd), HELP_WIDTH - 'Usage: '.length, '  '),
      });
    // Parents (`jobs`, `users`) receive unknown subcommand names as arguments and reject them.
    if (command.commands.length === 0) command.allowExcessArguments(false);
    command.commands.forEach((sub) => this.configure(sub));
  }
}
