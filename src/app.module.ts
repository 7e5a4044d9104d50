import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggingModule, type LoggingOptions } from './common/logging/logging.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DispatcherModule } from './modules/dispatcher/dispatcher.module';
import { WorkerModule } from './modules/executions/worker/worker.module';
import { HealthModule } from './modules/health/health.module';
import { DefaultJobsModule } from './modules/jobs/default-jobs.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { ApiModule } from './roles/api.module';
import { TracingShutdown } from './common/tracing/tracing-shutdown';

/**
 * One process: the shared core (config, logging, database, timers, the event bus), what every
 * process serves (health, metrics), does (seed the default jobs once) and knows (every task
 * handler, MaintenanceModule's included, so that kwargs validate alike everywhere), and one root module
 * per role in `config.roles`: ApiModule (the REST API), DispatcherModule (the scheduler),
 * WorkerModule (the worker). The roles bring the feature modules they use.
 */
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
        HealthModule,
        MetricsModule,
        DefaultJobsModule,
        MaintenanceModule,
        ...(config.hasRole('api') ? [ApiModule] : []),
        ...(config.hasRole('scheduler') ? [DispatcherModule] : []),
        ...(config.hasRole('worker') ? [WorkerModule] : []),
      ],
      providers: [TracingShutdown],
    };
  }
}
