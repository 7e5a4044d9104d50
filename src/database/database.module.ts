import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseServer } from './database-server';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migrations-runner';

@Global()
@Module({ providers: [DatabaseServer], exports: [DatabaseServer] })
class DatabaseServerModule {}

/**
 * TypeORM on the configured (or embedded) PostgreSQL. Pending migrations run as the data
 * source opens, before any module can use it.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: { runMigrations: boolean } = { runMigrations: true }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        DatabaseServerModule,
        TypeOrmModule.forRootAsync({
          inject: [DatabaseServer, AppConfig],
          useFactory: async (server: DatabaseServer, config: AppConfig) => dataSourceOptions(await server.url(), config.databasePoolSize),
          dataSourceFactory: async (dsOptions) => {
            const dataSource = await new DataSource(dsOptions!).initialize();
            if (options.runMigrations) await runMigrationsLocked(dataSource);
            return dataSource;
          },
        }),
      ],
      exports: [DatabaseServerModule],
    };
  }
}
