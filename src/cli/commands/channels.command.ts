import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { AlertsService } from '../../modules/alerts/alerts.service';
import { ChannelsService } from '../../modules/channels/channels.service';
import { CreateChannelDto } from '../../modules/channels/dto/channel.dto';
import { cliActor } from '../cli-actor';
import { OperationFailedError } from '../cli-errors';
import { parseId, validateDto } from '../cli-input';
import { CliOutput } from '../output/cli-output';
import { confirm, readStdin, stdinIsTerminal } from '../prompts';
import { JsonCommand, missingSubcommand, type JsonOption } from './cli-command';

@SubCommand({ name: 'list', description: 'List notification channels (--json: as GET /api/v1/notification-channels)' })
export class ChannelsListCommand extends JsonCommand {
  constructor(
    private readonly channels: ChannelsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: JsonOption): Promise<void> {
    const page = await this.channels.list({ page: 1, size: 100 });
    this.print(options, page, (p) => {
      if (p.items.length === 0) return this.out.line('No notification channels.');
      this.out.table(
        ['ID', 'NAME', 'TYPE', 'TARGET', 'DEFAULT', 'SECRET'],
        p.items.map((c) => [
          String(c.id),
          c.name,
          c.type,
          c.url ?? c.email_to ?? '—',
          c.is_default ? 'yes' : '',
          c.has_secret ? 'set' : '',
        ]),
      );
    });
  }
}

interface CreateOptions extends JsonOption {
  type?: string;
  url?: string;
  emailTo?: string;
  secretStdin?: boolean;
  default?: boolean;
}

@SubCommand({
  name: 'create',
  arguments: '<name>',
  description: 'Create a channel: --type webhook|slack (--url) or email (--email-to); --secret-stdin signs webhooks',
})
export class ChannelsCreateCommand extends JsonCommand {
  constructor(
    private readonly channels: ChannelsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([name]: string[], options: CreateOptions): Promise<void> {
    const dto = await validateDto(
      CreateChannelDto,
      {
        name,
        type: options.type,
        url: options.url,
        email_to: options.emailTo,
        secret: options.secretStdin ? await readStdin() : undefined,
        is_default: options.default,
      },
      { type: '--type', url: '--url', email_to: '--email-to', secret: '--secret-stdin', is_default: '--default' },
    );
    const created = await this.channels.create(dto, cliActor());
    this.print(options, created, (c) => this.out.line(`Created channel ${c.id} ${c.name} (${c.type})`));
  }

  @Option({ flags: '--type <type>', description: 'webhook, slack or email' })
  parseType(value: string): string {
    return value;
  }

  @Option({ flags: '--url <url>', description: 'webhook, slack: where to POST (http:// or https://)' })
  parseUrl(value: string): string {
    return value;
  }

  @Option({ flags: '--email-to <addresses>', description: 'email: recipients, comma-separated' })
  parseEmailTo(value: string): string {
    return value;
  }

  @Option({ flags: '--secret-stdin', description: 'read the webhook signing secret from stdin' })
  parseSecretStdin(): boolean {
    return true;
  }

  @Option({ flags: '--default', description: 'used by every job that names no channel' })
  parseDefault(): boolean {
    return true;
  }
}

@SubCommand({
  name: 'test',
  arguments: '<id>',
  description: 'Send a test message now; exit 1 unless it is delivered',
})
export class ChannelsTestCommand extends JsonCommand {
  constructor(
    private readonly channels: ChannelsService,
    protected readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: JsonOption): Promise<void> {
    const delivery = await this.channels.test(parseId(rawId));
    this.print(options, delivery, (d) =>
      this.out.line(
        d.status === 'delivered'
          ? `Delivered the test message${d.response_status ? ` (HTTP ${d.response_status})` : ''}`
          : `Not delivered: ${d.error ?? d.status}`,
      ),
    );
    if (delivery.status !== 'delivered') throw new OperationFailedError(`the test message was not delivered`);
  }
}

@SubCommand({ name: 'delete', arguments: '<id>', description: 'Delete a channel; asks first unless --force' })
export class ChannelsDeleteCommand extends CommandRunner {
  constructor(
    private readonly channels: ChannelsService,
    private readonly alerts: AlertsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([rawId]: string[], options: { force?: boolean }): Promise<void> {
    const id = parseId(rawId);
    const channel = await this.channels.get(id);
    if (!options.force) {
      if (!stdinIsTerminal())
        throw new OperationFailedError(
          `not deleting channel ${id} (${channel.name}) without confirmation, and there is no terminal to ask: use --force`,
        );
      if (!(await confirm(`Delete channel ${id} "${channel.name}" and its deliveries?`)))
        throw new OperationFailedError(`aborted; channel ${id} was not deleted`);
    }
    await this.alerts.deleteChannel(id, cliActor());
    this.out.line(`Deleted channel ${id} ${channel.name}`);
  }

  @Option({ flags: '-f, --force', description: 'do not ask for confirmation' })
  parseForce(): boolean {
    return true;
  }
}

@Command({
  name: 'channels',
  description: 'Manage notification channels (alerts)',
  subCommands: [ChannelsListCommand, ChannelsCreateCommand, ChannelsTestCommand, ChannelsDeleteCommand],
})
export class ChannelsCommand extends CommandRunner {
  run(args: string[]): Promise<void> {
    missingSubcommand(this.command, args);
    return Promise.resolve();
  }
}
