import { EventEmitterModule } from '@nestjs/event-emitter';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { AlertsModule } from '../modules/alerts/alerts.module';
import { AuditModule } from '../modules/audit/audit.module';
import { UsersModule } from '../modules/auth/users.module';
import { ExecutionsModule } from '../modules/executions/executions.module';
import { JobsModule } from '../modules/jobs/jobs.module';
import { MaintenanceModule } from '../modules/maintenance/maintenance.module';
import { OverviewModule } from '../modules/overview/overview.module';
import { SchedulesModule } from '../modules/schedules/schedules.module';
import { TasksModule } from '../modules/tasks/tasks.module';
import { CommanderSetup } from './commander-setup';
import { JOBS_SUBCOMMANDS, JobsCommand } from './commands/jobs.command';
import {
  ChannelsCommand,
  ChannelsCreateCommand,
  ChannelsDeleteCommand,
  ChannelsListCommand,
  ChannelsTestCommand,
} from './commands/channels.command';
import { MigrateCommand } from './commands/migrate.command';
import { RunsCommand, RunsLogsCommand, RunsShowCommand } from './commands/runs.command';
import {
  UsersCommand,
  UsersCreateCommand,
  UsersDeleteCommand,
  UsersListCommand,
  UsersUpdateCommand,
} from './commands/users.command';
import { CliOutput } from './output/cli-output';
import { RunWaiter } from './run-waiter';

/** The top-level commands of ./manage (each names its subcommands). */
export const ROOT_COMMANDS = [JobsCommand, ChannelsCommand, RunsCommand, UsersCommand, MigrateCommand];

/**
 * The ./manage root: the server's feature modules over the same database, and no role
 * (no HTTP listener, no dispatcher, no worker). Runs it queues are executed by a server.
 */
@Module({})
export class CliModule {
  static forRoot(
    config: AppConfig,
    options: { runMigrations: boolean; createEmbedded: boolean; connect: boolean },
  ): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(options),
        EventEmitterModule.forRoot(),
        AuditModule,
        SchedulesModule,
        TasksModule,
        ExecutionsModule,
        JobsModule,
        OverviewModule,
        AlertsModule,
        MaintenanceModule,
        // Users without the rest of AuthModule: no JWT secret, guard, throttling or first-superuser bootstrap.
        UsersModule,
      ],
      providers: [
        CliOutput,
        RunWaiter,
        CommanderSetup,
        JobsCommand,
        ...JOBS_SUBCOMMANDS,
        ChannelsCommand,
        ChannelsListCommand,
        ChannelsCreateCommand,
        ChannelsTestCommand,
        ChannelsDeleteCommand,
        RunsCommand,
        RunsShowCommand,
        RunsLogsCommand,
        UsersCommand,
        UsersCreateCommand,
        UsersListCommand,
        UsersUpdateCommand,
        UsersDeleteCommand,
        MigrateCommand,
      ],
    };
  }
}
