import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { CliModule, ROOT_COMMANDS } from './cli.module';
import { namesKnownCommand } from './known-command';
import { CliLogger } from './cli-logger';
import { EXIT, OperationFailedError, reportError } from './cli-errors';
import { AppConfig } from '../config/app-config';
import { NoEmbeddedDatabaseError, stopEmbeddedStartedHere } from '../database/database-server';
import { CREATE_DATA_DIR_FLAG, noDatabaseMessage } from './data-dir-flag';

/**
 * ./manage past the answers that need nothing (src/cli.ts): nest-commander over the server's
 * feature modules and database.
 * Every outcome leaves through `reportError` (the one mapping to exit codes), and the
 * application is always closed, so an embedded PostgreSQL this process started is stopped
 * again and no pool or queue connection keeps the process alive.
 */
export async function runCli(argv: string[]): Promise<number> {
  let app: INestApplicationContext | undefined;
  let exitCode: number = EXIT.OK;
  const fail = (error: unknown) => {
    exitCode = reportError(
      error instanceof NoEmbeddedDatabaseError ? new OperationFailedError(noDatabaseMessage(error)) : error,
    );
  };
  try {
    const config = AppConfig.fromProcessEnv();
    // `migrate` reports what it ran, so only that command opens the database unmigrated.
    const createEmbedded = argv[0] === CREATE_DATA_DIR_FLAG;
    const words = createEmbedded ? argv.slice(1) : argv;
    const command = words[0];
    const runMigrations = command !== 'migrate';
    // Help, and the answer to a command that does not exist (with its suggestion), need the
    // commands but no database: they work where there is none, and quickly.
    const helpOnly =
      command === undefined ||
      command === 'help' ||
      argv.includes('--help') ||
      argv.includes('-h') ||
      !namesKnownCommand(ROOT_COMMANDS, words);
    app = await CommandFactory.createWithoutRunning(
      CliModule.forRoot(config, { runMigrations, createEmbedded, connect: !helpOnly }),
      {
        logger: new CliLogger(),
        cliName: 'manage',
        // A failed initialisation throws (instead of process.abort()), so the embedded PostgreSQL it started is stopped below.
        abortOnError: false,
        errorHandler: (error) => {
          throw error;
        },
        serviceErrorHandler: fail,
      },
    );
    app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
    await CommandFactory.runApplication(app);
  } catch (error) {
    fail(error);
  } finally {
    if (app) await app.close().catch(fail);
    else await stopEmbeddedStartedHere((message) => process.stderr.write(`${message}\n`));
  }
  return exitCode;
}

/** An error the run could not report itself (it leaves through reportError too). */
export function exitCodeOf(error: unknown): number {
  return reportError(error);
}
