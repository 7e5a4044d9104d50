import { Module } from '@nestjs/common';
import { AlertsModule } from '../modules/alerts/alerts.module';
import { ChannelsController } from '../modules/alerts/channels.controller';
import { AuditController } from '../modules/audit/audit.controller';
import { AuditModule } from '../modules/audit/audit.module';
import { AuthModule } from '../modules/auth/auth.module';
import { UsersController } from '../modules/auth/users.controller';
import { UsersModule } from '../modules/auth/users.module';
import { BackfillController } from '../modules/executions/backfill.controller';
import { ExecutionsController } from '../modules/executions/executions.controller';
import { ExecutionsModule } from '../modules/executions/executions.module';
import { ManualRunsController } from '../modules/executions/manual-runs.controller';
import { RunLogsController } from '../modules/executions/run-logs/run-logs.controller';
import { JobActionsController } from '../modules/jobs/job-actions.controller';
import { JobsController } from '../modules/jobs/jobs.controller';
import { JobsModule } from '../modules/jobs/jobs.module';
import { OverviewController } from '../modules/overview/overview.controller';
import { OverviewModule } from '../modules/overview/overview.module';
import { SchedulesController } from '../modules/schedules/schedules.controller';
import { SchedulesModule } from '../modules/schedules/schedules.module';
import { SecretsController } from '../modules/secrets/secrets.controller';
import { SecretsModule } from '../modules/secrets/secrets.module';
import { TasksController } from '../modules/tasks/tasks.controller';
import { TasksModule } from '../modules/tasks/tasks.module';

/**
 * The api role: the REST API's controllers over the feature modules' services, and the HTTP
 * auth layer (login, the JWT strategy, the global default-deny guard, login throttling).
 * Processes without this role serve only /health, /health/ready and /metrics.
 */
@Module({
  imports: [
    AuthModule,
    UsersModule,
    JobsModule,
    ExecutionsModule,
    OverviewModule,
    AuditModule,
    SchedulesModule,
    TasksModule,
    SecretsModule,
    AlertsModule,
  ],
  controllers: [
    // Before JobsController: `overdue/list` and `stats/overview` must not be taken for an id.
    OverviewController,
    JobActionsController,
    JobsController,
    ManualRunsController,
    BackfillController,
    ExecutionsController,
    RunLogsController,
    SchedulesController,
    TasksController,
    UsersController,
    AuditController,
    SecretsController,
    ChannelsController,
  ],
})
export class ApiModule {}
