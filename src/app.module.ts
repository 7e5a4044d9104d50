import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggingModule, type LoggingOptions } from './common/logging/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { DispatcherModule } from './modules/dispatcher/dispatcher.module';
import { ExecutionsModule } from './modules/executions/executions.module';
import { WorkerModule } from './modules/executions/worker/worker.module';
import { DefaultJobsModule } from './modules/jobs/default-jobs.module';
import { HealthModule } from './modules/health/health.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { SchedulesModule } from './modules/schedules/schedules.module';
import { SecretsModule } from './modules/secrets/secrets.module';
import { TasksModule } from './modules/tasks/tasks.module';

/** Shared core + feature modules; what runs (api, scheduler, worker) follows `config.roles`. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logging: LoggingOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, logging),
        DatabaseModule.forRoot(),
        ScheduleModule.forRoot(),
        EventEmitterModule.forRoot(),
        AuditModule,
        AuthModule,
        SchedulesModule,
        TasksModule,
        ExecutionsModule,
        JobsModule,
        SecretsModule,
        DefaultJobsModule,
        HealthModule,
        MetricsModule,
        // The roles this process runs are decided here, at registration.
        ...(config.hasRole('scheduler') ? [DispatcherModule] : []),
        ...(config.hasRole('worker') ? [WorkerModule] : []),
      ],
    };
  }
}
