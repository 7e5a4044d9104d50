import { InjectDataSource } from '@nestjs/typeorm';
import { Command } from 'nest-commander';
import type { DataSource } from 'typeorm';
import { runMigrationsLocked } from '../../database/migrations-runner';
import { CliOutput } from '../output/cli-output';
import { JsonCommand, type JsonOption } from './cli-command';

/** `./manage migrate`: the CLI opens the database without migrating for this one command. */
@Command({
  name: 'migrate',
  description: 'Run pending database migrations (under the same advisory lock as the server)',
})
export class MigrateCommand extends JsonCommand {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const ran = (await runMigrationsLocked(this.dataSource)).map((m) => m.name);
    this.print(options, { ran }, () => {
      if (ran.length === 0) this.out.line('The database is up to date: no pending migrations.');
      else {
        this.out.line(`Ran ${ran.length} migration${ran.length === 1 ? '' : 's'}:`);
        ran.forEach((name) => this.out.line(`  ${name}`));
      }
    });
  }
}
