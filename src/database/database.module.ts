import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseServer, EMBEDDED_OPTIONS, type EmbeddedOptions } from './database-server';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrations-runner';
import { PgNotifier } from './pg-notifier.service';
import { ServiceTables } from './service-tables';

/** The address of a data source that is never opened (DatabaseModuleOptions.connect false). */
const UNOPENED_URL = 'postgres://unopened.invalid/none';

@Module({})
class DatabaseServerModule {
  static forRoot(embedded: EmbeddedOptions): DynamicModule {
    return {
      module: DatabaseServerModule,
      global: true,
      providers: [DatabaseServer, PgNotifier, ServiceTables, { provide: EMBEDDED_OPTIONS, useValue: embedded }],
      exports: [DatabaseServer, PgNotifier, ServiceTables],
    };
  }
}

export interface DatabaseModuleOptions {
  runMigrations: boolean;
  /** Restart the embedded PostgreSQL this process starts when it dies: the server (the default), not the CLI. */
  superviseEmbedded?: boolean;
  /** Create a new, empty embedded database when DATA_DIR holds none (default true; the CLI only when asked). */
  createEmbedded?: boolean;
  /**
   * Open the database (default true). False builds the data source without connecting: the CLI
   * answering --help needs its commands, whose services hold repositories, but no database, so
   * help works where there is none (and starts no embedded PostgreSQL).
   */
  connect?: boolean;
}

/**
 * TypeORM on the configured (or embedded) PostgreSQL. Pending migrations run as the data
 * source opens, before any module can use it.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = { runMigrations: true, superviseEmbedded: true }): DynamicModule {
    const serverModule = DatabaseServerModule.forRoot({
      supervise: options.superviseEmbedded ?? false,
      mayCreate: options.createEmbedded ?? true,
    });
    return {
      module: DatabaseModule,
      imports: [
        serverModule,
        TypeOrmModule.forRootAsync({
          inject: [DatabaseServer, AppConfig],
          useFactory: async (server: DatabaseServer, config: AppConfig) =>
            options.connect === false
              ? { ...dataSourceOptions(config.databaseUrl ?? UNOPENED_URL, 1), manualInitialization: true }
              : dataSourceOptions(await server.url(), config.databasePoolSize),
          dataSourceFactory: async (dsOptions) => {
            if (options.connect === false) return new DataSource(dsOptions!);
            const dataSource = await new DataSource(dsOptions!).initialize();
            if (options.runMigrations) await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
      ],
      exports: [serverModule],
    };
  }
}
