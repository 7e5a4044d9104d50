import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CreateUserDto, ListUsersQuery, UpdateUserDto, type UserResponseDto } from '../../modules/auth/dto/user.dto';
import { UsersService } from '../../modules/auth/users.service';
import { cliActor } from '../cli-actor';
import { OperationFailedError, UsageError } from '../cli-errors';
import { parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { utcTime } from '../output/format';
import { confirm, hiddenInput, readStdin, stdinIsTerminal } from '../prompts';
import { JsonCommand, missingSubcommand, type JsonOption } from './cli-command';

/** A password read from stdin (--password-stdin) or asked for twice, hidden. */
async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) return readStdin();
  if (!stdinIsTerminal())
    throw new OperationFailedError('no terminal to ask for the password: pipe it in with --password-stdin');
  const first = await hiddenInput('Password: ');
  const second = await hiddenInput('Password (again): ');
  if (first !== second) throw new OperationFailedError('the passwords do not match');
  return first;
}

/** A user named by id or by username (usernames match regardless of case). */
async function findUser(users: UsersService, ref: string): Promise<UserResponseDto> {
  if (/^\d+$/.test(ref)) return users.get(parseId(ref, 'user'));
  const user = await users.getByUsername(ref);
  if (!user) throw new OperationFailedError(`no user named "${ref}" (./manage users list shows them)`);
  return user;
}

function role(u: UserResponseDto): string {
  return `${u.is_superuser ? 'superuser' : 'user'}${u.is_active ? '' : ', deactivated'}`;
}

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
    const password = await readPassword(o.passwordStdin);
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

  @Option({ flags: '--superuser', description: 'may change jobs and read the audit log' })
  parseSuperuser(): boolean {
    return true;
  }

  @Option({ flags: '--password-stdin', description: 'read the password from stdin (for scripts)' })
  parsePasswordStdin(): boolean {
    return true;
  }
}

@SubCommand({ name: 'list', description: 'List users (as GET /api/v1/users)' })
export class UsersListCommand extends JsonCommand {
  constructor(
    private readonly users: UsersService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], o: JsonOption & { page?: string; size?: string }): Promise<void> {
    const query = await validateDto(ListUsersQuery, { page: o.page, size: o.size }, { page: '--page', size: '--size' });
    const page = await this.users.list({ page: query.page, size: query.size });
    this.print(o, page, (p) => {
      if (p.items.length === 0) return this.out.line('No users.');
      this.out.table(
        ['ID', 'USERNAME', 'ROLE', 'CREATED (UTC)'],
        p.items.map((u) => [String(u.id), u.username, role(u), utcTime(u.created_at)]),
      );
      this.out.line(`Page ${p.page} of ${p.pages} (${p.total} users)`);
    });
  }

  @Option({ flags: '--page <n>', description: 'page number (default 1)' })
  parsePage(value: string): string {
    return value;
  }

  @Option({ flags: '--size <n>', description: 'users per page (default 20)' })
  parseSize(value: string): string {
    return value;
  }
}

interface UpdateUserOptions extends JsonOption {
  superuser?: boolean;
  active?: boolean;
  password?: boolean;
  passwordStdin?: boolean;
}

@SubCommand({
  name: 'update',
  arguments: '<user>',
  description: 'Change a user (id or username): --password, --[no-]superuser, --[no-]active',
})
export class UsersUpdateCommand extends JsonCommand {
  constructor(
    private readonly users: UsersService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([ref]: string[], o: UpdateUserOptions): Promise<void> {
    const user = await findUser(this.users, ref);
    const password = o.password || o.passwordStdin ? await readPassword(o.passwordStdin) : undefined;
    if (password === undefined && o.superuser === undefined && o.active === undefined)
      throw new UsageError(
        'nothing to change: give --password (or --password-stdin), --superuser / --no-superuser, or --active / --no-active',
      );
    const dto = await validateDto(
      UpdateUserDto,
      { password, is_superuser: o.superuser, is_active: o.active },
      { password: '--password', is_superuser: '--superuser', is_active: '--active' },
    );
    const after = await this.users.update(
      user.id,
      { password: dto.password, isSuperuser: dto.is_superuser, isActive: dto.is_active },
      cliActor(),
    );
    this.print(o, after, (u) =>
      this.out.line(
        `Updated ${this.out.c.bold(u.username)} (id ${u.id}): ${role(u)}${password !== undefined ? '; password changed, its tokens revoked' : ''}`,
      ),
    );
  }

  @Option({ flags: '--password', description: 'set a new password (asked for, hidden); revokes its tokens' })
  parsePassword(): boolean {
    return true;
  }

  @Option({ flags: '--password-stdin', description: 'read the new password from stdin (for scripts)' })
  parsePasswordStdin(): boolean {
    return true;
  }

  @Option({ flags: '--superuser', description: 'grant the superuser right' })
  parseSuperuser(): boolean {
    return true;
  }

  @Option({ flags: '--no-superuser', description: 'take the superuser right away' })
  parseNoSuperuser(): boolean {
    return false;
  }

  @Option({ flags: '--active', description: 'reactivate a deactivated user' })
  parseActive(): boolean {
    return true;
  }

  @Option({ flags: '--no-active', description: 'deactivate: lock the user out at once, keep its name' })
  parseNoActive(): boolean {
    return false;
  }
}

@SubCommand({
  name: 'delete',
  arguments: '<user>',
  description: 'Delete a user (id or username); asks first unless --force',
})
export class UsersDeleteCommand extends CommandRunner {
  constructor(
    private readonly users: UsersService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([ref]: string[], options: { force?: boolean }): Promise<void> {
    const user = await findUser(this.users, ref);
    if (!options.force) {
      if (!stdinIsTerminal())
        throw new OperationFailedError(
          `not deleting user ${user.id} (${user.username}) without confirmation, and there is no terminal to ask: use --force`,
        );
      if (!(await confirm(`Delete ${role(user)} ${user.username} (id ${user.id})?`)))
        throw new OperationFailedError(`aborted; user ${user.username} was not deleted`);
    }
    await this.users.delete(user.id, cliActor());
    this.out.line(`Deleted user ${user.username} (id ${user.id})`);
  }

  @Option({ flags: '-f, --force', description: 'do not ask for confirmation' })
  parseForce(): boolean {
    return true;
  }
}

@Command({
  name: 'users',
  description: 'Manage users',
  subCommands: [UsersListCommand, UsersCreateCommand, UsersUpdateCommand, UsersDeleteCommand],
})
export class UsersCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    missingSubcommand(this.command, args);
    return Promise.resolve();
  }
}
