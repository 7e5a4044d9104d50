import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CreateUserDto } from '../../modules/auth/dto/user.dto';
import { UsersService } from '../../modules/auth/users.service';
import { cliActor } from '../cli-actor';
import { OperationFailedError } from '../cli-errors';
import { validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { hiddenInput, readStdin, stdinIsTerminal } from '../prompts';
import { JsonCommand, missingSubcommand, type JsonOption } from './cli-command';

interface CreateUserOptions extends JsonOption {
  superuser?: boolean;
  passwordStdin?: boolean;
}

@SubCommand({
  name: 'create',
  arguments: '<username>',
  description: 'Create a user; the password is asked for (hidden) or read with --password-stdin',
})
export class UsersCreateCommand extends JsonCommand {
  constructor(
    private readonly users: UsersService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([username]: string[], o: CreateUserOptions): Promise<void> {
    const password = await this.password(o);
    const dto = await validateDto(CreateUserDto, { username, password, is_superuser: o.superuser ?? false });
    const user = await this.users.create(
      { username: dto.username, password: dto.password, isSuperuser: dto.is_superuser ?? false },
      cliActor(),
    );
    this.print(o, user, (u) =>
      this.out.line(
        `Created ${u.is_superuser ? 'superuser' : 'user'} ${this.out.c.bold(u.username)} (id ${u.id}); log in with POST /api/v1/auth/login`,
      ),
    );
  }

  private async password(o: CreateUserOptions): Promise<string> {
    if (o.passwordStdin) return readStdin();
    if (!stdinIsTerminal())
      throw new OperationFailedError('no terminal to ask for the password: pipe it in with --password-stdin');
    const first = await hiddenInput('Password: ');
    const second = await hiddenInput('Password (again): ');
    if (first !== second) throw new OperationFailedError('the passwords do not match');
    return first;
  }

  @Option({ flags: '--superuser', description: 'may change jobs and read the audit log' })
  parseSuperuser(): boolean {
    return true;
  }

  @Option({ flags: '--password-stdin', description: 'read the password from stdin (for scripts)' })
  parsePasswordStdin(): boolean {
    return true;
  }
}

@Command({ name: 'users', description: 'Manage users', subCommands: [UsersCreateCommand] })
export class UsersCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    missingSubcommand(this.command, args);
    return Promise.resolve();
  }
}
