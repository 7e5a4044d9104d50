import { CommandRunner, Option } from 'nest-commander';
import { closest, distance } from 'fastest-levenshtein';
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

/** Parent commands (`jobs`, `users`) only group their subcommands: anything else is a usage error, with a suggestion when one is close. */
export function missingSubcommand(
  command: { name(): string; helpInformation(): string; commands: readonly { name(): string }[] },
  args: string[],
): never {
  if (args.length > 0) {
    const near = closest(
      args[0],
      command.commands.map((c) => c.name()),
    );
    const hint =
      distance(args[0], near) <= Math.max(2, Math.floor(args[0].length / 3)) ? `; did you mean '${near}'?` : '';
    throw new UsageError(`unknown command '${args[0]}' for '${command.name()}'${hint}`);
  }
  process.stderr.write(command.helpInformation());
  throw new UsageError('a subcommand is required');
}
