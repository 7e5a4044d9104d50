import { CommandRunner, Option } from 'nest-commander';
import { UsageError } from '../cli-errors';
import type { CliOutput } from '../output/cli-output';

export interface JsonOption {
  json?: boolean;
}

/** A command with `--json`: the API's JSON shape on stdout instead of a table. */
export abstract class JsonCommand extends CommandRunner {
  protected abstract readonly out: CliOutput;

  @Option({ flags: '--json', description: "print the result as JSON (the API's shape)" })
  parseJson(): boolean {
    return true;
  }

  /** Prints `value` as JSON with --json, else hands it to the human view. */
  protected print<T>(options: JsonOption, value: T, human: (value: T) => void): void {
    if (options.json) this.out.json(value);
    else human(value);
  }
}

/** Parent commands (`jobs`, `users`) only group their subcommands: anything else is a usage error. */
export function missingSubcommand(command: { name(): string; helpInformation(): string }, args: string[]): never {
  if (args.length > 0) throw new UsageError(`unknown command '${args[0]}' for '${command.name()}'`);
  process.stderr.write(command.helpInformation());
  throw new UsageError('a subcommand is required');
}
